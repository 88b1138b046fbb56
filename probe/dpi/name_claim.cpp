#include "dpi/name_claim.hpp"

#include <algorithm>
#include <cstring>

#include "net/utf8.hpp"

namespace wireflow::probe {

namespace {

using bytes = std::span<const std::uint8_t>;

constexpr std::size_t dns_header = 12;
// Real messages carry a handful of records; these bound the work a crafted
// one can ask for (each record costs at most one name walk).
constexpr std::uint16_t max_questions = 16;
constexpr std::uint16_t max_records = 64;
constexpr int max_pointer_jumps = 16;

constexpr std::uint16_t type_a = 1, type_aaaa = 28, type_nb = 0x20, type_nbstat = 0x21, class_in = 1;

std::uint16_t be16(bytes b, std::size_t off) noexcept {
    return static_cast<std::uint16_t>(b[off] << 8 | b[off + 1]);
}
std::uint32_t be32(bytes b, std::size_t off) noexcept {
    return static_cast<std::uint32_t>(be16(b, off)) << 16 | be16(b, off + 2);
}

// The raw bytes of a DNS name (labels joined by '.', RFC 1035 4.1.4
// compression followed) and the offset just past it where it was written.
// A pointer must point before itself, and a name is at most 255 bytes: a
// crafted loop of pointers and labels ends on one of the two.
struct raw_name {
    char text[256];
    std::size_t len{0};
};

bool read_name(bytes msg, std::size_t& off, raw_name& out) noexcept {
    std::size_t pos = off;
    std::size_t after = 0;
    int jumps = 0;
    out.len = 0;
    for (;;) {
        if (pos >= msg.size()) return false;
        const std::uint8_t len = msg[pos];
        if ((len & 0xc0) == 0xc0) {
            if (pos + 1 >= msg.size() || ++jumps > max_pointer_jumps) return false;
            const std::size_t target = static_cast<std::size_t>(len & 0x3f) << 8 | msg[pos + 1];
            if (target >= pos) return false;
            if (after == 0) after = pos + 2;
            pos = target;
            continue;
        }
        if ((len & 0xc0) != 0) return false;  // 0x40 and 0x80: extended label types, obsolete
        if (len == 0) {
            if (after == 0) after = pos + 1;
            break;
        }
        if (pos + 1 + len > msg.size()) return false;
        const std::size_t dot = out.len != 0 ? 1 : 0;
        if (out.len + dot + len > sizeof out.text - 1) return false;
        if (dot != 0) out.text[out.len++] = '.';
        std::memcpy(out.text + out.len, msg.data() + pos + 1, len);
        out.len += len;
        pos += 1 + len;
    }
    off = after;
    return true;
}

bool skip_name(bytes msg, std::size_t& off) noexcept {
    raw_name ignored;
    return read_name(msg, off, ignored);
}

// A resource record's fixed part, after its name.
struct rr_head {
    std::uint16_t type, cls;
    std::uint32_t ttl;
    std::size_t data, data_len;  // offset and length of RDATA in the message
};

bool read_rr_head(bytes msg, std::size_t& off, rr_head& rr) noexcept {
    if (off + 10 > msg.size()) return false;
    rr.type = be16(msg, off);
    rr.cls = be16(msg, off + 2);
    rr.ttl = be32(msg, off + 4);
    rr.data_len = be16(msg, off + 8);
    rr.data = off + 10;
    if (rr.data + rr.data_len > msg.size()) return false;
    off = rr.data + rr.data_len;
    return true;
}

void set_text(std::span<const char> in, name_claim& out) noexcept {
    net::sanitize_utf8(in, std::span<char>(out.name));
}

bool all_zero(bytes b) noexcept {
    return std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
}

// RFC 1002 4.1: the 16-byte NetBIOS name is sent first-level encoded, each
// byte as two letters 'A'..'P' (its nibbles), in a 32-byte first label; any
// scope follows as further labels. The 16th byte is the suffix: 0x00
// (workstation) and 0x20 (file server) name a machine, the others name
// services, domains and browse masters. Names are padded with spaces.
struct netbios_name {
    char text[16];
    std::size_t len{0};
    std::uint8_t suffix{0};
};

bool decode_netbios(const raw_name& raw, netbios_name& out) noexcept {
    if (raw.len < 32 || (raw.len > 32 && raw.text[32] != '.')) return false;
    std::uint8_t b[16];
    for (std::size_t i = 0; i < 16; ++i) {
        const char hi = raw.text[2 * i], lo = raw.text[2 * i + 1];
        if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P') return false;
        b[i] = static_cast<std::uint8_t>((hi - 'A') << 4 | (lo - 'A'));
    }
    out.suffix = b[15];
    std::size_t n = 15;
    while (n > 0 && (b[n - 1] == ' ' || b[n - 1] == 0)) --n;
    std::memcpy(out.text, b, n);
    out.len = n;
    return true;
}

bool names_a_machine(const char* text, std::size_t len, std::uint8_t suffix) noexcept {
    // '*' is the wildcard of a node status query, never a machine's name.
    return len != 0 && text[0] != '*' && (suffix == 0x00 || suffix == 0x20);
}

bool claim_netbios(const char* text, std::size_t len, bytes address, name_claim& out) noexcept {
    if (address.size() != 4 || all_zero(address) || be32(address, 0) == 0xffffffffu) return false;
    out.service = name_service::netbios;
    out.address_len = 4;
    std::memcpy(out.address, address.data(), 4);
    set_text(std::span<const char>(text, len), out);
    return true;
}

}  // namespace

bool read_mdns_claim(bytes msg, name_claim& out) noexcept {
    if (msg.size() < dns_header) return false;
    const std::uint16_t flags = be16(msg, 2);
    // A response (QR) of a standard query (opcode 0) without error: a query
    // only asks, and names nothing.
    if ((flags & 0x8000) == 0 || (flags >> 11 & 0xf) != 0 || (flags & 0xf) != 0) return false;
    const std::uint16_t questions = be16(msg, 4);
    const std::uint32_t records = std::uint32_t{be16(msg, 6)} + be16(msg, 8) + be16(msg, 10);
    if (questions > max_questions) return false;
    std::size_t off = dns_header;
    for (std::uint16_t i = 0; i < questions; ++i) {
        if (!skip_name(msg, off) || off + 4 > msg.size()) return false;
        off += 4;
    }
    // Answers, authority and additional records alike: a responder often
    // answers a service query with PTR/SRV and puts its A/AAAA records in
    // the additional section.
    raw_name name;
    for (std::uint32_t i = 0; i < std::min<std::uint32_t>(records, max_records); ++i) {
        rr_head rr;
        if (!read_name(msg, off, name) || !read_rr_head(msg, off, rr)) return false;
        // The top bit of an mDNS class is cache-flush (RFC 6762 10.2); a TTL
        // of 0 is a goodbye: the name is being given up.
        const bool address = (rr.type == type_a && rr.data_len == 4) || (rr.type == type_aaaa && rr.data_len == 16);
        if (!address || (rr.cls & 0x7fff) != class_in || rr.ttl == 0 || name.len == 0) continue;
        const bytes addr = msg.subspan(rr.data, rr.data_len);
        if (all_zero(addr)) continue;
        out.service = name_service::mdns;
        out.address_len = static_cast<std::uint8_t>(rr.data_len);
        std::memcpy(out.address, addr.data(), rr.data_len);
        set_text(std::span<const char>(name.text, name.len), out);
        return true;
    }
    return false;
}

bool read_netbios_claim(bytes msg, bytes sender, name_claim& out) noexcept {
    if (msg.size() < dns_header) return false;
    const std::uint16_t flags = be16(msg, 2);
    const bool response = (flags & 0x8000) != 0;
    const unsigned opcode = flags >> 11 & 0xf;
    const std::uint16_t questions = be16(msg, 4), answers = be16(msg, 6), additional = be16(msg, 10);
    std::size_t off = dns_header;
    raw_name raw;
    netbios_name nb;
    rr_head rr;

    if (!response) {
        // Name registration (5), refresh (8, and 9 as Windows sends it) and
        // multi-homed registration (15): the question names the sender's
        // own name, the additional record says which address it takes.
        if (opcode != 5 && opcode != 8 && opcode != 9 && opcode != 15) return false;
        if (questions != 1 || additional < 1) return false;
        if (!read_name(msg, off, raw) || off + 4 > msg.size() || be16(msg, off) != type_nb) return false;
        off += 4;
        if (!decode_netbios(raw, nb) || !names_a_machine(nb.text, nb.len, nb.suffix)) return false;
        const std::uint32_t before = std::uint32_t{answers} + be16(msg, 8);  // none in a request, but step over any
        if (before > max_records) return false;
        for (std::uint32_t i = 0; i < before; ++i)
            if (!skip_name(msg, off) || !read_rr_head(msg, off, rr)) return false;
        if (!skip_name(msg, off) || !read_rr_head(msg, off, rr)) return false;
        if (rr.type != type_nb || rr.cls != class_in || rr.data_len != 6) return false;
        if ((be16(msg, rr.data) & 0x8000) != 0) return false;  // G: a group (workgroup) name, not the machine's
        return claim_netbios(nb.text, nb.len, msg.subspan(rr.data + 2, 4), out);
    }

    // A positive answer (opcode 0 query response, RCODE 0) to a name query
    // (NB: the name's addresses) or a node status request (NBSTAT: every
    // name the sender holds).
    if (opcode != 0 || (flags & 0xf) != 0 || answers < 1 || questions > max_questions) return false;
    for (std::uint16_t i = 0; i < questions; ++i) {
        if (!skip_name(msg, off) || off + 4 > msg.size()) return false;
        off += 4;
    }
    if (!read_name(msg, off, raw) || !read_rr_head(msg, off, rr) || rr.cls != class_in) return false;
    if (rr.type == type_nb) {
        if (!decode_netbios(raw, nb) || !names_a_machine(nb.text, nb.len, nb.suffix)) return false;
        for (std::size_t e = rr.data; e + 6 <= rr.data + rr.data_len; e += 6)
            if ((be16(msg, e) & 0x8000) == 0) return claim_netbios(nb.text, nb.len, msg.subspan(e + 2, 4), out);
        return false;
    }
    if (rr.type == type_nbstat && rr.data_len >= 1) {
        // RFC 1002 4.2.18: a count, then 18 bytes per name (15 characters,
        // the suffix, two bytes of flags whose top bit is G).
        const std::size_t count = msg[rr.data];
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t e = rr.data + 1 + 18 * i;
            if (e + 18 > rr.data + rr.data_len) return false;
            std::size_t n = 15;
            while (n > 0 && (msg[e + n - 1] == ' ' || msg[e + n - 1] == 0)) --n;
            const char* text = reinterpret_cast<const char*>(msg.data() + e);
            if (msg[e + 15] == 0x00 && (be16(msg, e + 16) & 0x8000) == 0 && names_a_machine(text, n, 0x00))
                return claim_netbios(text, n, sender, out);
        }
    }
    return false;
}

