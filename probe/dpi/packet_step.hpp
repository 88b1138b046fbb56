#pragma once
// One dissected IP packet through the flow table and nDPI: what a worker does
// for each packet of a burst (capture/worker.cpp), kept here, without DPDK,
// so tests and the fuzz target (tests/fuzz/fuzz_packet_path.cpp) run the
// worker's own rule rather than a copy of it.

#include <algorithm>
#include <cstdint>
#include <span>

#include "dissect/packet_summary.hpp"
#include "dpi/dpi_engine.hpp"
#include "flow/flow_table.hpp"

namespace wireflow::probe {

// Accounts `s` (status ok, looked up as `l`) and feeds the packet's IP bytes
// to `dpi` (may be null) for the flow's slot, unless the packet ended its own
// flow (RST, final ACK): that slot is free again, and a state taken for it
// would be held by no flow until the slot's next flow, so a stream of lone
// RSTs would drain the state pool. `sink` must fill and release DPI results
// as the worker's does.
inline flow_hit account_packet(flow_table& table, dpi_engine* dpi, const packet_summary& s, const flow_lookup& l,
                               std::span<const std::byte> frame, std::uint64_t now_ns, record_sink& sink) noexcept {
    const flow_hit hit = table.account(s, l, now_ns, sink);
    if (dpi != nullptr && !hit.ended && dpi->wants(hit.slot, hit.created) && s.l3_offset < frame.size()) {
        // The flow's IP packet: the inner one of a tunnel, which is what nDPI dissects.
        const std::size_t l3_len = std::min<std::size_t>({frame.size() - s.l3_offset, s.ip_length, 65535});
        dpi->process(hit.slot, reinterpret_cast<const std::uint8_t*>(frame.data() + s.l3_offset),
                     static_cast<std::uint16_t>(l3_len), now_ns, hit.from_client, hit.created);
    }
    return hit;
}

}  // namespace wireflow::probe
