#include "probes_view.hpp"

#include <algorithm>

namespace wireflow::collector::app {
namespace {
std::uint64_t ns_of(std::chrono::system_clock::time_point t) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}
}  // namespace

void probes_view::on_stored(const flow_batch& b) {
    std::lock_guard lock(mutex_);
    auto it = sequences_.find(b.id.probe_id);
    if (it == sequences_.end()) it = sequences_.emplace(b.id.probe_id, sequences{}).first;
    auto& s = it->second;
    if (s.boot_id != b.id.boot_id) s = {b.id.boot_id, 0, 0};  // a new run numbers from 1 again
    s.highest = std::max(s.highest, b.id.sequence);
    ++s.stored;
}

void probes_view::observe(std::chrono::system_clock::time_point now) {
    const auto snapshot = registry_.snapshot();
    std::lock_guard lock(mutex_);
    for (const auto& st : snapshot) {
        auto it = seen_.find(st.probe_id);
        if (it == seen_.end()) it = seen_.emplace(st.probe_id, seen{}).first;
        auto& s = it->second;
        if (s.received_ns != 0 && s.boot_id == st.boot_id && s.time_ns == st.time_ns) continue;
        s.prev_time_ns = s.boot_id == st.boot_id ? s.time_ns : 0;
        s.boot_id = st.boot_id;
        s.time_ns = st.time_ns;
        s.received_ns = ns_of(now);
    }
}

std::vector<probe_view> probes_view::list(std::chrono::system_clock::time_point now) const {
    auto snapshot = registry_.snapshot();
    std::sort(snapshot.begin(), snapshot.end(), [](const auto& a, const auto& b) { return a.probe_id < b.probe_id; });
    std::lock_guard lock(mutex_);
    std::vector<probe_view> out;
    for (const auto& st : snapshot) {
        probe_view v;
        v.probe_id = st.probe_id;
        v.boot_id = st.boot_id;
        v.uptime_ns = st.uptime_ns;
        for (const auto& p : st.ports) {
            probe_port_view pv{p.port_id, p.name, p.rx_packets, p.rx_bytes, p.imissed + p.rx_nombuf + p.ierrors};
            v.packets += pv.rx_packets;
            v.bytes += pv.rx_bytes;
            v.nic_drops += pv.nic_drops;
            v.ports.push_back(std::move(pv));
        }
        v.export_drops = st.export_drops;
        v.batches_pending = st.batches_pending;
        for (const auto& w : st.workers) {
            v.export_drops += w.ring_full_drops;
            v.flows_active += w.flows_active;
        }
        if (const auto s = seen_.find(st.probe_id); s != seen_.end()) {
            v.last_seen_ns = s->second.received_ns;
            if (s->second.prev_time_ns && s->second.time_ns > s->second.prev_time_ns)
                v.stats_interval_ns = s->second.time_ns - s->second.prev_time_ns;
            const std::uint64_t floor_ns =
                static_cast<std::uint64_t>(std::chrono::nanoseconds(min_down_after).count());
            const std::uint64_t down_after = std::max(floor_ns, 3 * v.stats_interval_ns);
            const std::uint64_t t = ns_of(now);
            v.up = v.last_seen_ns != 0 && (t < v.last_seen_ns || t - v.last_seen_ns <= down_after);
        }
        if (const auto q = sequences_.find(st.probe_id); q != sequences_.end() && q->second.boot_id == st.boot_id) {
            v.batches_stored = q->second.stored;
            v.sequence_gaps = q->second.highest > q->second.stored ? q->second.highest - q->second.stored : 0;
        }
        out.push_back(std::move(v));
    }
    return out;
}

}  // namespace wireflow::collector::app
