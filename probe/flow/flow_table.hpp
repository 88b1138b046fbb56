#pragma once
// Per-worker bidirectional flow table. One worker owns one table: no locks, no
// atomics on the packet path. All memory is allocated at construction
// (setup time, may throw); account() and expire() never allocate or throw.

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/packet_summary.hpp"
#include "flow/flow_key.hpp"
#include "flow/flow_record.hpp"

namespace wireflow::probe {

struct flow_table_config {
    std::uint32_t capacity{1u << 20};               // max concurrent flows
    std::uint64_t idle_timeout_ns{30'000'000'000};  // no packet for this long: export and forget
    std::uint64_t active_timeout_ns{120'000'000'000};  // long flow: export counters since the last record
    std::uint16_t worker{0};                        // stamped into records and flow ids
    std::uint64_t flow_id_base{0};                  // flow ids are base + worker << 48 + sequence
};

struct flow_table_counters {
    std::uint64_t flows_created{0};
    std::uint64_t records_emitted{0};
    std::uint64_t evictions{0};        // flows exported early because the table was full
    std::uint64_t packets{0};
};

// What account() tells the caller about the packet it just placed.
struct flow_hit {
    std::uint32_t slot;       // entry index, stable for the flow's life (DPI state is kept per slot)
    bool from_client;         // packet travels client -> server
    bool created;             // first packet of this flow
};

// Receives every record the table emits. `final` is false for an active-timeout
// record (the flow lives on in the same slot). Called synchronously inside
// account()/expire()/flush(); must not throw.
class record_sink {
public:
    virtual ~record_sink() = default;
    virtual void on_record(flow_record& rec, std::uint32_t slot, bool final) noexcept = 0;
};

class flow_table {
public:
    explicit flow_table(const flow_table_config& cfg);
    ~flow_table();
    flow_table(const flow_table&) = delete;
    flow_table& operator=(const flow_table&) = delete;

    // Accounts one dissected IP packet (status ok) seen at now_ns. May emit
    // records (TCP close of this flow, eviction of another when full).
    flow_hit account(const packet_summary& p, std::uint64_t now_ns, record_sink& sink) noexcept;

    // Exports flows idle or active for too long. Scans at most `budget` slots
    // per call (amortised over the poll loop), so one call stays short.
    void expire(std::uint64_t now_ns, std::uint32_t budget, record_sink& sink) noexcept;

    // Exports every live flow (end_reason::shutdown) and empties the table.
    void flush(std::uint64_t now_ns, record_sink& sink) noexcept;

    [[nodiscard]] std::uint32_t active() const noexcept;
    [[nodiscard]] std::uint32_t capacity() const noexcept;
    [[nodiscard]] const flow_table_counters& counters() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wireflow::probe
