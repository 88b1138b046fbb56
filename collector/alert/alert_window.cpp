#include "alert/alert_window.hpp"


namespace wireflow::collector::alert {
namespace {

constexpr std::uint8_t tcp_syn = 0x02, tcp_rst = 0x04;

}  // namespace

bool refused_tcp(const flow_record& r) noexcept {
    if (r.protocol != 6 || (r.c2s_tcp_flags & tcp_syn) == 0) return false;
    return r.s2c_packets == 0 || (r.s2c_tcp_flags & tcp_rst) != 0 ||
           ((r.c2s_tcp_flags & tcp_rst) != 0 && r.c2s_packets <= 2);
}

bool unanswered(const flow_record& r) noexcept {
    if (r.protocol == 6) return refused_tcp(r);
    return r.s2c_packets == 0;
}

bool is_icmp(const flow_record& r) noexcept { return r.protocol == 1 || r.protocol == 58; }

std::string host_id(const net::ip_address& ip, std::uint32_t vlan) {
    std::string s = ip.to_string();
    s += '@';
    s += std::to_string(vlan);
    return s;
}

host_window* alert_window::host(const net::ip_address& ip, std::uint16_t vlan,
                                const std::optional<net::mac_address>& mac) {
    const window_key key{ip, 0, vlan};
    auto it = hosts_.find(key);
    if (it == hosts_.end()) {
        if (hosts_.size() >= max_hosts_) return nullptr;
        it = hosts_.emplace(key, host_window{}).first;
        it->second.ip = ip;
        it->second.vlan = vlan;
    }
    if (mac) it->second.mac = mac;
    return &it->second;
}

const host_window* alert_window::find(const net::ip_address& ip, std::uint16_t vlan) const {
    const auto it = hosts_.find(window_key{ip, 0, vlan});
    return it == hosts_.end() ? nullptr : &it->second;
}

std::size_t alert_window::count(const flow_record& r, const window_caps& caps) {
    host_window* c = host(r.client_ip, r.vlan, r.client_mac);
    host_window* s = host(r.server_ip, r.vlan, r.server_mac);
    const std::uint64_t bytes = r.c2s_bytes + r.s2c_bytes;
    // A flow exported at its active timeout continues: not a new flow.
    const bool new_flow = ends_flow(r.reason);
    const std::uint64_t packets = r.c2s_packets + r.s2c_packets;
    if (c) {
        c->bytes += bytes;
        c->packets += packets;
        if (new_flow) ++c->flows_out;
        if (is_icmp(r)) c->icmp_out += r.c2s_packets;
    }
    if (s) {
        s->bytes += bytes;
        s->packets += packets;
        if (new_flow) ++s->flows_in;
        if (is_icmp(r)) s->icmp_in += r.c2s_packets;
    }
    if (refused_tcp(r)) {
        if (c) c->syn_out += r.c2s_packets;
        if (s) s->syn_in += r.c2s_packets;
        const std::uint64_t dst = hash_bytes(r.server_ip.bytes.data(), r.server_ip.bytes.size());
        if (c) c->syn_ports_out.add(dst * 65537u + r.server_port, caps.syn_ports);
        if (s) s->syn_ports_in.add(r.server_port, caps.syn_ports);
    }
    if (r.server_port == 53 && (r.protocol == 17 || r.protocol == 6)) {
        if (c) c->dns_out += r.c2s_packets;
        if (s) s->dns_in += r.c2s_packets;
    }
    if (c && unanswered(r)) c->hosts_out.add(hash_bytes(r.server_ip.bytes.data(), r.server_ip.bytes.size()), caps.hosts);
    return (c ? 0 : 1) + (s ? 0 : 1);
}

void alert_window::count(const probe_health& p) {
    auto& w = probes_[p.probe_id];
    if (w.have_totals && w.boot_id == p.boot_id) {
        const auto delta = [](std::uint64_t now_v, std::uint64_t before) {
            return now_v >= before ? now_v - before : now_v;   // a counter reset counts from 0
        };
        w.packets += delta(p.packets, w.last.packets);
        w.nic_drops += delta(p.nic_drops, w.last.nic_drops);
        w.export_drops += delta(p.export_drops, w.last.export_drops);
        w.gaps += delta(p.sequence_gaps, w.last.sequence_gaps);
    }
    w.pending_now = p.batches_pending;
    w.have_totals = true;
    w.boot_id = p.boot_id;
    w.last = p;
}

void alert_window::reset() {
    hosts_.clear();
    for (auto& [id, p] : probes_) {
        p.packets = p.nic_drops = p.export_drops = p.gaps = 0;
        p.pending_before = p.pending_now;
    }
}

}  // namespace wireflow::collector::alert
