#include "alert/network_checks.hpp"

#include "alert/alert_window.hpp"

namespace wireflow::collector::alert {
namespace {

bool unspecified(const net::ip_address& a) {
    for (const auto b : a.octets())
        if (b != 0) return false;
    return true;
}

constexpr std::uint8_t udp = 17, tcp = 6;

bool is_local(const local_networks& local, const net::ip_address& ip) { return local.contains(ip); }

bool allowed(const std::vector<net::ip_prefix>& list, const net::ip_address& ip) {
    for (const auto& p : list)
        if (p.contains(ip)) return true;
    return false;
}

// The side of a flow that answered as a server of `s`, when one did.
struct answering {
    service what{};
    const net::ip_address* ip{nullptr};
    std::uint16_t port{0};
};

std::optional<answering> answering_server(const flow_record& r) noexcept {
    const auto as_server = [&](std::uint16_t port) -> std::optional<service> {
        if (port == 53 && (r.protocol == udp || r.protocol == tcp)) return service::dns;
        if (port == 123 && r.protocol == udp) return service::ntp;
        if ((port == 25 || port == 465 || port == 587) && r.protocol == tcp) return service::smtp;
        if (port == 67 && r.protocol == udp) return service::dhcp;
        return std::nullopt;
    };
    if (const auto s = as_server(r.server_port); s && r.s2c_packets > 0)
        return answering{*s, &r.server_ip, r.server_port};
    // DHCP offers go from port 67 to port 68, both below 1024: the flow table
    // may take the server's side as the client (the first sender).
    if (r.protocol == udp && r.client_port == 67 && r.server_port == 68 && r.c2s_packets > 0)
        return answering{service::dhcp, &r.client_ip, r.client_port};
    return std::nullopt;
}

void unexpected_server(const flow_record& r, const std::string& probe_id, const alert_preferences& p,
                       const local_networks& local, std::vector<finding>& out) {
    const auto a = answering_server(r);
    if (!a) return;
    const auto& list = p.servers[a->what];
    if (list.empty()) return;   // the operator named no server for it: not checked
    // Broadcast and unspecified addresses are no servers (DHCP discovery).
    static const net::ip_address broadcast = *net::ip_address::parse("255.255.255.255");
    if (*a->ip == broadcast || unspecified(*a->ip)) return;
    // DNS, NTP, SMTP: what local clients use; DHCP: whoever answers on the LAN.
    if (a->what != service::dhcp && !local.empty() && !is_local(local, r.client_ip)) return;
    if (allowed(list, *a->ip)) return;
    const std::string name(to_string(a->what));
    std::string type = "unexpected_" + name + "_server";
    std::string upper = name;
    for (auto& c : upper) c = static_cast<char>(c - 'a' + 'A');
    const std::string server = a->ip->to_string();
    const std::string client = (a->ip == &r.server_ip ? r.client_ip : r.server_ip).to_string();
    out.push_back(finding{check::unexpected_server, std::move(type), "host", host_id(*a->ip, r.vlan),
                          upper + " server " + server + " (port " + std::to_string(a->port) +
                              ") is not on the allowed list; it answered " +
                              client,
                          boost::json::object{{"service", name},
                                              {"server", server},
                                              {"port", a->port},
                                              {"client", client},
                                              {"vlan", r.vlan},
                                              {"probe_id", probe_id}}});
}

// Group (multicast, broadcast) MACs name no host: the I/G bit of the first byte.
bool group_mac(const net::mac_address& mac) { return (mac.bytes[0] & 1u) != 0; }

void ip_mac(const flow_record& r, const std::string& probe_id, const local_networks& local,
            address_bindings& bindings, std::vector<finding>& out) {
    const auto side = [&](const net::ip_address& ip, const std::optional<net::mac_address>& mac) {
        if (!mac || mac->is_zero() || group_mac(*mac) || !is_local(local, ip)) return;
        const auto before = bindings.learn(probe_id, r.vlan, ip, *mac);
        if (!before) return;
        const std::string address = ip.to_string(), now = mac->to_string(), was = before->to_string();
        out.push_back(finding{check::ip_mac_change, "ip_mac_change", "host", host_id(ip, r.vlan),
                              "local address " + address + " moved from MAC " + was + " to " + now,
                              boost::json::object{{"ip", address},
                                                  {"vlan", r.vlan},
                                                  {"previous_mac", was},
                                                  {"mac", now},
                                                  {"probe_id", probe_id}}});
    };
    side(r.client_ip, r.client_mac);
    side(r.server_ip, r.server_mac);
}

}  // namespace

std::optional<net::mac_address> address_bindings::learn(std::string_view probe_id, std::uint16_t vlan,
                                                        const net::ip_address& ip, const net::mac_address& mac) {
    std::string key(probe_id);
    key += '|';
    key += std::to_string(vlan);
    key += '|';
    key += ip.is_v4() ? '4' : '6';
    key.append(reinterpret_cast<const char*>(ip.bytes.data()), ip.bytes.size());
    const auto it = macs_.find(key);
    if (it == macs_.end()) {
        if (macs_.size() < max_entries) macs_.emplace(std::move(key), mac);
        return std::nullopt;
    }
    if (it->second == mac) return std::nullopt;
    const net::mac_address before = it->second;
    it->second = mac;
    return before;
}

std::vector<finding> network_findings(const flow_record& r, const std::string& probe_id, const alert_preferences& p,
                                      const local_networks& local, address_bindings& bindings) {
    std::vector<finding> out;
    if (p[check::unexpected_server].enabled) unexpected_server(r, probe_id, p, local, out);
    if (p[check::ip_mac_change].enabled && !local.empty()) ip_mac(r, probe_id, local, bindings, out);
    return out;
}

}  // namespace wireflow::collector::alert
