#pragma once
// Test support for the dissector tests: crafted frames, built field by field,
// and a runner that lets AddressSanitizer see any over-read.

#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <vector>

#include "dissect/dissect.hpp"

namespace wireflow::probe::dissect_test {

// ---- frame construction -------------------------------------------------------

struct frame {
    std::vector<std::uint8_t> b;

    frame& u8(unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); return *this; }
    frame& u16(unsigned v) { return u8(v >> 8).u8(v); }
    frame& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
    frame& raw(std::initializer_list<unsigned> v) { for (auto x : v) u8(x); return *this; }
    frame& zeros(std::size_t n) { b.insert(b.end(), n, 0); return *this; }
    frame& append(const frame& o) { b.insert(b.end(), o.b.begin(), o.b.end()); return *this; }
    std::size_t size() const { return b.size(); }
    void put16(std::size_t at, unsigned v) { b[at] = static_cast<std::uint8_t>(v >> 8); b[at + 1] = static_cast<std::uint8_t>(v); }
};

inline constexpr std::uint8_t mac_dst[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
inline constexpr std::uint8_t mac_src[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};

inline frame eth(unsigned type) {
    frame f;
    for (auto x : mac_dst) f.u8(x);
    for (auto x : mac_src) f.u8(x);
    return f.u16(type);
}
inline frame vlan_tag(unsigned pcp_vid, unsigned next) { return frame{}.u16(pcp_vid).u16(next); }
inline frame mpls_label(unsigned label, bool bottom) { return frame{}.u32(label << 12 | (bottom ? 0x100u : 0u) | 64u); }

// IPv4 header for `l4` bytes of upper-layer data; `options` multiple of 4.
inline frame ipv4(unsigned proto, std::size_t l4, std::size_t options = 0, unsigned frag = 0, int total_override = -1) {
    frame f;
    const std::size_t hl = 20 + options;
    const unsigned total = total_override >= 0 ? static_cast<unsigned>(total_override) : static_cast<unsigned>(hl + l4);
    f.u8(0x40 | static_cast<unsigned>(hl / 4)).u8(0).u16(total).u16(0x1234).u16(frag).u8(64).u8(proto).u16(0);
    f.raw({10, 0, 0, 1}).raw({192, 168, 1, 2});
    for (std::size_t i = 0; i < options; ++i) f.u8(1);  // NOP options
    return f;
}
inline frame ipv6(unsigned next, std::size_t payload) {
    frame f;
    f.u32(0x60000000).u16(static_cast<unsigned>(payload)).u8(next).u8(64);
    f.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    f.raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
    return f;
}
// Generic extension header (RFC 8200 4.2 format): total length 8*(1+len8).
inline frame ext(unsigned next, unsigned len8) { return frame{}.u8(next).u8(len8).zeros(6 + 8 * len8); }
inline frame ah(unsigned next) { return frame{}.u8(next).u8(4).zeros(22); }  // (4+2)*4 = 24 bytes
inline frame frag6(unsigned next, unsigned offset8, bool more) {
    return frame{}.u8(next).u8(0).u16(offset8 << 3 | (more ? 1u : 0u)).u32(0xabcd);
}
inline frame tcp(unsigned sport, unsigned dport, unsigned flags, std::size_t payload = 0, unsigned doff = 5) {
    frame f;
    f.u16(sport).u16(dport).u32(1000).u32(0).u8(doff << 4).u8(flags).u16(65535).u16(0).u16(0);
    if (doff > 5) f.zeros((doff - 5) * 4);
    return f.zeros(payload);
}
inline frame udp(unsigned sport, unsigned dport, std::size_t payload = 0) {
    return frame{}.u16(sport).u16(dport).u16(static_cast<unsigned>(8 + payload)).u16(0).zeros(payload);
}
inline frame sctp(unsigned sport, unsigned dport) { return frame{}.u16(sport).u16(dport).u32(0x01020304).u32(0); }
inline frame icmp(unsigned type, unsigned code, unsigned id, unsigned seq) {
    return frame{}.u8(type).u8(code).u16(0).u16(id).u16(seq).zeros(8);
}

inline frame eth_ipv4(unsigned proto, const frame& l4) { return eth(0x0800).append(ipv4(proto, l4.size())).append(l4); }
inline frame eth_ipv6(unsigned next, const frame& l4) { return eth(0x86dd).append(ipv6(next, l4.size())).append(l4); }

// Copies into an allocation of exactly the frame's length, so AddressSanitizer
// reports any read past the end (a vector's spare capacity would hide it).
inline packet_summary run(link_type lt, const std::uint8_t* data, std::size_t n) {
    auto buf = std::make_unique<std::byte[]>(n);
    if (n != 0) std::memcpy(buf.get(), data, n);
    return dissect(lt, std::span<const std::byte>(buf.get(), n));
}
inline packet_summary run(link_type lt, const frame& f) { return run(lt, f.b.data(), f.size()); }
inline packet_summary run(const frame& f) { return run(link_type::ethernet, f); }

inline bool is_truncated(parse_status s) {
    return s == parse_status::truncated_l2 || s == parse_status::truncated_ipv4 || s == parse_status::truncated_ipv6;
}

// Offsets never point outside the frame, whatever the bytes.
inline void check_invariants(const packet_summary& s, std::size_t n) {
    REQUIRE(static_cast<std::size_t>(s.status) < parse_status_count);
    REQUIRE(s.l3_offset <= n);
    if (s.has_l4) {
        REQUIRE(s.status == parse_status::ok);
        REQUIRE(s.l4_offset < s.payload_offset);
        REQUIRE(std::size_t{s.payload_offset} + s.payload_len <= n);
        REQUIRE_FALSE(s.later_fragment);
    }
    if (s.status == parse_status::ok) REQUIRE((s.ip_version == 4 || s.ip_version == 6));
}

inline endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    endpoint e;
    e.ip = {a, b, c, d};
    e.port = port;
    return e;
}


}  // namespace wireflow::probe::dissect_test
