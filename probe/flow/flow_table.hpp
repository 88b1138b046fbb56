#pragma once
// Per-worker bidirectional flow table. One worker owns one table: no locks, no
// atomics on the packet path. All memory is allocated at construction
// (setup time, may throw); account() and expire() never allocate or throw.
//
// Layout: entries live in a fixed array and never move, so an entry's index is
// the flow's `slot` for its whole life (DPI state is kept per slot). A separate
// open-addressing index (linear probing, load <= 1/2, backward-shift deletion)
// maps key -> slot. A full table evicts by sampled LRU: the least recently
// seen of 8 consecutive slots from a rotating cursor (exact LRU would relink a
// list on every packet: two more cache misses per packet for little gain).
//
// Client side, decided on the flow's first packet and never changed:
//   1. TCP SYN without ACK: the sender is the client (RFC 9293 3.5 open).
//   2. TCP SYN+ACK: the sender is the server (we missed the SYN).
//   3. Flow seen mid-stream (TCP without SYN, or UDP): if the source port is
//      < 1024 and the destination port >= 1024, the destination is the client
//      (services listen on well-known ports, clients use ephemeral ones).
//   4. Otherwise (and for every other protocol) the first sender is the client.
//
// End of a flow (record with final = true):
//   - idle: no packet for idle_timeout_ns (found by expire(), or by account()
//     when a packet arrives for a flow already idle: the old flow is exported
//     first, the packet starts a new flow with a new flow id);
//   - RST: the flow ends with the RST packet (reason tcp_rst);
//   - FIN from both sides: the flow ends with the final ACK (RFC 9293 3.6: the
//     first packet carrying ACK without FIN after both FINs), which is counted
//     in the flow, so the closing ACK does not spawn a one-packet flow. If the
//     final ACK never comes, idle expiry ends the flow still with tcp_fin;
//   - table full: a least recently used flow is exported (evicted, see above);
//   - flush(): shutdown.
// Active timeout: a flow whose current record period started active_timeout_ns
// ago gets a record with final = false (reason active_timeout) carrying the
// counters since the previous record; counters then restart, same flow id and
// slot. first_seen_ns/last_seen_ns of a record cover that record's period.

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
    hash_key key{process_hash_key()};               // of the index hash; tests may fix it
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
    bool ended{false};        // this packet ended the flow (RST, final ACK): its final
                              // record was already emitted and the slot is free again,
                              // so the caller must not feed it to DPI for this slot
};

// A packet's key and hash, computed ahead of account() for a whole burst so
// the index cells and entries can be prefetched (DPDK l3fwd's pattern).
struct flow_lookup {
    oriented_key ok;
    std::uint32_t hash;
};

// Receives every record the table emits. `final` is false for an active-timeout
// record (the flow lives on in the same slot). Called synchronously inside
// account()/expire()/flush(); must not throw.
class record_sink {
public:
    virtual ~record_sink() = default;
    virtual void on_record(flow_record& rec, std::uint32_t slot, bool final) noexcept = 0;
};

// Receives interim reports of live flows (report()). Returns false to stop
// the walk (out of budget or room): the next report() resumes there.
class update_sink {
public:
    virtual ~update_sink() = default;
    virtual bool on_update(flow_record& rec, std::uint32_t slot) noexcept = 0;
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

    // The burst form, in three passes over the burst: lookup() computes the
    // key and hash and prefetches the index cell; prefetch_entry() reads that
    // cell and prefetches the entry it names; account() with the lookup then
    // finds both in cache. Same result as account(p, now, sink).
    [[nodiscard]] flow_lookup lookup(const packet_summary& p) const noexcept;
    // lookup() of every packet of a burst whose status is ok (out[i] for
    // ps[i]; the others' are left as they were), the keys' hashes computed
    // together (flow_hash: their AES rounds overlap).
    void lookup(std::span<const packet_summary> ps, std::span<flow_lookup> out) const noexcept;
    void prefetch_entry(const flow_lookup& l) const noexcept;
    flow_hit account(const packet_summary& p, const flow_lookup& l, std::uint64_t now_ns, record_sink& sink) noexcept;

    // Exports flows idle or active for too long. Scans at most `budget` slots
    // per call (amortised over the poll loop), so one call stays short.
    // A round-robin scan of the entry array rather than a timer wheel: it costs
    // nothing per packet (a wheel must relink the flow on every packet or
    // re-arm lazily), its work per call is a hard bound, and it walks memory
    // sequentially. With capacity C and budget B every slot is visited once per
    // C/B calls; choose B so that this sweep is well under the idle timeout.
    // Idle flows are also caught exactly by account() when their next packet
    // arrives, so a late sweep never merges two flows.
    void expire(std::uint64_t now_ns, std::uint32_t budget, record_sink& sink) noexcept;

    // Interim updates (issue 15): walks at most `budget` slots from its own
    // round-robin cursor and hands each live flow with packets in its current
    // period to the sink as a record (end_reason::unspecified, counters of
    // the period so far). Changes nothing in the table. Returns the slots
    // walked; less than `budget` when the sink said stop.
    std::uint32_t report(std::uint32_t budget, update_sink& sink) noexcept;

    // Exports every live flow (end_reason::shutdown) and empties the table.
    void flush(std::uint64_t now_ns, record_sink& sink) noexcept;

    // The most index cells any lookup of a live flow reads (1 = found at its
    // home cell). O(index) scan, for tests and diagnostics, never on the packet
    // path: with the keyed hash it stays small whatever keys senders craft.
    [[nodiscard]] std::uint32_t longest_probe() const noexcept;

    [[nodiscard]] std::uint32_t active() const noexcept;
    [[nodiscard]] std::uint32_t capacity() const noexcept;
    [[nodiscard]] const flow_table_counters& counters() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wireflow::probe
