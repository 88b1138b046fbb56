#include "own_peers.hpp"

#include "store/conninfo_hosts.hpp"

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <charconv>
#include <cstring>
#include <exception>
#include <fstream>
#include <optional>
#include <iterator>
#include <memory>

namespace wireflow::collector::app {

namespace {

std::optional<std::uint32_t> hex32(std::string_view s) {
    std::uint32_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// /proc/net/tcp writes each 32-bit word of an address in host order (little
// endian here): "0100007F" is 127.0.0.1.
std::optional<net::ip_address> proc_address(std::string_view hex) {
    if (hex.size() != 8 && hex.size() != 32) return std::nullopt;
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t w = 0; w < hex.size() / 8; ++w) {
        const auto v = hex32(hex.substr(w * 8, 8));
        if (!v) return std::nullopt;
        for (std::size_t b = 0; b < 4; ++b) bytes[w * 4 + b] = static_cast<std::uint8_t>(*v >> (8 * b));
    }
    return net::ip_address::from_bytes(std::span<const std::uint8_t>(bytes.data(), hex.size() / 2));
}

std::string read_file(const char* path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void add_host(std::vector<net::ip_prefix>& out, const net::ip_address& a) {
    out.push_back(net::ip_prefix::of(a, a.bit_width()));
}

void add_sockaddr(std::vector<net::ip_prefix>& out, const sockaddr* sa) {
    if (!sa) return;
    if (sa->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        add_host(out, net::ip_address::v4(ntohl(in->sin_addr.s_addr)));
    } else if (sa->sa_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), in6->sin6_addr.s6_addr, 16);
        add_host(out, net::ip_address::v6(b));
    }
}

}  // namespace

std::vector<net::ip_address> proc_net_tcp_peers(std::string_view text, std::uint16_t port) {
    std::vector<net::ip_address> out;
    bool header = true;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (header) {
            header = false;
            continue;
        }
        // "  sl  local_address rem_address   st ..."
        std::string_view fields[4];
        std::size_t n = 0;
        while (n < 4) {
            while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
            if (line.empty()) break;
            const auto sp = line.find(' ');
            fields[n++] = line.substr(0, sp);
            line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp);
        }
        if (n < 4 || fields[3] != "01") continue;  // 01: TCP_ESTABLISHED
        const auto lc = fields[1].find(':');
        const auto rc = fields[2].find(':');
        if (lc == std::string_view::npos || rc == std::string_view::npos) continue;
        const auto local_port = hex32(fields[1].substr(lc + 1));
        if (!local_port || *local_port != port) continue;
        if (const auto a = proc_address(fields[2].substr(0, rc))) out.push_back(*a);
    }
    return out;
}

std::uint16_t endpoint_port(std::string_view endpoint) noexcept {
    if (!endpoint.starts_with("tcp://")) return 0;
    const auto colon = endpoint.rfind(':');
    unsigned port = 0;
    const auto [p, ec] = std::from_chars(endpoint.data() + colon + 1, endpoint.data() + endpoint.size(), port);
    if (ec != std::errc{} || p != endpoint.data() + endpoint.size() || port > 65535) return 0;
    return static_cast<std::uint16_t>(port);
}

std::vector<net::ip_prefix> own_peers(const peer_sources& s) {
    std::vector<net::ip_prefix> out;
    out.push_back(*net::ip_prefix::parse("127.0.0.0/8"));
    out.push_back(*net::ip_prefix::parse("::1/128"));
    ifaddrs* ifs = nullptr;
    if (::getifaddrs(&ifs) == 0) {
        for (auto* i = ifs; i; i = i->ifa_next) add_sockaddr(out, i->ifa_addr);
        ::freeifaddrs(ifs);
    }
    for (const auto& host : conninfo_hosts(s.db_conninfo)) {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) continue;
        for (auto* r = res; r; r = r->ai_next) add_sockaddr(out, r->ai_addr);
        ::freeaddrinfo(res);
    }
    if (s.ingest_port != 0) {
        for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"})
            for (const auto& a : proc_net_tcp_peers(read_file(path), s.ingest_port)) add_host(out, a);
    }
    if (s.session_addresses) {
        try {
            for (const auto& text : s.session_addresses())
                if (const auto a = net::ip_address::parse(text)) add_host(out, *a);
        } catch (const std::exception&) {
            // PostgreSQL away: the other peers still count; sessions at the next check.
        }
    }
    return out;
}

}  // namespace wireflow::collector::app
