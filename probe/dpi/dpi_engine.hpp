#pragma once
// Per-worker nDPI 4.2 wrapper. One worker owns one engine: the nDPI detection
// module and every per-flow state are private to it, so no locks.
//
// Design: results are indexed by the flow table's slot (stable for a flow's
// life), in a compact per-slot array (~100 bytes: ids, category, risk and the
// raw server name). The large nDPI flow states (ndpi_detection_get_sizeof_
// ndpi_flow_struct(), ~1 KiB) come from a separate pool that grows by chunks
// of 256 zeroed states up to `pool_size` (nothing is allocated for flows
// that never come: the per-slot array is calloc'ed, so its pages are mapped
// only when flows land in them) and are held only while a flow is being inspected: once nDPI
// has classified the flow (and wants no extra packets), or after
// `max_packets` packets (then ndpi_detection_giveup), the result is copied to
// the slot and the state goes back to the pool. So the pool bounds the flows
// *under inspection*, not the live flows. When the pool is empty a new flow
// goes without DPI and is counted (flows_without_state).
//
// TLS and HTTP details (certificate names, URL, user agent: 744 bytes) are
// copied out of the nDPI state, sanitized, into a third pool of blocks that
// grows by chunks like the states, taken only by flows that have details and
// kept until the flow ends (active-timeout records repeat them). The same
// blocks hold an mDNS/LLMNR/NetBIOS flow's name claim (name_claim.hpp).
//
// nDPI itself may allocate inside ndpi_detection_process_packet (e.g. HTTP
// URL, TLS certificate names); those are freed with ndpi_free_flow_data when
// the state returns to the pool. That is the only allocation on this path and
// is nDPI's, bounded by the packet budget.

#include <cstdint>
#include <memory>
#include <vector>

#include "flow/flow_record.hpp"

namespace wireflow::probe {

struct dpi_config {
    std::uint32_t slots{1u << 20};      // must equal the flow table's capacity
    std::uint32_t pool_size{65536};     // flows inspected at the same time
    std::uint16_t max_packets{24};      // per flow, then give up (port guess)
};

struct dpi_counters {
    std::uint64_t packets_inspected{0};
    std::uint64_t flows_inspected{0};       // flows that got an nDPI state
    std::uint64_t flows_without_state{0};   // pool empty when the flow started
    std::uint64_t flows_detected{0};        // classified by DPI before the budget ran out
    std::uint64_t flows_given_up{0};        // budget reached or flow ended first: nDPI's guess
    std::uint64_t details_lost{0};          // TLS/HTTP details not kept: out of memory
};

class dpi_engine {
public:
    // Setup: may throw (nDPI init failure, out of memory, bad config).
    explicit dpi_engine(const dpi_config& cfg);
    ~dpi_engine();
    dpi_engine(const dpi_engine&) = delete;
    dpi_engine& operator=(const dpi_engine&) = delete;

    // Feeds one packet of the flow in `slot`: `l3` points at the IP header
    // (IPv4 or IPv6), `l3_len` the captured bytes from there. `created` is
    // flow_hit::created: any leftover result in the slot is discarded first.
    // Does nothing once the flow's detection is finished. nDPI finds the
    // direction from the addresses itself; `from_client` is not needed by 4.2
    // and is accepted so the call site stays stable.
    void process(std::uint32_t slot, const std::uint8_t* l3, std::uint16_t l3_len, std::uint64_t ts_ns,
                 bool from_client, bool created) noexcept;

    // Whether process() has anything to do with the next packet of the flow
    // in `slot`: false once its detection is finished and no name claim can
    // follow, i.e. for most packets of a long flow. Inline and one byte per
    // slot, so the packet path does not call into the engine, nor touch the
    // slot's result (a cache line per flow), for those packets.
    [[nodiscard]] bool wants(std::uint32_t slot, bool created) const noexcept {
        return created || slot >= quiet_.size() || quiet_[slot] == 0;
    }

    // Writes app_protocol, master_protocol, app_name ("TLS.Google" as
    // ndpi_protocol2name), app_category, server_name (sanitized, see
    // common/net/utf8.hpp), flow_risk, the DNS fields and `app` (TLS or
    // HTTP details, nDPI's confidence) into `rec`. If the flow is still under
    // inspection and rec.reason is anything but active_timeout (the flow is
    // over), detection is finished now with nDPI's give-up guess, as
    // ndpiReader does for flows that end early.
    void fill(std::uint32_t slot, flow_record& rec) noexcept;

    // The flow in `slot` ended (final record): return its state, clear the slot.
    void release(std::uint32_t slot) noexcept;

    [[nodiscard]] const dpi_counters& counters() const noexcept;
    [[nodiscard]] std::uint32_t states_in_use() const noexcept;
    // States the pool holds (in use or free): grows by chunks up to pool_size.
    [[nodiscard]] std::uint32_t states_allocated() const noexcept;
    // Flows holding a TLS/HTTP details block.
    [[nodiscard]] std::uint32_t details_in_use() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::vector<std::uint8_t> quiet_;  // per slot: 1 when process() would do nothing (wants)
};

}  // namespace wireflow::probe
