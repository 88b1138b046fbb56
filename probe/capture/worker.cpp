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
#include "export/record_ring.hpp"

namespace wireflow::probe {

namespace {

constexpr std::uint16_t burst_size = 32;
constexpr unsigned prefetch_ahead = 3;
constexpr std::uint32_t expire_budget = 256;   // slots scanned per poll: keeps one poll short

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
            if (final) {
                w_.dpi_->release(slot);
                ended_slot = slot;
            }
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
    // Slot of the last flow ended while account() ran (e.g. TCP RST of the
    // packet's own flow): that packet must not reopen DPI state for it,
    // unless the slot was reused for a new flow (eviction when full).
    std::uint32_t ended_slot{UINT32_MAX};
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

worker::worker(std::uint16_t index, const flow_table_config& table, record_ring& ring, dpi_engine* dpi)
    : index_(index), table_(table), ring_(ring), dpi_(dpi), sink_(std::make_unique<sink>(*this)),
      scratch_(65536) {}

worker::~worker() = default;

void worker::assign(worker_job job) { job_ = std::move(job); }

void worker::publish() noexcept {
    const auto& c = table_.counters();
    counters_.flows_created.store(c.flows_created, std::memory_order_relaxed);
    counters_.evictions.store(c.evictions, std::memory_order_relaxed);
    counters_.flows_active.store(table_.active(), std::memory_order_relaxed);
}

void worker::process_burst(rte_mbuf** pkts, std::uint16_t n, std::uint64_t now_ns) noexcept {
    for (unsigned i = 0; i < std::min<unsigned>(prefetch_ahead, n); ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
    std::uint64_t bytes = 0;
    for (std::uint16_t i = 0; i < n; ++i) {
        if (i + prefetch_ahead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + prefetch_ahead], void*));
        rte_mbuf* m = pkts[i];
        std::uint64_t ts = now_ns;
        if (job_.timestamp_flag != 0 && (m->ol_flags & job_.timestamp_flag) != 0)
            ts = *RTE_MBUF_DYNFIELD(m, job_.timestamp_offset, std::uint64_t*) * job_.timestamp_unit_ns;
        last_ts_ns_ = ts;

        // Linearise chained mbufs by walking the segments' own lengths, not
        // pkt_len: net_pcap's jumbo path can leave pkt_len larger than the data.
        std::span<const std::byte> frame;
        if (m->nb_segs == 1) {
            frame = {rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
        } else {
            std::size_t len = 0;
            for (const rte_mbuf* s = m; s != nullptr && len < scratch_.size(); s = s->next) {
                const std::size_t take = std::min<std::size_t>(s->data_len, scratch_.size() - len);
                std::memcpy(scratch_.data() + len, rte_pktmbuf_mtod(s, const std::byte*), take);
                len += take;
            }
            frame = {scratch_.data(), len};
        }
        bytes += frame.size();

        const packet_summary s = dissect(job_.link, frame);
        bump(counters_.by_status[static_cast<std::size_t>(s.status)]);
        if (s.status == parse_status::ok) [[likely]] {
            sink_->ended_slot = UINT32_MAX;
            const flow_hit hit = table_.account(s, ts, *sink_);
            if (dpi_ != nullptr && (hit.created || sink_->ended_slot != hit.slot) && s.l3_offset < frame.size()) {
                const std::size_t l3_len = std::min<std::size_t>({frame.size() - s.l3_offset, s.l3_bytes, 65535});
                dpi_->process(hit.slot, reinterpret_cast<const std::uint8_t*>(frame.data() + s.l3_offset),
                              static_cast<std::uint16_t>(l3_len), ts, hit.from_client, hit.created);
            }
        }
        rte_pktmbuf_free(m);
    }
    bump(counters_.packets, n);
    bump(counters_.bytes, bytes);
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
        table_.expire(job_.offline ? last_ts_ns_ : clock.now_ns(), expire_budget, *sink_);
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
