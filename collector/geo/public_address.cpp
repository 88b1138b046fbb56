#include "public_address.hpp"

#include <array>
#include <cstdint>
#include <iterator>

namespace wireflow::collector::geo {

namespace {

struct range {
    std::uint8_t bytes[16];
    unsigned length;
};

// Whole bytes first, then the prefix's last partial byte: this runs for
// every record's two addresses (batch_marker), so no loop over bits.
bool within(const net::ip_address& a, const range& r) noexcept {
    const std::uint8_t* o = a.bytes.data();
    const unsigned whole = r.length / 8, rest = r.length % 8;
    for (unsigned i = 0; i < whole; ++i)
        if (o[i] != r.bytes[i]) return false;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff00u >> rest);
    return (o[whole] & mask) == (r.bytes[whole] & mask);
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates), plus
// multicast (RFC 5771) and the former class E (RFC 1112).
constexpr range v4_special[] = {
    {{0}, 8},                  // "this network" (RFC 791)
    {{10}, 8},                 // private (RFC 1918)
    {{100, 64}, 10},           // shared address space, CGN (RFC 6598)
    {{127}, 8},                // loopback (RFC 1122)
    {{169, 254}, 16},          // link-local (RFC 3927)
    {{172, 16}, 12},           // private
    {{192, 0, 0}, 24},         // IETF protocol assignments (RFC 6890)
    {{192, 0, 2}, 24},         // TEST-NET-1 (RFC 5737)
    {{192, 88, 99}, 24},       // 6to4 relay anycast, deprecated (RFC 7526)
    {{192, 168}, 16},          // private
    {{198, 18}, 15},           // benchmarking (RFC 2544)
    {{198, 51, 100}, 24},      // TEST-NET-2
    {{203, 0, 113}, 24},       // TEST-NET-3
    {{224}, 4},                // multicast (RFC 5771)
    {{240}, 4},                // reserved, and the limited broadcast (RFC 1112, RFC 919)
};

// IANA IPv6 Special-Purpose Address Registry, multicast (RFC 4291). IPv4
// inside IPv6 (mapped, NAT64) is judged by its IPv4 part.
constexpr range v6_special[] = {
    {{0}, 96},                              // unspecified, loopback, deprecated IPv4-compatible
    {{0x01, 0x00}, 64},                     // discard-only (RFC 6666)
    {{0x20, 0x01, 0x00, 0x00}, 23},         // IETF protocol assignments (RFC 2928), Teredo inside
    {{0x20, 0x01, 0x0d, 0xb8}, 32},         // documentation (RFC 3849)
    {{0x20, 0x02}, 16},                     // 6to4 (RFC 3056): the IPv4 part is elsewhere
    {{0x3f, 0xff, 0x00}, 20},               // documentation, 3fff::/20 (RFC 9637)
    {{0xfc}, 7},                            // unique local (RFC 4193)
    {{0xfe, 0x80}, 10},                     // link-local (RFC 4291)
    {{0xfe, 0xc0}, 10},                     // site-local, deprecated (RFC 3879)
    {{0xff}, 8},                            // multicast
};

// The IPv4 ranges as (network, mask) words: this runs for every record's
// two addresses (batch_marker), and comparing a word per range is a third
// of the instructions of the byte-wise `within` (callgrind,
// decode_aggregate_bench --geo-legacy-dir).
struct word_range {
    std::uint32_t network;
    std::uint32_t mask;
};

constexpr std::array<word_range, std::size(v4_special)> v4_words = [] {
    std::array<word_range, std::size(v4_special)> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        const range& r = v4_special[i];
        const std::uint32_t network = std::uint32_t{r.bytes[0]} << 24 | std::uint32_t{r.bytes[1]} << 16 |
                                      std::uint32_t{r.bytes[2]} << 8 | r.bytes[3];
        const std::uint32_t mask = r.length == 0 ? 0 : ~std::uint32_t{0} << (32 - r.length);
        out[i] = {network & mask, mask};
    }
    return out;
}();

bool public_v4(const net::ip_address& a) noexcept {
    const auto& b = a.bytes;
    const std::uint32_t v = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
    bool special = false;
    for (const auto& r : v4_words) special |= (v & r.mask) == r.network;
    return !special;
}

}  // namespace

std::optional<net::ip_address> lookup_address(const net::ip_address& a) noexcept {
    if (a.is_v4()) return public_v4(a) ? std::optional(a) : std::nullopt;
    if (!a.is_v6()) return std::nullopt;
    const auto& b = a.bytes;
    // ::ffff:0:0/96 (RFC 4291 section 2.5.5.2) and 64:ff9b::/96 (RFC 6052):
    // an IPv4 address in IPv6 clothes.
    const bool mapped = b[10] == 0xff && b[11] == 0xff &&
                        [&] { for (int i = 0; i < 10; ++i) if (b[i] != 0) return false; return true; }();
    const bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
                       [&] { for (int i = 4; i < 12; ++i) if (b[i] != 0) return false; return true; }();
    if (mapped || nat64) {
        const auto v4 = net::ip_address::from_bytes(std::span(b).subspan(12, 4));
        return v4 && public_v4(*v4) ? v4 : std::nullopt;
    }
    for (const auto& r : v6_special)
        if (within(a, r)) return std::nullopt;
    // Global unicast is 2000::/3 (RFC 4291 section 2.4); the rest is unassigned.
    if ((b[0] & 0xe0) != 0x20) return std::nullopt;
    return a;
}

}  // namespace wireflow::collector::geo
