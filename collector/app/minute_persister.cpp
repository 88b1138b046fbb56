#include "minute_persister.hpp"

namespace wireflow::collector::app {
namespace {

std::uint64_t ns_of(std::chrono::system_clock::time_point t) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

std::uint64_t delta(std::uint64_t now, std::uint64_t before) { return now >= before ? now - before : now; }

}  // namespace

void minute_persister::add_probe_samples(std::int64_t minute_s) {
    for (const auto& st : probes_.snapshot()) {
        probe_counters c;
        c.boot_id = st.boot_id;
        for (const auto& p : st.ports) {
            const std::uint64_t drops = p.imissed + p.rx_nombuf + p.ierrors;
            c.bytes += p.rx_bytes;
            c.packets += p.rx_packets;
            c.drops += drops;
            c.ports[p.port_id] = {p.rx_bytes, p.rx_packets, drops};
        }
        c.drops += st.export_drops;
        for (const auto& w : st.workers) {
            c.flows += w.flows_created;
            c.drops += w.ring_full_drops;
        }
        auto it = probe_last_.find(st.probe_id);
        if (it == probe_last_.end()) {
            // First report seen by this collector run: a baseline only, else
            // the probe's whole history would land in this one minute.
            probe_last_.emplace(st.probe_id, std::move(c));
            continue;
        }
        probe_counters& last = it->second;
        const bool new_run = last.boot_id != c.boot_id;  // counters restarted from zero
        const auto add = [&](const std::string& scope, const std::string& id, const char* metric, std::uint64_t now,
                             std::uint64_t before) {
            pending_samples_.push_back(
                {metric, scope, id, minute_s, static_cast<double>(new_run ? now : delta(now, before))});
        };
        add("probe", st.probe_id, "bytes", c.bytes, last.bytes);
        add("probe", st.probe_id, "packets", c.packets, last.packets);
        add("probe", st.probe_id, "flows", c.flows, last.flows);
        add("probe", st.probe_id, "drops", c.drops, last.drops);
        for (const auto& [port, v] : c.ports) {
            const auto before = last.ports.find(port);
            const std::array<std::uint64_t, 3> zero{};
            const auto& b = before == last.ports.end() ? zero : before->second;
            const std::string id = st.probe_id + "/" + std::to_string(port);
            add("interface", id, "bytes", v[0], b[0]);
            add("interface", id, "packets", v[1], b[1]);
            add("interface", id, "drops", v[2], b[2]);
        }
        last = std::move(c);
    }
}

bool minute_persister::persist(std::chrono::system_clock::time_point now) {
    const std::uint64_t now_ns = ns_of(now);
    const auto minute_s = static_cast<std::int64_t>(now_ns / aggregate::ns_per_s / 60 * 60);
    const auto drain = live_.drain_minute(now_ns);

    std::uint64_t bytes = 0, packets = 0, flows = 0;
    const auto sample = [&](const char* metric, const char* scope, const std::string& id, std::uint64_t v) {
        pending_samples_.push_back({metric, scope, id, minute_s, static_cast<double>(v)});
    };
    for (const auto& h : drain.hosts) {
        const std::string ip = h.ip.to_string();
        const std::string id = ip + "@" + std::to_string(h.vlan);
        const auto& c = h.counters;
        sample("bytes_sent", "host", id, c.bytes_sent);
        sample("bytes_rcvd", "host", id, c.bytes_rcvd);
        sample("packets_sent", "host", id, c.packets_sent);
        sample("packets_rcvd", "host", id, c.packets_rcvd);
        sample("flows", "host", id, c.flows);

        auto& u = pending_hosts_[{ip, h.vlan}];
        if (u.ip.empty()) {
            u.ip = ip;
            u.vlan = h.vlan;
            u.local = true;  // drain_minute reports local hosts only
            u.first_seen_ns = drain.start_ns;
        }
        u.bytes_sent += c.bytes_sent;
        u.bytes_rcvd += c.bytes_rcvd;
        u.packets_sent += c.packets_sent;
        u.packets_rcvd += c.packets_rcvd;
        u.last_seen_ns = std::max(u.last_seen_ns, drain.end_ns);
        if (const auto v = live_.host(h.ip, h.vlan)) {
            if (v->mac) u.mac = v->mac->to_string();
            if (!v->name.empty()) u.name = v->name;
            u.first_seen_ns = v->first_seen_ns;
            u.last_seen_ns = v->last_seen_ns;
            u.flows_client = v->flows_client;
            u.flows_server = v->flows_server;
        }
    }
    for (const auto& p : drain.pools) {
        const std::string id = std::to_string(p.pool);
        const auto& c = p.counters;
        sample("bytes_sent", "pool", id, c.bytes_sent);
        sample("bytes_rcvd", "pool", id, c.bytes_rcvd);
        sample("packets_sent", "pool", id, c.packets_sent);
        sample("packets_rcvd", "pool", id, c.packets_rcvd);
        sample("flows", "pool", id, c.flows);
    }
    for (const auto& a : drain.apps) {
        sample("bytes", "app", a.app, a.bytes);
        sample("packets", "app", a.app, a.packets);
        sample("flows", "app", a.app, a.flows);
        bytes += a.bytes;
        packets += a.packets;
        flows += a.flows;
    }
    // Every flow record is attributed to exactly one application, so the
    // application sums are the global traffic.
    sample("bytes", "global", "", bytes);
    sample("packets", "global", "", packets);
    sample("flows", "global", "", flows);
    sample("hosts", "global", "", live_.hosts());
    add_probe_samples(minute_s);

    try {
        if (!pending_hosts_.empty()) {
            std::vector<host_update> rows;
            rows.reserve(pending_hosts_.size());
            for (auto& [k, u] : pending_hosts_) rows.push_back(u);
            hosts_.upsert(rows);
            pending_hosts_.clear();
        }
        series_.write(pending_samples_);
        pending_samples_.clear();
        ++writes_;
        return true;
    } catch (const store_error&) {
        // Kept: the next persist() adds to them and retries. Host rows merge
        // by host; samples are per minute, so a long outage keeps only the
        // newest max_pending_samples (older ones are counted as dropped).
        ++failures_;
        if (pending_samples_.size() > max_pending_samples) {
            const auto excess = pending_samples_.size() - max_pending_samples;
            samples_dropped_ += excess;
            pending_samples_.erase(pending_samples_.begin(), pending_samples_.begin() + static_cast<std::ptrdiff_t>(excess));
        }
        return false;
    }
}

std::uint64_t minute_persister::maybe_rollup(std::chrono::system_clock::time_point now) {
    if (last_rollup_.time_since_epoch().count() != 0 && now - last_rollup_ < std::chrono::hours(1)) return 0;
    const auto cutoff = now - std::chrono::hours(24) * rollup_days_;
    const auto moved =
        series_.rollup_before(std::chrono::duration_cast<std::chrono::seconds>(cutoff.time_since_epoch()).count());
    last_rollup_ = now;
    return moved;
}

}  // namespace wireflow::collector::app
