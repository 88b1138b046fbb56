#include "capture/worker.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "dissect/dissect.hpp"
#include "dpi/dpi_engine.hpp"
#include "dpi/packet_step.hpp"
#include "export/record_ring.hpp"

namespace wireflow::probe {

namespace {

constexpr std::uint16_t burst_size = 32;
constexpr unsigned prefetch_ahead = 3;

inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t by = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

// Called by the flow table for every record it emits: DPI results are added,
// then the record goes to the exporter through this worker's ring.
struct worker::sink final : record_sink {
    explicit sink(worker& w) : w_(w) {}
    void on_record(flow_record& rec, std::uint32_t slot, bool final) noexcept override {
        if (w_.dpi_ != nullptr) {
            w_.dpi_->fill(slot, rec);
            if (final) w_.dpi_->release(slot);
        }
        bump(w_.counters_.records);
        if (w_.job_.wait_for_ring) {
            // A file has no line rate to keep up with: wait for the exporter
            // rather than drop, so a replay is exact.
            while (w_.ring_.free_count() == 0) rte_pause();
        }
        (void)w_.ring_.try_push(rec);  // live: a full ring drops, counted by the ring
    }
    worker& w_;
};

// Called by the flow table for each live flow report() walks: the flow's DPI
// result so far is added (without ending its inspection), then the record
// goes to the update ring. Says stop when the rate budget or the ring is spent.
struct worker::update_feed final : update_sink {
    explicit update_feed(worker& w) : w_(w) {}
    bool on_update(flow_record& rec, std::uint32_t slot) noexcept override {
        if (w_.tokens_ < 1.0) return false;
        if (w_.dpi_ != nullptr) {
            // fill() ends an inspection unless the record is an active-timeout
            // one (the flow goes on): that is this case too.
            rec.reason = end_reason::active_timeout;
            w_.dpi_->fill(slot, rec);
            rec.reason = end_reason::unspecified;
        }
        if (!w_.updates_.ring->try_push(rec)) {
            bump(w_.counters_.update_drops);
            return false;
        }
        w_.tokens_ -= 1.0;
        bump(w_.counters_.updates);
        return true;
    }
    worker& w_;
};

tsc_clock::tsc_clock() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tsc0_ = rte_get_tsc_cycles();
    wall0_ns_ = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
    const std::uint64_t hz = rte_get_tsc_hz();
    ns_per_tick_ = hz != 0 ? 1e9 / static_cast<double>(hz) : 1.0;
}

std::uint64_t tsc_clock::now_ns() const noexcept {
    return wall0_ns_ + static_cast<std::uint64_t>(static_cast<double>(rte_get_tsc_cycles() - tsc0_) * ns_per_tick_);
}

// The arrays process_burst fills, index by index, for every packet it reads.
// Held by the worker rather than on the stack: a packet_summary's members
// have initialisers, so a stack array of them was zeroed on every burst.
struct worker::burst {
    std::array<std::span<const std::byte>, burst_size> frames;
    std::array<std::uint64_t, burst_size> ts;
    std::array<packet_summary, burst_size> sums;
    std::array<flow_lookup, burst_size> looks;
};

worker::worker(std::uint16_t index, const flow_table_config& table, record_ring& ring, dpi_engine* dpi,
               worker_updates updates)
    : index_(index), table_(table), ring_(ring), dpi_(dpi), sink_(std::make_unique<sink>(*this)),
      updates_(updates), update_feed_(std::make_unique<update_feed>(*this)),
      scratch_(512 * 1024), burst_(std::make_unique<burst>()),
      // Every slot is visited at least twice per idle timeout, and at least once a second.
      sweep_ns_(std::clamp<std::uint64_t>(table.idle_timeout_ns / 2, 1'000'000, 1'000'000'000)) {}

worker::~worker() = default;

void worker::assign(worker_job job) {
    job_ = std::move(job);
    last_sweep_ns_ = 0;  // packet time of another file may lie before the last one's
}

void worker::publish() noexcept {
    const auto& c = table_.counters();
    counters_.flows_created.store(c.flows_created, std::memory_order_relaxed);
    counters_.evictions.store(c.evictions, std::memory_order_relaxed);
    counters_.flows_active.store(table_.active(), std::memory_order_relaxed);
}

// In the style of DPDK's l3fwd: each stage runs over the whole burst, so the
// memory accesses of one packet overlap with the work on the others.
//   1. frame and time of every packet, prefetching the data a few ahead;
//   2. dissect every frame;
//   3. key and hash of every IP packet, prefetching its index cell;
//   4. read the cells, prefetching the entries they name;
//   5. account (and DPI) in order; counters are summed per burst.
void worker::process_burst(rte_mbuf** pkts, std::uint16_t n, std::uint64_t now_ns) noexcept {
    auto& [frames, ts, sums, looks] = *burst_;
    std::array<std::uint32_t, parse_status_count> by_status{};
    std::uint64_t bytes = 0;
    std::size_t scratch_used = 0;

    for (unsigned i = 0; i < std::min<unsigned>(prefetch_ahead, n); ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
    for (std::uint16_t i = 0; i < n; ++i) {
        if (i + prefetch_ahead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + prefetch_ahead], void*));
        rte_mbuf* m = pkts[i];
        ts[i] = now_ns;
        if (job_.timestamp_flag != 0 && (m->ol_flags & job_.timestamp_flag) != 0)
            ts[i] = *RTE_MBUF_DYNFIELD(m, job_.timestamp_offset, std::uint64_t*) * job_.timestamp_unit_ns;
        // Linearise chained mbufs by walking the segments' own lengths, not
        // pkt_len: net_pcap's jumbo path can leave pkt_len larger than the data.
        if (m->nb_segs == 1) [[likely]] {
            frames[i] = {rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
        } else {
            const std::size_t start = scratch_used;
            for (const rte_mbuf* seg = m; seg != nullptr && scratch_used < scratch_.size(); seg = seg->next) {
                const std::size_t take = std::min<std::size_t>(seg->data_len, scratch_.size() - scratch_used);
                std::memcpy(scratch_.data() + scratch_used, rte_pktmbuf_mtod(seg, const std::byte*), take);
                scratch_used += take;
            }
            frames[i] = {scratch_.data() + start, scratch_used - start};
        }
        bytes += frames[i].size();
        dissect(job_.link, frames[i], sums[i]);
        ++by_status[static_cast<std::size_t>(sums[i].status)];
    }
    table_.lookup(std::span(sums.data(), n), std::span(looks.data(), n));
    for (std::uint16_t i = 0; i < n; ++i)
        if (sums[i].status == parse_status::ok) table_.prefetch_entry(looks[i]);
    for (std::uint16_t i = 0; i < n; ++i) {
        const packet_summary& s = sums[i];
        if (s.status != parse_status::ok) [[unlikely]] continue;
        (void)account_packet(table_, dpi_, s, looks[i], frames[i], ts[i], *sink_);
    }
    if (n != 0) last_ts_ns_ = ts[n - 1];
    rte_pktmbuf_free_bulk(pkts, n);
    bump(counters_.packets, n);
    bump(counters_.bytes, bytes);
    for (std::size_t r = 0; r < parse_status_count; ++r)
        if (by_status[r] != 0) bump(counters_.by_status[r], by_status[r]);
}

// Sweeps the whole table once per sweep period (packet time offline, wall
// time live), a slice per poll in proportion to the time passed: the cost is
// per second, not per poll, so a busy poll loop does not walk cold entries.
void worker::sweep(std::uint64_t now_ns) noexcept {
    if (now_ns <= last_sweep_ns_) return;
    const std::uint32_t cap = table_.capacity();
    const double owed = static_cast<double>(now_ns - last_sweep_ns_) * cap / static_cast<double>(sweep_ns_);
    if (owed < 1.0) return;
    const std::uint32_t budget = owed >= max_sweep_slice ? max_sweep_slice : static_cast<std::uint32_t>(owed);
    table_.expire(now_ns, budget, *sink_);
    last_sweep_ns_ = owed >= max_sweep_slice
                         ? now_ns
                         : last_sweep_ns_ + static_cast<std::uint64_t>(budget * static_cast<double>(sweep_ns_) / cap);
}

// Interim updates: the whole table once per period, in slices in proportion
// to the time passed (as the sweep), within the per-second flow budget. When
// the budget or the ring stops the walk, the debt carries over (at most one
// period of it): a table too large for the budget is reported at the rate it
// allows, never in a burst.
void worker::report(std::uint64_t now_ns) noexcept {
    if (updates_.ring == nullptr || updates_.period_ns == 0) return;
    if (token_ns_ == 0 || now_ns < token_ns_ || now_ns < last_report_ns_) {
        token_ns_ = last_report_ns_ = now_ns;
        return;
    }
    const double rate = static_cast<double>(updates_.max_per_s);
    tokens_ = std::min(rate, tokens_ + static_cast<double>(now_ns - token_ns_) * rate / 1e9);
    token_ns_ = now_ns;
    const std::uint32_t cap = table_.capacity();
    const double period = static_cast<double>(updates_.period_ns);
    if (now_ns - last_report_ns_ > updates_.period_ns) last_report_ns_ = now_ns - updates_.period_ns;
    const double owed = static_cast<double>(now_ns - last_report_ns_) * cap / period;
    if (owed < 1.0) return;
    const std::uint32_t budget = owed >= max_sweep_slice ? max_sweep_slice : static_cast<std::uint32_t>(owed);
    const std::uint32_t walked = table_.report(budget, *update_feed_);
    last_report_ns_ += static_cast<std::uint64_t>(walked * period / cap);
}

void worker::run(const std::atomic<bool>& stop) noexcept {
    std::array<rte_mbuf*, burst_size> pkts{};
    const tsc_clock clock;
    const std::uint64_t grace_ticks = rte_get_tsc_hz() / 1000 * offline_idle_grace_ms;
    std::uint64_t received = 0;
    std::uint64_t idle_since = 0;
    std::uint64_t polls = 0;
    while (!stop.load(std::memory_order_relaxed)) {
        std::uint16_t got = 0;
        const std::uint64_t now = job_.offline ? 0 : clock.now_ns();
        for (const rx_target& t : job_.targets) {
            const std::uint16_t n = rte_eth_rx_burst(t.port, t.queue, pkts.data(), burst_size);
            if (n == 0) continue;
            process_burst(pkts.data(), n, now);
            got = static_cast<std::uint16_t>(got + n);
        }
        received += got;
        // Flow timeouts follow packet time when replaying a file, wall time live.
        sweep(job_.offline ? last_ts_ns_ : clock.now_ns());
        if (!job_.offline) report(clock.now_ns());
        if ((++polls & 63) == 0 || got == 0) publish();
        if (got != 0) {
            idle_since = 0;
            continue;
        }
        if (!job_.offline) continue;
        // Offline and idle: end of file? (see worker.hpp)
        std::uint64_t lost = 0;
        for (const rx_target& t : job_.targets) {
            rte_eth_stats st{};
            if (rte_eth_stats_get(t.port, &st) == 0) lost += st.rx_nombuf;
        }
        if (received + lost >= job_.expected_packets) break;
        const std::uint64_t tsc = rte_get_tsc_cycles();
        if (idle_since == 0) idle_since = tsc;
        else if (tsc - idle_since > grace_ticks) break;
    }
    // End of a file: one full expiry pass at the capture's last timestamp, so
    // flows already idle by then end as idle_timeout whatever the scan
    // position; the rest end as shutdown.
    if (job_.offline) table_.expire(last_ts_ns_, table_.capacity(), *sink_);
    table_.flush(job_.offline ? last_ts_ns_ : clock.now_ns(), *sink_);
    publish();
}

}  // namespace wireflow::probe
