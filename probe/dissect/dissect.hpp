#pragma once
// The pure dissector: bytes in, packet summary out. Knows nothing of DPDK or
// mbufs, allocates nothing, throws nothing, never reads past `frame.size()`.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dissect/link_type.hpp"
#include "dissect/packet_summary.hpp"

namespace wireflow::probe {

// `frame` holds the captured bytes (possibly snapped shorter than on the wire).
[[nodiscard]] packet_summary dissect(link_type lt, std::span<const std::byte> frame) noexcept;

}  // namespace wireflow::probe
