#include "record_maker.hpp"

#include <array>
#include <string>

namespace wireflow::bench {

namespace {

struct service {
    std::uint32_t protocol;
    std::uint32_t port;
    std::uint32_t app_protocol;     // nDPI ids (ndpi_protocol_ids.h, nDPI 4.2)
    std::uint32_t master_protocol;
    const char* app_name;
    const char* category;
    std::uint32_t weight;           // share of flows, out of the sum
};

// Roughly an office uplink: mostly TLS and DNS, some QUIC, HTTP, mail, SSH, ICMP.
constexpr std::array<service, 10> services{{
    {6, 443, 126, 91, "TLS.Google", "Web", 30},
    {6, 443, 124, 91, "TLS.YouTube", "Media", 10},
    {6, 443, 91, 0, "TLS", "Web", 15},
    {17, 53, 5, 0, "DNS", "Network", 20},
    {17, 443, 188, 0, "QUIC", "Web", 8},
    {6, 80, 7, 0, "HTTP", "Web", 7},
    {6, 993, 51, 91, "IMAPS", "Email", 3},
    {6, 22, 92, 0, "SSH", "RemoteAccess", 2},
    {17, 123, 9, 0, "NTP", "System", 3},
    {1, 0, 81, 0, "ICMP", "Network", 2},
}};

constexpr std::array<const char*, 8> names{{"www.google.com", "i.ytimg.com", "mail.example.org", "cdn.example.net",
                                            "api.github.com", "caf\xc3\xa9.example.fr", "update.example.com", ""}};

constexpr std::uint32_t total_weight() {
    std::uint32_t w = 0;
    for (const auto& s : services) w += s.weight;
    return w;
}

std::string ipv4(std::uint32_t a) {
    return std::string{static_cast<char>(a >> 24), static_cast<char>(a >> 16), static_cast<char>(a >> 8),
                       static_cast<char>(a)};
}

}  // namespace

record_maker::record_maker(std::uint64_t seed, std::uint32_t hosts) : rng_(seed), hosts_(hosts ? hosts : 1) {}

// A tenth of the hosts make half of the flows: the top-hosts page has leaders.
std::uint32_t record_maker::pick_client() {
    const std::uint32_t busy = hosts_ / 10 ? hosts_ / 10 : 1;
    if (rng_() & 1) return static_cast<std::uint32_t>(rng_() % busy);
    return static_cast<std::uint32_t>(rng_() % hosts_);
}

void record_maker::fill(wireflow::v1::FlowRecord& r, std::uint64_t flow_id, std::uint64_t now_ns) {
    std::uint32_t w = static_cast<std::uint32_t>(rng_() % total_weight());
    const service* s = &services[0];
    for (const auto& c : services) {
        if (w < c.weight) {
            s = &c;
            break;
        }
        w -= c.weight;
    }
    const std::uint32_t client = pick_client();
    const bool v6 = rng_() % 10 == 0;
    r.set_flow_id(flow_id);
    r.set_vlan(client % 4 == 0 ? 10 : 0);
    r.set_protocol(s->protocol);
    if (v6) {
        r.set_ip_version(6);
        std::string c("\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00", 12);
        c += ipv4(client);
        std::string sv("\x20\x01\x48\x60\x48\x60\x00\x00\x00\x00\x00\x00", 12);
        sv += ipv4(static_cast<std::uint32_t>(rng_() % 2000));
        r.set_client_ip(c);
        r.set_server_ip(sv);
    } else {
        r.set_ip_version(4);
        r.set_client_ip(ipv4((10u << 24) | (client & 0xffffff)));
        // 5,000 servers in a public-looking range, skewed like the clients.
        const std::uint32_t server = (rng_() & 1) ? static_cast<std::uint32_t>(rng_() % 50)
                                                  : static_cast<std::uint32_t>(rng_() % 5000);
        r.set_server_ip(ipv4((198u << 24) | (51u << 16) | server));
    }
    const bool icmp = s->protocol == 1;
    r.set_client_port(icmp ? 8 << 8 : 32768 + static_cast<std::uint32_t>(rng_() % 28000));
    r.set_server_port(icmp ? static_cast<std::uint32_t>(rng_() % 65536) : s->port);
    // Ended within the last second, lasted up to two minutes.
    const std::uint64_t last = now_ns - rng_() % 1'000'000'000ull;
    const std::uint64_t first = last - rng_() % 120'000'000'000ull;
    r.set_first_seen_ns(first);
    r.set_last_seen_ns(last);
    const std::uint64_t c2s = 1 + rng_() % 40, s2c = rng_() % 60;
    r.set_c2s_packets(c2s);
    r.set_c2s_bytes(c2s * (60 + rng_() % 600));
    r.set_s2c_packets(s2c);
    r.set_s2c_bytes(s2c * (60 + rng_() % 1400));
    const bool tcp = s->protocol == 6;
    r.set_c2s_tcp_flags(tcp ? 0x1b : 0);
    r.set_s2c_tcp_flags(tcp && s2c ? 0x1b : 0);
    r.set_end_reason(tcp ? wireflow::v1::END_REASON_TCP_FIN : wireflow::v1::END_REASON_IDLE_TIMEOUT);
    if (!v6) r.set_client_mac(std::string("\x02\x00", 2) + ipv4(client));
    r.set_server_mac(std::string("\x02\x00\x5e\x00\x00\x01", 6));  // the gateway
    r.set_worker(static_cast<std::uint32_t>(flow_id % 4));
    r.set_app_protocol(s->app_protocol);
    r.set_master_protocol(s->master_protocol);
    r.set_app_name(s->app_name);
    r.set_app_category(s->category);
    r.set_server_name(names[rng_() % names.size()]);
    r.set_flow_risk(rng_() % 50 == 0 ? 1u << 10 : 0);
}

}  // namespace wireflow::bench
