#include "alert/flow_checks.hpp"

#include <algorithm>
#include <stdexcept>

#include "net/utf8.hpp"
#include "alert/flow_risk_names.hpp"
#include "records/end_reason.hpp"
#include "records/payload_seen.hpp"

namespace wireflow::collector::alert {
namespace {

bool is_local(const local_networks& local, const net::ip_address& ip) { return local.contains(ip); }

boost::json::object flow_details(const flow_record& r, const std::string& probe_id, const local_networks& local) {
    return boost::json::object{
        {"probe_id", probe_id},
        {"flow_id", r.flow_id},
        {"vlan", r.vlan},
        {"protocol", r.protocol},
        {"client_ip", r.client_ip.to_string()},
        {"client_port", r.client_port},
        {"server_ip", r.server_ip.to_string()},
        {"server_port", r.server_port},
        {"client_local", is_local(local, r.client_ip)},
        {"server_local", is_local(local, r.server_ip)},
        {"app", net::sanitize_utf8(r.app_name, 64)},
        {"server_name", net::sanitize_utf8(r.server_name, 256)},
        {"first_seen_ns", r.first_seen_ns},
    };
}

// "address:port" of the server side, for messages.
std::string server_text(const flow_record& r) { return r.server_ip.to_string() + ":" + std::to_string(r.server_port); }

void blacklisted(const flow_batch& b, const flow_record& r, const local_networks& local, std::vector<finding>& out) {
    const std::string client = r.client_ip.to_string();
    if (r.client_blacklist != 0) {
        const std::string lists(b.blacklist_text(r.client_blacklist));
        auto d = flow_details(r, b.id.probe_id, local);
        d["lists"] = lists;
        d["side"] = "client";
        out.push_back(finding{check::blacklisted_contact, "blacklisted_client_contact", "flow", flow_entity(r),
                              "blacklisted client " + client + " (" + lists + ") contacted " +
                                  (is_local(local, r.server_ip) ? "local host " : "host ") + server_text(r),
                              std::move(d)});
    }
    if (r.server_blacklist != 0) {
        const std::string lists(b.blacklist_text(r.server_blacklist));
        auto d = flow_details(r, b.id.probe_id, local);
        d["lists"] = lists;
        d["side"] = "server";
        out.push_back(finding{check::blacklisted_contact, "blacklisted_server_contact", "flow", flow_entity(r),
                              std::string(is_local(local, r.client_ip) ? "local host " : "host ") + client +
                                  " contacted blacklisted server " + server_text(r) + " (" + lists + ")",
                              std::move(d)});
    }
}

// One finding per nDPI risk of the flow that is switched on, each its own
// alert type with its own severity (an operator silences one risk, say
// known_protocol_on_non_standard_port, and keeps the others). A bit this nDPI
// does not know (from a newer probe) is "ndpi_risk_N" at the check's severity.
void risky(const flow_record& r, const std::string& probe_id, const alert_preferences& p, const local_networks& local,
           std::vector<finding>& out) {
    std::string what = "flow " + r.client_ip.to_string() + " -> " + server_text(r);
    if (!r.server_name.empty()) what += " (" + net::sanitize_utf8(r.server_name, 128) + ")";
    for (unsigned bit = 1; bit < risk_bits; ++bit) {
        if (((r.flow_risk >> bit) & 1u) == 0 || !p.risks[bit].enabled) continue;
        const risk_type* t = risk_type_of(bit);
        const std::string type = t ? std::string(t->type) : "ndpi_risk_" + std::to_string(bit);
        const std::string description = t ? std::string(t->description) : "risk " + std::to_string(bit);
        auto d = flow_details(r, probe_id, local);
        d["flow_risk"] = r.flow_risk;
        d["risk"] = description;
        std::optional<severity> level = p.risks[bit].level;
        if (!level && t) level = t->default_level;
        out.push_back(finding{check::flow_risk, type, "flow", flow_entity(r), what + ": " + description, std::move(d),
                              level});
    }
}

// Clear-text logins and file transfer (RFC 854 telnet, RFC 959 FTP, RFC 1350
// TFTP, BSD rexec/rlogin/rsh on TCP 512-514).
const char* insecure_service(const flow_record& r) {
    if (r.protocol == 6) {
        switch (r.server_port) {
        case 21: return "FTP";
        case 23: return "telnet";
        case 512: return "rexec";
        case 513: return "rlogin";
        case 514: return "rsh";
        default: return nullptr;
        }
    }
    if (r.protocol == 17 && r.server_port == 69) return "TFTP";
    return nullptr;
}

void flow_size(const flow_record& r, const std::string& probe_id, const alert_preferences& p,
               const local_networks& local, std::vector<finding>& out) {
    const std::string what = r.client_ip.to_string() + " -> " + server_text(r);
    if (p[check::long_lived_flow].enabled && r.last_seen_ns > r.first_seen_ns) {
        const double seconds = static_cast<double>(r.last_seen_ns - r.first_seen_ns) / 1e9;
        if (seconds >= p[check::long_lived_flow].threshold) {
            auto d = flow_details(r, probe_id, local);
            d["duration_s"] = seconds;
            out.push_back(finding{check::long_lived_flow, "long_lived_flow", "flow", flow_entity(r),
                                  "flow " + what + " open for " + std::to_string(static_cast<long long>(seconds)) +
                                      " s",
                                  std::move(d)});
        }
    }
    const std::uint64_t bytes = r.c2s_bytes + r.s2c_bytes;
    if (p[check::elephant_flow].enabled && static_cast<double>(bytes) >= p[check::elephant_flow].threshold &&
        bytes > 0) {
        auto d = flow_details(r, probe_id, local);
        d["bytes"] = bytes;
        out.push_back(finding{check::elephant_flow, "elephant_flow", "flow", flow_entity(r),
                              "flow " + what + " carried " + std::to_string(bytes) + " bytes", std::move(d)});
    }
}

void insecure(const flow_record& r, const std::string& probe_id, const local_networks& local,
              std::vector<finding>& out) {
    const char* service = insecure_service(r);
    if (!service || is_local(local, r.client_ip) || !is_local(local, r.server_ip)) return;
    auto d = flow_details(r, probe_id, local);
    d["service"] = service;
    out.push_back(finding{check::insecure_protocol, "remote_to_local_insecure_protocol", "flow", flow_entity(r),
                          "remote host " + r.client_ip.to_string() + " reached local host " + r.server_ip.to_string() + " over " +
                              service + " (port " + std::to_string(r.server_port) + ")",
                          std::move(d)});
}

// A TCP connection that completed its handshake and ended without a byte of
// payload either way: a health check, a port probe that completes the
// handshake, or a service that accepts and says nothing (ntopng: "TCP No
// Data Exchanged"). Needs a probe that tracks payload (payload_seen bit 7).
void tcp_no_data(const flow_record& r, const std::string& probe_id, const local_networks& local,
                 std::vector<finding>& out) {
    constexpr std::uint8_t syn = 0x02, ack = 0x10;
    const end_reason reason = r.reason;
    const bool ended = reason == end_reason::tcp_fin || reason == end_reason::tcp_rst ||
                       reason == end_reason::idle_timeout;
    const bool handshake = (r.c2s_tcp_flags & (syn | ack)) == (syn | ack) && (r.s2c_tcp_flags & (syn | ack)) == (syn | ack);
    const bool tracked = (r.payload_seen & payload_seen::tracked) != 0;
    const bool data = (r.payload_seen & (payload_seen::client | payload_seen::server)) != 0;
    if (r.protocol != 6 || !ended || !handshake || !tracked || data) return;
    auto d = flow_details(r, probe_id, local);
    d["packets"] = r.c2s_packets + r.s2c_packets;
    out.push_back(finding{check::tcp_no_data, "tcp_no_data", "flow", flow_entity(r),
                          "TCP connection " + r.client_ip.to_string() + " -> " + server_text(r) +
                              " ended without data (" + std::to_string(r.c2s_packets + r.s2c_packets) + " packets)",
                          std::move(d)});
}

}  // namespace

bool known_devices::learn(const net::mac_address& mac) {
    std::uint64_t key = 0;
    for (const auto b : mac.bytes) key = key << 8 | b;
    if (macs_.size() >= max_macs || macs_.count(key)) return false;
    macs_.insert(key);
    return true;
}

std::string flow_entity(const flow_record& r) {
    std::string s = r.client_ip.to_string();
    s += " -> ";
    s += r.server_ip.to_string();
    if (r.vlan != 0) {
        s += " @";
        s += std::to_string(r.vlan);
    }
    return s;
}

std::vector<finding> flow_findings(const flow_batch& b, const flow_record& r, const alert_preferences& p,
                                   const local_networks& local, known_devices& devices) {
    const std::string& probe_id = b.id.probe_id;
    std::vector<finding> out;
    if (p[check::blacklisted_contact].enabled) blacklisted(b, r, local, out);
    if (r.flow_risk != 0 && p[check::flow_risk].enabled) risky(r, probe_id, p, local, out);
    flow_size(r, probe_id, p, local, out);
    if (p[check::insecure_protocol].enabled && !local.empty()) insecure(r, probe_id, local, out);
    if (p[check::tcp_no_data].enabled) tcp_no_data(r, probe_id, local, out);
    if (p[check::new_device].enabled && !local.empty()) {
        const auto seen_mac = [&](const net::ip_address& address, const std::optional<net::mac_address>& m) {
            if (!m || !is_local(local, address) || !devices.learn(*m)) return;
            const std::string mac = m->to_string(), ip = address.to_string();
            out.push_back(finding{check::new_device, "new_device", "device", mac,
                                  "new device " + mac + " on the local network (" + ip + ")",
                                  boost::json::object{{"mac", mac}, {"ip", ip}, {"vlan", r.vlan}, {"probe_id", probe_id}}});
        };
        seen_mac(r.client_ip, r.client_mac);
        seen_mac(r.server_ip, r.server_mac);
    }
    return out;
}

}  // namespace wireflow::collector::alert
