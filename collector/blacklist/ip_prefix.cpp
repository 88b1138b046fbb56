#include "blacklist/ip_prefix.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <bit>
#include <charconv>

#include "blacklist/ip_key.hpp"

namespace wireflow::collector::blacklist {

using detail::u128;

ip_address ip_address::v4(std::uint32_t host_order) noexcept {
    ip_address a;
    a.family = ip_family::v4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

ip_address ip_address::v6(const std::array<std::uint8_t, 16>& network_order) noexcept {
    ip_address a;
    a.family = ip_family::v6;
    a.bytes = network_order;
    return a;
}

std::uint32_t ip_address::v4_host_order() const noexcept {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
           std::uint32_t{bytes[3]};
}

std::optional<ip_address> parse_address(std::string_view text) noexcept {
    // INET6_ADDRSTRLEN is 46 with the NUL; anything longer is not an address.
    char buf[48];
    if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
    // inet_pton stops at a NUL: check every byte so "1.2.3.4\0junk" is refused.
    for (const char c : text) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
        if (!ok) return std::nullopt;
    }
    std::copy(text.begin(), text.end(), buf);
    buf[text.size()] = '\0';
    ip_address a;
    if (text.find(':') == std::string_view::npos) {
        a.family = ip_family::v4;
        if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
    } else {
        a.family = ip_family::v6;
        if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
    }
    return a;
}

ip_prefix make_prefix(const ip_address& address, unsigned length) noexcept {
    ip_prefix p;
    p.address = address;
    p.length = static_cast<std::uint8_t>(std::min(length, address.max_length()));
    const unsigned width = address.max_length() / 8;
    for (unsigned i = 0; i < width; ++i) {
        const unsigned first_bit = i * 8;
        if (first_bit >= p.length) {
            p.address.bytes[i] = 0;
        } else if (p.length - first_bit < 8) {
            p.address.bytes[i] &= static_cast<std::uint8_t>(0xFFu << (8 - (p.length - first_bit)));
        }
    }
    return p;
}

ip_address last_address(const ip_prefix& prefix) noexcept {
    ip_address a = prefix.address;
    const unsigned width = a.max_length() / 8;
    for (unsigned i = 0; i < width; ++i) {
        const unsigned first_bit = i * 8;
        if (first_bit >= prefix.length) {
            a.bytes[i] = 0xFF;
        } else if (prefix.length - first_bit < 8) {
            a.bytes[i] |= static_cast<std::uint8_t>(0xFFu >> (prefix.length - first_bit));
        }
    }
    return a;
}

bool contains(const ip_prefix& prefix, const ip_address& address) noexcept {
    if (prefix.address.family != address.family) return false;
    return make_prefix(address, prefix.length).address == prefix.address;
}

std::optional<parsed_prefix> parse_prefix(std::string_view text) noexcept {
    const auto slash = text.find('/');
    const auto address = parse_address(text.substr(0, slash));
    if (!address) return std::nullopt;
    unsigned length = address->max_length();
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3) return std::nullopt;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
        if (length > address->max_length()) return std::nullopt;
    }
    parsed_prefix out;
    out.prefix = make_prefix(*address, length);
    out.had_host_bits = out.prefix.address != *address;
    return out;
}

namespace {

u128 key_of(const ip_address& a) {
    return a.family == ip_family::v4 ? u128{a.v4_host_order()} : detail::v6_key(a.bytes.data());
}

ip_address address_of(ip_family family, u128 key) {
    return family == ip_family::v4 ? ip_address::v4(static_cast<std::uint32_t>(key)) : detail::v6_address(key);
}

}  // namespace

std::vector<ip_prefix> range_to_prefixes(const ip_address& first, const ip_address& last) {
    std::vector<ip_prefix> out;
    if (first.family != last.family) return out;
    const unsigned bits = first.max_length();
    u128 lo = key_of(first);
    const u128 hi = key_of(last);
    if (lo > hi) return out;
    const auto block_last = [](u128 start, unsigned host_bits) {
        return host_bits >= 128 ? ~u128{0} : start + ((u128{1} << host_bits) - 1);
    };
    while (true) {
        // The largest block aligned at lo that does not pass hi.
        const auto low64 = static_cast<std::uint64_t>(lo);
        const unsigned trailing = lo == 0     ? bits
                                  : low64 != 0 ? static_cast<unsigned>(std::countr_zero(low64))
                                               : 64u + static_cast<unsigned>(std::countr_zero(static_cast<std::uint64_t>(lo >> 64)));
        unsigned host_bits = std::min(bits, trailing);
        while (host_bits > 0 && block_last(lo, host_bits) > hi) --host_bits;
        out.push_back(make_prefix(address_of(first.family, lo), bits - host_bits));
        const u128 end = block_last(lo, host_bits);
        if (end >= hi) break;
        lo = end + 1;
    }
    return out;
}

std::string to_string(const ip_address& address) {
    char buf[INET6_ADDRSTRLEN];
    const int af = address.family == ip_family::v4 ? AF_INET : AF_INET6;
    if (inet_ntop(af, address.bytes.data(), buf, sizeof buf) == nullptr) return {};
    return buf;
}

std::string to_string(const ip_prefix& prefix) {
    return to_string(prefix.address) + "/" + std::to_string(prefix.length);
}

}  // namespace wireflow::collector::blacklist
