#include "address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace wireflow::collector::aggregate {

ip_address ip_address::v4(std::uint32_t host_order) noexcept {
    ip_address a;
    a.family = 4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

ip_address ip_address::v6(const std::array<std::uint8_t, 16>& b) noexcept {
    ip_address a;
    a.family = 6;
    a.bytes = b;
    return a;
}

std::optional<ip_address> ip_address::parse(std::string_view text) noexcept {
    // INET6_ADDRSTRLEN is 46 including the terminator.
    if (text.empty() || text.size() > 45) return std::nullopt;
    char buf[46];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    ip_address a;
    if (text.find(':') == std::string_view::npos) {
        if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
        a.family = 4;
    } else {
        if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
        a.family = 6;
    }
    return a;
}

ip_address ip_address::masked(unsigned prefix) const noexcept {
    ip_address m = *this;
    const unsigned width = bit_width();
    if (prefix >= width) return m;
    for (unsigned i = 0; i < 16; ++i) {
        const unsigned bit0 = i * 8;
        if (bit0 >= prefix) {
            m.bytes[i] = 0;
        } else if (bit0 + 8 > prefix) {
            m.bytes[i] &= static_cast<std::uint8_t>(0xFFu << (8 - (prefix - bit0)));
        }
    }
    return m;
}

std::size_t ip_address::format(char* out) const noexcept {
    if (family == 4) {
        // Hand-rolled: the top-N search formats every host, inet_ntop is slower.
        char* p = out;
        for (int i = 0; i < 4; ++i) {
            unsigned v = bytes[static_cast<std::size_t>(i)];
            if (v >= 100) {
                *p++ = static_cast<char>('0' + v / 100);
                *p++ = static_cast<char>('0' + (v / 10) % 10);
            } else if (v >= 10) {
                *p++ = static_cast<char>('0' + v / 10);
            }
            *p++ = static_cast<char>('0' + v % 10);
            if (i != 3) *p++ = '.';
        }
        *p = '\0';
        return static_cast<std::size_t>(p - out);
    }
    if (family == 6) {
        if (inet_ntop(AF_INET6, bytes.data(), out, 46) == nullptr) return 0;
        return std::strlen(out);
    }
    out[0] = '\0';
    return 0;
}

std::string ip_address::to_string() const {
    char buf[46];
    const std::size_t n = format(buf);
    return std::string(buf, n);
}

namespace {
int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<mac_address> mac_address::parse(std::string_view text) noexcept {
    if (text.size() != 17) return std::nullopt;
    const char sep = text[2];
    if (sep != ':' && sep != '-') return std::nullopt;
    mac_address m;
    for (std::size_t i = 0; i < 6; ++i) {
        const int hi = hex_value(text[i * 3]);
        const int lo = hex_value(text[i * 3 + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i < 5 && text[i * 3 + 2] != sep) return std::nullopt;
        m.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return m;
}

std::string mac_address::to_string() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(17, ':');
    for (std::size_t i = 0; i < 6; ++i) {
        s[i * 3] = digits[bytes[i] >> 4];
        s[i * 3 + 1] = digits[bytes[i] & 0xF];
    }
    return s;
}

bool mac_address::is_zero() const noexcept {
    for (auto b : bytes)
        if (b != 0) return false;
    return true;
}

std::uint64_t hash_bytes(const void* data, std::size_t n, std::uint64_t seed) noexcept {
    // Eight bytes at a time through the splitmix finaliser; good enough
    // dispersion for addresses and cheap.
    const auto* p = static_cast<const unsigned char*>(data);
    std::uint64_t h = mix64(seed ^ (0x9e3779b97f4a7c15ULL * (n + 1)));
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
        p += 8;
        n -= 8;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    return mix64(h ^ tail ^ (static_cast<std::uint64_t>(n) << 56));
}

}  // namespace wireflow::collector::aggregate
