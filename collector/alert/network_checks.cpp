#include "alert/network_checks.hpp"

#include "alert/alert_window.hpp"

namespace wireflow::collector::alert {
namespace {

constexpr std::uint8_t udp = 17, tcp = 6;

bool is_local(const local_networks& local, std::string_view ip) {
    const auto a = net::ip_address::parse(ip);
    return a && local.contains(*a);
}

bool allowed(const std::vector<net::ip_prefix>& list, std::string_view ip) {
    const auto a = net::ip_address::parse(ip);
    if (!a) return true;   // nothing to judge
    for (const auto& p : list)
        if (p.contains(*a)) return true;
    return false;
}

// The side of a flow that answered as a server of `s`, when one did.
struct answering {
    service what{};
    std::string_view ip;
    std::uint16_t port{0};
};

std::optional<answering> answering_server(const flow_row& r) noexcept {
    const auto as_server = [&](std::uint16_t port) -> std::optional<service> {
        if (port == 53 && (r.protocol == udp || r.protocol == tcp)) return service::dns;
        if (port == 123 && r.protocol == udp) return service::ntp;
        if ((port == 25 || port == 465 || port == 587) && r.protocol == tcp) return service::smtp;
        if (port == 67 && r.protocol == udp) return service::dhcp;
        return std::nullopt;
    };
    if (const auto s = as_server(r.server_port); s && r.s2c_packets > 0)
        return answering{*s, r.server_ip, r.server_port};
    // DHCP offers go from port 67 to port 68, both below 1024: the flow table
    // may take the server's side as the client (the first sender).
    if (r.protocol == udp && r.client_port == 67 && r.server_port == 68 && r.c2s_packets > 0)
        return answering{service::dhcp, r.client_ip, r.client_port};
    return std::nullopt;
}

void unexpected_server(const flow_row& r, const std::string& probe_id, const alert_preferences& p,
                       const local_networks& local, std::vector<finding>& out) {
    const auto a = answering_server(r);
    if (!a) return;
    const auto& list = p.servers[a->what];
    if (list.empty()) return;   // the operator named no server for it: not checked
    // Broadcast and unspecified addresses are no servers (DHCP discovery).
    if (a->ip == "255.255.255.255" || a->ip == "0.0.0.0" || a->ip == "::") return;
    // DNS, NTP, SMTP: what local clients use; DHCP: whoever answers on the LAN.
    if (a->what != service::dhcp && !local.empty() && !is_local(local, r.client_ip)) return;
    if (allowed(list, a->ip)) return;
    const std::string name(to_string(a->what));
    std::string type = "unexpected_" + name + "_server";
    std::string upper = name;
    for (auto& c : upper) c = static_cast<char>(c - 'a' + 'A');
    const std::string server(a->ip);
    out.push_back(finding{check::unexpected_server, std::move(type), "host", host_id(server, r.vlan),
                          upper + " server " + server + " (port " + std::to_string(a->port) +
                              ") is not on the allowed list; it answered " +
                              (a->ip == r.server_ip ? r.client_ip : r.server_ip),
                          boost::json::object{{"service", name},
                                              {"server", server},
                                              {"port", a->port},
                                              {"client", a->ip == r.server_ip ? r.client_ip : r.server_ip},
                                              {"vlan", r.vlan},
                                              {"probe_id", probe_id}}});
}

// Group (multicast, broadcast) MACs name no host.
bool group_mac(std::string_view mac) {
    if (mac.size() < 2) return true;
    const auto hex = [](char c) { return c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0'; };
    return (hex(mac[1]) & 1) != 0;
}

void ip_mac(const flow_row& r, const std::string& probe_id, const local_networks& local, address_bindings& bindings,
            std::vector<finding>& out) {
    const auto side = [&](const std::string& ip, const std::string& mac) {
        if (mac.empty() || group_mac(mac) || !is_local(local, ip)) return;
        const auto before = bindings.learn(probe_id, r.vlan, ip, mac);
        if (!before) return;
        out.push_back(finding{check::ip_mac_change, "ip_mac_change", "host", host_id(ip, r.vlan),
                              "local address " + ip + " moved from MAC " + *before + " to " + mac,
                              boost::json::object{{"ip", ip},
                                                  {"vlan", r.vlan},
                                                  {"previous_mac", *before},
                                                  {"mac", mac},
                                                  {"probe_id", probe_id}}});
    };
    side(r.client_ip, r.client_mac);
    side(r.server_ip, r.server_mac);
}

}  // namespace

std::optional<std::string> address_bindings::learn(std::string_view probe_id, std::uint16_t vlan,
                                                   std::string_view ip, std::string_view mac) {
    std::string key(probe_id);
    key += '|';
    key += std::to_string(vlan);
    key += '|';
    key += ip;
    const auto it = macs_.find(key);
    if (it == macs_.end()) {
        if (macs_.size() < max_entries) macs_.emplace(std::move(key), std::string(mac));
        return std::nullopt;
    }
    if (it->second == mac) return std::nullopt;
    std::string before = std::move(it->second);
    it->second = std::string(mac);
    return before;
}

std::vector<finding> network_findings(const flow_row& r, const std::string& probe_id, const alert_preferences& p,
                                      const local_networks& local, address_bindings& bindings) {
    std::vector<finding> out;
    if (p[check::unexpected_server].enabled) unexpected_server(r, probe_id, p, local, out);
    if (p[check::ip_mac_change].enabled && !local.empty()) ip_mac(r, probe_id, local, bindings, out);
    return out;
}

}  // namespace wireflow::collector::alert
