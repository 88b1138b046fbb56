#include "host_check.hpp"

#include "net/ip_address.hpp"

#include <algorithm>

namespace wireflow::collector::http {

namespace {

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool loopback(const net::ip_address& a) noexcept {
    if (a.is_v4()) return a.bytes[0] == 127;
    static constexpr std::array<std::uint8_t, 16> one{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return a.is_v6() && a.bytes == one;
}

bool wildcard(const net::ip_address& a) noexcept {
    return std::all_of(a.bytes.begin(), a.bytes.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

std::string host_of(std::string_view h) {
    // RFC 9110 section 7.2: Host = uri-host [ ":" port ]; uri-host is a
    // reg-name, an IPv4 address or "[" IPv6 "]".
    if (h.empty() || h.size() > 255) return {};
    std::string_view host;
    std::string_view rest;
    if (h.front() == '[') {
        const auto close = h.find(']');
        if (close == std::string_view::npos) return {};
        host = h.substr(1, close - 1);
        rest = h.substr(close + 1);
        if (!net::ip_address::parse(host)) return {};
    } else {
        const auto colon = h.find(':');
        host = h.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view{} : h.substr(colon);
    }
    if (!rest.empty()) {
        if (rest.front() != ':' || rest.size() > 6) return {};
        for (const char c : rest.substr(1))
            if (c < '0' || c > '9') return {};
    }
    if (host.empty()) return {};
    std::string out;
    for (const char c : host) {
        const char l = lower(c);
        const bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '.' || l == '_' ||
                        (h.front() == '[' && l == ':');
        if (!ok) return {};
        out += l;
    }
    if (out.size() > 1 && out.back() == '.') out.pop_back();  // "localhost." is "localhost"
    return out;
}

bool host_allowed(std::string_view host_header, const host_policy& policy) {
    const std::string host = host_of(host_header);
    if (host.empty()) return false;
    if (host == "localhost") return true;
    if (std::find(policy.names.begin(), policy.names.end(), host) != policy.names.end()) return true;
    const auto literal = net::ip_address::parse(host);
    if (!literal) return false;  // an unknown name: the rebinding case
    if (loopback(*literal)) return true;
    const auto listen = net::ip_address::parse(policy.listen_address);
    if (!listen) return false;
    return wildcard(*listen) || *listen == *literal;
}

bool loopback_only(std::string_view listen_address) {
    const auto a = net::ip_address::parse(listen_address);
    return a && loopback(*a);
}

}  // namespace wireflow::collector::http