bool udp_of(bytes l3, udp_view& out) noexcept {
    constexpr std::uint8_t udp = 17;
    if (l3.empty()) return false;
    std::size_t l4 = 0, end = 0;
    bytes source;
    if (l3[0] >> 4 == 4) {
        if (l3.size() < 20) return false;
        l4 = static_cast<std::size_t>(l3[0] & 0xf) * 4;
        // Not a fragment (offset 0 and no more fragments): a name service
        // message fits in one datagram.
        if (l4 < 20 || l3[9] != udp || (be16(l3, 6) & 0x3fff) != 0) return false;
        end = std::min<std::size_t>(l3.size(), be16(l3, 2));
        source = l3.subspan(12, 4);
    } else if (l3[0] >> 4 == 6) {
        if (l3.size() < 40 || l3[6] != udp) return false;
        l4 = 40;
        end = std::min<std::size_t>(l3.size(), 40 + std::size_t{be16(l3, 4)});
        source = l3.subspan(8, 16);
    } else {
        return false;
    }
    if (l4 + 8 > end) return false;
    const std::size_t udp_len = be16(l3, l4 + 4);
    if (udp_len < 8) return false;
    end = std::min(end, l4 + udp_len);
    out.payload = l3.subspan(l4 + 8, end - (l4 + 8));
    out.source = source;
    out.source_port = be16(l3, l4);
    out.destination_port = be16(l3, l4 + 2);
    return true;
}

namespace {
constexpr std::uint16_t mdns_port = 5353, llmnr_port = 5355, netbios_ns_port = 137;
bool on(const udp_view& udp, std::uint16_t port) noexcept {
    return udp.source_port == port || udp.destination_port == port;
}
}  // namespace

name_service service_on_port(const udp_view& udp) noexcept {
    if (on(udp, mdns_port)) return name_service::mdns;
    if (on(udp, llmnr_port)) return name_service::llmnr;
    if (on(udp, netbios_ns_port)) return name_service::netbios;
    return name_service::none;
}

bool read_claim(name_service service, const udp_view& udp, name_claim& out) noexcept {
    bool got = false;
    switch (service) {
    case name_service::mdns: got = on(udp, mdns_port) && read_mdns_claim(udp.payload, out); break;
    case name_service::llmnr: got = on(udp, llmnr_port) && read_mdns_claim(udp.payload, out); break;
    case name_service::netbios: got = on(udp, netbios_ns_port) && read_netbios_claim(udp.payload, udp.source, out); break;
    case name_service::none: break;
    }
    if (got) out.service = service;
    return got;
}

}  // namespace wireflow::probe
