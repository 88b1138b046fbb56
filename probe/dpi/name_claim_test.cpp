#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "dpi/name_claim.hpp"

using namespace wireflow::probe;

namespace {

using bytes = std::vector<std::uint8_t>;

// A DNS/NBNS message under construction, big-endian as on the wire.
struct message {
    bytes b;
    message(std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns, std::uint16_t ar) {
        u16(0x1234), u16(flags), u16(qd), u16(an), u16(ns), u16(ar);
    }
    message& u8(unsigned v) {
        b.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    message& u16(unsigned v) { return u8(v >> 8).u8(v & 0xff); }
    message& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
    message& raw(std::initializer_list<unsigned> v) {
        for (unsigned x : v) u8(x);
        return *this;
    }
    // "a.b.local" as labels, ending with the root.
    message& name(std::string_view dotted) {
        while (!dotted.empty()) {
            const auto dot = dotted.find('.');
            const std::string_view label = dotted.substr(0, dot);
            u8(static_cast<unsigned>(label.size()));
            for (char c : label) u8(static_cast<unsigned char>(c));
            dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
        }
        return u8(0);
    }
    message& pointer(unsigned offset) { return u16(0xc000 | offset); }
    // RFC 1002 first-level encoding of a 15-character, space-padded name and its suffix.
    message& netbios(std::string_view n, unsigned suffix) {
        u8(32);
        for (std::size_t i = 0; i < 16; ++i) {
            const unsigned c = i < 15 ? (i < n.size() ? static_cast<unsigned char>(n[i]) : ' ') : suffix;
            u8('A' + (c >> 4)).u8('A' + (c & 0xf));
        }
        return u8(0);
    }
    message& rr(unsigned type, unsigned cls, std::uint32_t ttl, std::initializer_list<unsigned> data) {
        u16(type).u16(cls).u32(ttl).u16(static_cast<unsigned>(data.size()));
        return raw(data);
    }
    [[nodiscard]] std::span<const std::uint8_t> span() const { return {b.data(), b.size()}; }
};

constexpr unsigned mdns_response = 0x8400;  // QR, AA
constexpr unsigned a = 1, ptr = 12, aaaa = 28, in = 1, flush = 0x8000;
const std::initializer_list<unsigned> v6{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55};

std::string address_of(const name_claim& c) {
    return std::string(reinterpret_cast<const char*>(c.address), c.address_len);
}
std::string ipv4(unsigned a0, unsigned a1, unsigned a2, unsigned a3) {
    return std::string{static_cast<char>(a0), static_cast<char>(a1), static_cast<char>(a2), static_cast<char>(a3)};
}

}  // namespace

TEST_CASE("an mDNS response's A record names its address", "[name_claim][mdns]") {
    message m(mdns_response, 0, 1, 0, 0);
    m.name("printer.local").rr(a, in | flush, 120, {192, 168, 1, 20});
    name_claim c;
    REQUIRE(read_mdns_claim(m.span(), c));
    CHECK(c.service == name_service::mdns);
    CHECK(std::string(c.name) == "printer.local");
    CHECK(address_of(c) == ipv4(192, 168, 1, 20));
}

TEST_CASE("an mDNS answer to a service query names the address of its additional A/AAAA record", "[name_claim][mdns]") {
    // Question _ipp._tcp.local, PTR answer to the instance, AAAA of the host
    // in the additional section with its name compressed against the answer.
    message m(mdns_response, 1, 1, 0, 1);
    m.name("_ipp._tcp.local").u16(ptr).u16(in);
    const std::size_t service = 12;
    m.pointer(service).u16(ptr).u16(in).u32(4500).u16(9);
    m.raw({7, 'O', 'f', 'f', 'i', 'c', 'e', 'J'}).u8(0);  // "OfficeJ" + root: 9 bytes of RDATA
    m.raw({3, 'l', 'j', 'x'}).pointer(22);  // "ljx", then "local" of the question (offset 22)
    m.rr(aaaa, in | flush, 120, v6);
    name_claim c;
    REQUIRE(read_mdns_claim(m.span(), c));
    CHECK(std::string(c.name) == "ljx.local");
    CHECK(c.address_len == 16);
    CHECK(c.address[0] == 0xfe);
    CHECK(c.address[15] == 0x55);
}

TEST_CASE("an mDNS query names nothing, even with known answers in it", "[name_claim][mdns]") {
    message m(0x0000, 1, 1, 0, 0);
    m.name("printer.local").u16(a).u16(in);
    m.pointer(12).rr(a, in, 120, {192, 168, 1, 20});
    name_claim c;
    CHECK_FALSE(read_mdns_claim(m.span(), c));
    CHECK(c.service == name_service::none);
}

TEST_CASE("an mDNS goodbye (TTL 0), an error response or a zero address names nothing", "[name_claim][mdns]") {
    name_claim c;
    message goodbye(mdns_response, 0, 1, 0, 0);
    goodbye.name("printer.local").rr(a, in | flush, 0, {192, 168, 1, 20});
    CHECK_FALSE(read_mdns_claim(goodbye.span(), c));
    message refused(mdns_response | 5, 0, 1, 0, 0);
    refused.name("printer.local").rr(a, in, 120, {192, 168, 1, 20});
    CHECK_FALSE(read_mdns_claim(refused.span(), c));
    message zero(mdns_response, 0, 1, 0, 0);
    zero.name("printer.local").rr(a, in, 120, {0, 0, 0, 0});
    CHECK_FALSE(read_mdns_claim(zero.span(), c));
}

TEST_CASE("an mDNS name with controls and bytes that are not UTF-8 arrives repaired", "[name_claim][mdns][hostile]") {
    message m(mdns_response, 0, 1, 0, 0);
    m.raw({6, '<', 'b', '>', 0x1b, 0xff, 'x'}).name("local").rr(a, in, 120, {10, 0, 0, 9});
    name_claim c;
    REQUIRE(read_mdns_claim(m.span(), c));
    const std::string name(c.name);
    CHECK(name == "<b>\xEF\xBF\xBD\xEF\xBF\xBDx.local");  // ESC and 0xff each become U+FFFD; markup is the view's to escape
}

TEST_CASE("compression pointers that loop or point forward end the parse", "[name_claim][mdns][hostile]") {
    name_claim c;
    message self(mdns_response, 0, 1, 0, 0);
    self.pointer(12).rr(a, in, 120, {10, 0, 0, 1});  // points at itself
    CHECK_FALSE(read_mdns_claim(self.span(), c));
    message forward(mdns_response, 0, 1, 0, 0);
    forward.pointer(40).rr(a, in, 120, {10, 0, 0, 1});
    CHECK_FALSE(read_mdns_claim(forward.span(), c));
    // A label, then a pointer back to it: the name grows until it is too long.
    message loop(mdns_response, 0, 1, 0, 0);
    loop.raw({3, 'a', 'b', 'c'}).pointer(12).rr(a, in, 120, {10, 0, 0, 1});
    CHECK_FALSE(read_mdns_claim(loop.span(), c));
    CHECK(c.service == name_service::none);
}

TEST_CASE("a name longer than 255 bytes is refused, not cut", "[name_claim][mdns][hostile]") {
    message m(mdns_response, 0, 1, 0, 0);
    for (int i = 0; i < 5; ++i) {
        m.u8(63);
        for (int j = 0; j < 63; ++j) m.u8('x');
    }
    m.u8(0).rr(a, in, 120, {10, 0, 0, 1});
    name_claim c;
    CHECK_FALSE(read_mdns_claim(m.span(), c));
}

TEST_CASE("every truncation of a valid response is refused without reading past it", "[name_claim][hostile]") {
    message m(mdns_response, 1, 1, 0, 1);
    m.name("_ipp._tcp.local").u16(ptr).u16(in);
    m.pointer(12).rr(ptr, in, 4500, {3, 'j', 'e', 't', 0xc0, 12});
    m.name("host.local").rr(a, in, 120, {10, 1, 2, 3});
    name_claim whole;
    REQUIRE(read_mdns_claim(m.span(), whole));
    for (std::size_t n = 0; n < m.b.size(); ++n) {
        // A copy of exactly n bytes: ASan (fuzz build) sees any read past it.
        const std::vector<std::uint8_t> cut(m.b.begin(), m.b.begin() + static_cast<std::ptrdiff_t>(n));
        name_claim c;
        CHECK_FALSE(read_mdns_claim({cut.data(), cut.size()}, c));
    }
}

constexpr unsigned nb_registration = 5 << 11 | 0x0110;  // opcode 5, RD, B
constexpr unsigned nb_positive = 0x8000 | 0x0400 | 0x0100;  // response, AA, RD; opcode 0, RCODE 0
constexpr unsigned nb = 0x20, nbstat = 0x21;

TEST_CASE("a NetBIOS name registration names the address it registers", "[name_claim][netbios]") {
    message m(nb_registration, 1, 0, 0, 1);
    m.netbios("FILESERVER", 0x20).u16(nb).u16(in);
    m.pointer(12).rr(nb, in, 300000, {0x00, 0x00, 10, 0, 0, 5});
    name_claim c;
    const std::uint8_t sender[4]{10, 0, 0, 99};
    REQUIRE(read_netbios_claim(m.span(), sender, c));
    CHECK(c.service == name_service::netbios);
    CHECK(std::string(c.name) == "FILESERVER");
    CHECK(address_of(c) == ipv4(10, 0, 0, 5));
}

TEST_CASE("NetBIOS group names, service suffixes and queries name no machine", "[name_claim][netbios]") {
    const std::uint8_t sender[4]{10, 0, 0, 99};
    name_claim c;
    message group(nb_registration, 1, 0, 0, 1);
    group.netbios("WORKGROUP", 0x00).u16(nb).u16(in);
    group.pointer(12).rr(nb, in, 300000, {0x80, 0x00, 10, 0, 0, 5});  // G bit
    CHECK_FALSE(read_netbios_claim(group.span(), sender, c));
    message browser(nb_registration, 1, 0, 0, 1);
    browser.netbios("WORKGROUP", 0x1d).u16(nb).u16(in);  // local master browser
    browser.pointer(12).rr(nb, in, 300000, {0x00, 0x00, 10, 0, 0, 5});
    CHECK_FALSE(read_netbios_claim(browser.span(), sender, c));
    message query(0x0110, 1, 0, 0, 0);  // name query request: anybody may ask for any name
    query.netbios("FILESERVER", 0x20).u16(nb).u16(in);
    CHECK_FALSE(read_netbios_claim(query.span(), sender, c));
    message negative(nb_positive | 3, 0, 1, 0, 0);  // RCODE 3: no such name
    negative.netbios("FILESERVER", 0x20).rr(nb, in, 0, {});
    CHECK_FALSE(read_netbios_claim(negative.span(), sender, c));
    CHECK(c.service == name_service::none);
}

TEST_CASE("a positive NetBIOS name query response names the first unique address", "[name_claim][netbios]") {
    message m(nb_positive, 0, 1, 0, 0);
    m.netbios("NAS", 0x20).rr(nb, in, 300000, {0x80, 0x00, 10, 0, 0, 1, 0x00, 0x00, 10, 0, 0, 7});
    name_claim c;
    const std::uint8_t wins[4]{10, 0, 0, 2};
    REQUIRE(read_netbios_claim(m.span(), wins, c));
    CHECK(std::string(c.name) == "NAS");
    CHECK(address_of(c) == ipv4(10, 0, 0, 7));  // the answer's address, not the WINS server that sent it
}

TEST_CASE("a NetBIOS node status response names its sender after its workstation name", "[name_claim][netbios]") {
    message m(nb_positive, 0, 1, 0, 0);
    m.netbios("*", 0x00);
    bytes data{3};
    const auto entry = [&](std::string_view n, unsigned suffix, unsigned flags) {
        for (std::size_t i = 0; i < 15; ++i) data.push_back(i < n.size() ? static_cast<std::uint8_t>(n[i]) : ' ');
        data.push_back(static_cast<std::uint8_t>(suffix));
        data.push_back(static_cast<std::uint8_t>(flags >> 8));
        data.push_back(static_cast<std::uint8_t>(flags & 0xff));
    };
    entry("WORKGROUP", 0x00, 0x8400);  // group
    entry("DESKTOP-7", 0x20, 0x0400);  // file server service
    entry("DESKTOP-7", 0x00, 0x0400);  // workstation: the machine
    m.u16(nbstat).u16(in).u32(0).u16(static_cast<unsigned>(data.size()));
    for (auto x : data) m.u8(x);
    name_claim c;
    const std::uint8_t sender[4]{192, 168, 7, 7};
    REQUIRE(read_netbios_claim(m.span(), sender, c));
    CHECK(std::string(c.name) == "DESKTOP-7");
    CHECK(address_of(c) == ipv4(192, 168, 7, 7));
}

TEST_CASE("the UDP payload is found behind IPv4 and IPv6 headers, not behind fragments", "[name_claim][udp]") {
    bytes v4{0x45, 0, 0, 31, 0, 0, 0, 0, 255, 17, 0, 0, 10, 0, 0, 1, 224, 0, 0, 251,
             0x14, 0xe9, 0x14, 0xe9, 0, 11, 0, 0, 'a', 'b', 'c', 'j', 'u', 'n', 'k'};  // 4 bytes of trailer
    udp_view u;
    REQUIRE(udp_of({v4.data(), v4.size()}, u));
    CHECK(std::string(u.payload.begin(), u.payload.end()) == "abc");
    CHECK(u.source[0] == 10);
    CHECK(u.source_port == 5353);
    bytes frag = v4;
    frag[6] = 0x20;  // more fragments
    CHECK_FALSE(udp_of({frag.data(), frag.size()}, u));
    bytes tcp = v4;
    tcp[9] = 6;
    CHECK_FALSE(udp_of({tcp.data(), tcp.size()}, u));
    CHECK_FALSE(udp_of({v4.data(), 24}, u));

    bytes v6(40, 0);
    v6[0] = 0x60, v6[5] = 10, v6[6] = 17, v6[7] = 255, v6[8] = 0xfe, v6[9] = 0x80;
    for (unsigned x : {0x14u, 0xe9u, 0x14u, 0xe9u, 0u, 10u, 0u, 0u, 0x68u, 0x69u}) v6.push_back(static_cast<std::uint8_t>(x));
    REQUIRE(udp_of({v6.data(), v6.size()}, u));
    CHECK(std::string(u.payload.begin(), u.payload.end()) == "hi");
    CHECK(u.source.size() == 16);
    CHECK(u.source[0] == 0xfe);
}

TEST_CASE("a claim is read only on its service's port", "[name_claim][udp]") {
    message m(mdns_response, 0, 1, 0, 0);
    m.name("printer.local").rr(a, in, 120, {192, 168, 1, 20});
    udp_view u;
    u.payload = m.span();
    u.source_port = 5353, u.destination_port = 5353;
    name_claim c;
    REQUIRE(read_claim(name_service::mdns, u, c));
    CHECK(c.service == name_service::mdns);
    u.source_port = 5355, u.destination_port = 49152;
    REQUIRE(read_claim(name_service::llmnr, u, c));
    CHECK(c.service == name_service::llmnr);
    name_claim none;
    CHECK_FALSE(read_claim(name_service::mdns, u, none));
    u.source_port = 138, u.destination_port = 138;  // NetBIOS datagram service: another format
    CHECK_FALSE(read_claim(name_service::netbios, u, none));
    CHECK(none.service == name_service::none);
}
