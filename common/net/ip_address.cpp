#include "net/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace wireflow::net {

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

std::optional<ip_address> ip_address::from_bytes(std::span<const std::uint8_t> network_order) noexcept {
    if (network_order.size() != 4 && network_order.size() != 16) return std::nullopt;
    ip_address a;
    a.family = network_order.size() == 4 ? ip_family::v4 : ip_family::v6;
    std::copy(network_order.begin(), network_order.end(), a.bytes.begin());
    return a;
}

std::optional<ip_address> ip_address::parse(std::string_view text) noexcept {
    char buf[max_text + 1];
    if (text.empty() || text.size() > max_text) return std::nullopt;
    // inet_pton stops at a NUL: check every byte so "1.2.3.4\0junk" is refused.
    for (const char c : text) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
        if (!ok) return std::nullopt;
    }
    std::copy(text.begin(), text.end(), buf);
    buf[text.size()] = '\0';
    ip_address a;
    if (text.find(':') == std::string_view::npos) {
        if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
        a.family = ip_family::v4;
    } else {
        if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
        a.family = ip_family::v6;
    }
    return a;
}

std::span<const std::uint8_t> ip_address::octets() const noexcept {
    return {bytes.data(), is_v4() ? 4u : is_v6() ? 16u : 0u};
}

std::uint32_t ip_address::v4_host_order() const noexcept {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
           std::uint32_t{bytes[3]};
}

ip_address ip_address::masked(unsigned length) const noexcept {
    ip_address m = *this;
    if (length >= bit_width()) return m;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned first_bit = i * 8;
        if (first_bit >= length) {
            m.bytes[i] = 0;
        } else if (length - first_bit < 8) {
            m.bytes[i] &= static_cast<std::uint8_t>(0xFFu << (8 - (length - first_bit)));
        }
    }
    return m;
}

std::size_t ip_address::format(char* out) const noexcept {
    if (is_v4()) {
        // Hand-rolled: the top-N search formats every host, inet_ntop is slower.
        char* p = out;
        for (std::size_t i = 0; i < 4; ++i) {
            const unsigned v = bytes[i];
            if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
            if (v >= 10) *p++ = static_cast<char>('0' + (v / 10) % 10);
            *p++ = static_cast<char>('0' + v % 10);
            if (i != 3) *p++ = '.';
        }
        *p = '\0';
        return static_cast<std::size_t>(p - out);
    }
    if (is_v6() && inet_ntop(AF_INET6, bytes.data(), out, max_text + 1) != nullptr) return std::strlen(out);
    out[0] = '\0';
    return 0;
}

std::string ip_address::to_string() const {
    char buf[max_text + 1];
    const std::size_t n = format(buf);
    return std::string(buf, n);
}

}  // namespace wireflow::net
