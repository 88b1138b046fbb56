#include "wire_batch_reader.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "batch_decoder.hpp"
#include "wire_record.hpp"

namespace wireflow::collector::ingest {

namespace {

// Protobuf's wire types (groups, 3 and 4, are never taken here).
enum wire_type : std::uint32_t { wt_varint = 0, wt_fixed64 = 1, wt_length = 2, wt_fixed32 = 5 };

constexpr std::uint64_t key(std::uint32_t field, wire_type type) noexcept {
    return std::uint64_t{field} << 3 | type;
}

// The readers below take the position and the message's end and return the
// position after what they read, or nullptr when the bytes are not what a
// serializer writes (protobuf's own parser is written the same way: the
// position stays in a register). They read only canonical encodings:
// protobuf accepts padded varints and truncates over-long ones, rules the
// fast path would have to reproduce exactly; refusing them (the slow path
// takes such a message) keeps the equivalence simple.
using cursor = const std::uint8_t*;

// Shortest form, at most 10 bytes, no bit beyond the 64th: the byte loop,
// for the last bytes of a message.
cursor varint_loop(cursor p, cursor end, std::uint64_t& out) noexcept {
    const std::size_t avail = static_cast<std::size_t>(end - p);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        if (i == avail) return nullptr;
        const std::uint8_t b = p[i];
        v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            if (b == 0 || (i == 9 && b > 1)) return nullptr;  // padded, or beyond 64 bits
            out = v;
            return p + i + 1;
        }
    }
    return nullptr;
}

// The same for a varint of 3 bytes or more (timestamps take 9, counters 3
// or 4): its first 8 bytes read as one word, the end found by the first
// clear high bit, the 7-bit groups packed in three shift-and-mask steps.
static_assert(std::endian::native == std::endian::little, "the word read below takes the first byte as the lowest");
[[gnu::noinline]] cursor varint_tail(cursor p, cursor end, std::uint64_t& out) noexcept {
    if (end - p < 8) return varint_loop(p, end, out);
    std::uint64_t x;
    std::memcpy(&x, p, 8);
    const std::uint64_t stops = ~x & 0x8080808080808080ULL;  // the high bit of each byte that ends it
    std::uint64_t v;
    std::size_t n;
    if (stops != 0) {
        n = static_cast<std::size_t>(std::countr_zero(stops)) / 8 + 1;
        if (((x >> (8 * (n - 1))) & 0xff) == 0) return nullptr;  // padded
        if (n < 8) x &= (std::uint64_t{1} << (8 * n)) - 1;
    } else {
        n = 8;
    }
    x &= 0x7f7f7f7f7f7f7f7fULL;
    x = (x & 0x007f007f007f007fULL) | ((x & 0x7f007f007f007f00ULL) >> 1);
    x = (x & 0x00003fff00003fffULL) | ((x & 0x3fff00003fff0000ULL) >> 2);
    v = (x & 0x000000000fffffffULL) | ((x & 0x0fffffff00000000ULL) >> 4);
    if (stops == 0) {  // 9 or 10 bytes
        if (end - p < 9) return nullptr;
        const std::uint8_t b8 = p[8];
        v |= static_cast<std::uint64_t>(b8 & 0x7f) << 56;
        if (b8 < 0x80) {
            if (b8 == 0) return nullptr;
            n = 9;
        } else {
            if (end - p < 10 || p[9] != 1) return nullptr;  // beyond 64 bits, padded or cut
            v |= std::uint64_t{1} << 63;
            n = 10;
        }
    }
    out = v;
    return p + n;
}

[[gnu::always_inline]] inline cursor varint(cursor p, cursor end, std::uint64_t& out) noexcept {
    if (p != end && *p < 0x80) {  // one byte: flags, small counts, keys of fields 1-15
        out = *p;
        return p + 1;
    }
    if (end - p >= 2 && p[1] < 0x80 && p[1] != 0) {  // two: ports, keys of fields 16-2047
        out = static_cast<std::uint64_t>(p[0] & 0x7f) | static_cast<std::uint64_t>(p[1]) << 7;
        return p + 2;
    }
    return varint_tail(p, end, out);
}

// A 32-bit field keeps the varint's low 32 bits, as the generated parser
// stores it; an enum (int32) likewise.
template <typename T>
[[gnu::always_inline]] inline cursor small(cursor p, cursor end, T& out) noexcept {
    static_assert(sizeof(T) == 4);
    std::uint64_t v = 0;
    p = varint(p, end, v);
    out = static_cast<T>(static_cast<std::uint32_t>(v));
    return p;
}

template <typename T>
[[gnu::always_inline]] inline cursor present(cursor p, cursor end, std::optional<T>& out) noexcept {
    T v{};
    if constexpr (sizeof(T) == 8)
        p = varint(p, end, v);
    else
        p = small(p, end, v);
    out = v;
    return p;
}

[[gnu::always_inline]] inline cursor bytes(cursor p, cursor end, std::string_view& out) noexcept {
    std::uint64_t n = 0;
    p = varint(p, end, n);
    if (p == nullptr || n > static_cast<std::uint64_t>(end - p)) return nullptr;
    out = std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    return p + n;
}

// A proto3 `string` field: the generated parser checks every occurrence's
// UTF-8, decode_record only the last one kept; a field sent twice (the
// parser keeps the last) is declined unless the first was empty.
[[gnu::always_inline]] inline cursor text(cursor p, cursor end, std::string_view& out) noexcept {
    return out.empty() ? bytes(p, end, out) : nullptr;
}

// A field this reader does not read: a newer probe's field, or a known one
// sent in another wire type; the generated parser keeps both as unknown
// fields, which decode_batch never reads. Groups are not taken.
cursor skip(cursor p, cursor end, std::uint64_t field_key) noexcept {
    if ((field_key >> 3) == 0 || field_key > std::numeric_limits<std::uint32_t>::max()) return nullptr;
    std::uint64_t v = 0;
    std::string_view s;
    switch (field_key & 7) {
    case wt_varint: return varint(p, end, v);
    case wt_length: return bytes(p, end, s);
    case wt_fixed64: return end - p >= 8 ? p + 8 : nullptr;
    case wt_fixed32: return end - p >= 4 ? p + 4 : nullptr;
    default: return nullptr;
    }
}

// A sub-message: `read(p, end, message)` reads its body. The generated
// parser merges a repeated one; this path declines it.
template <typename T, typename Read>
cursor message(cursor p, cursor end, std::optional<T>& out, Read read) {
    std::string_view body;
    if (out || (p = bytes(p, end, body)) == nullptr) return nullptr;
    const auto* b = reinterpret_cast<cursor>(body.data());
    return read(b, b + body.size(), out.emplace()) ? p : nullptr;
}

// Reads a message's fields until its end: `field(key, p)` reads the value
// at p of the field with that key and returns the position after it, or
// nullptr to decline the message. The lambda is inlined, so the position
// stays in a register.
template <typename Field>
[[gnu::always_inline]] inline bool read_fields(cursor p, cursor end, Field field) {
    while (p != nullptr && p != end) {
        std::uint64_t k = 0;
        if ((p = varint(p, end, k)) == nullptr) return false;
        p = field(k, p);
    }
    return p != nullptr;
}

// Each reader follows its message in proto/wireflow.proto, number for number.
bool read_tcp(cursor from, cursor end, wire_tcp_health& t) {
    return read_fields(from, end, [&](std::uint64_t k, cursor p) -> cursor {
        switch (k) {
        case key(1, wt_varint): return small(p, end, t.c2s_retransmissions);
        case key(2, wt_varint): return small(p, end, t.s2c_retransmissions);
        case key(3, wt_varint): return small(p, end, t.c2s_out_of_order);
        case key(4, wt_varint): return small(p, end, t.s2c_out_of_order);
        case key(5, wt_varint): return small(p, end, t.c2s_zero_windows);
        case key(6, wt_varint): return small(p, end, t.s2c_zero_windows);
        case key(7, wt_varint): return present(p, end, t.client_rtt_ns);
        case key(8, wt_varint): return present(p, end, t.server_rtt_ns);
        default: return skip(p, end, k);
        }
    });
}

bool read_tunnel(cursor from, cursor end, wire_tunnel& t) {
    return read_fields(from, end, [&](std::uint64_t k, cursor p) -> cursor {
        switch (k) {
        case key(1, wt_varint): return small(p, end, t.type);
        case key(2, wt_varint): return small(p, end, t.id);
        case key(3, wt_length): return bytes(p, end, t.client_side_ip);
        case key(4, wt_length): return bytes(p, end, t.server_side_ip);
        default: return skip(p, end, k);
        }
    });
}

bool read_tls(cursor from, cursor end, wire_tls& t) {
    return read_fields(from, end, [&](std::uint64_t k, cursor p) -> cursor {
        switch (k) {
        case key(1, wt_varint): return small(p, end, t.version);
        case key(2, wt_length): return text(p, end, t.ja3_client);
        case key(3, wt_length): return text(p, end, t.ja3_server);
        case key(4, wt_length): return text(p, end, t.cert_subject);
        case key(5, wt_length): return text(p, end, t.cert_issuer);
        case key(6, wt_varint): return present(p, end, t.cert_not_before_s);
        case key(7, wt_varint): return present(p, end, t.cert_not_after_s);
        case key(8, wt_length): return text(p, end, t.alpn);
        case key(9, wt_length): return bytes(p, end, t.cert_sha1);
        default: return skip(p, end, k);
        }
    });
}

bool read_http(cursor from, cursor end, wire_http& h) {
    return read_fields(from, end, [&](std::uint64_t k, cursor p) -> cursor {
        switch (k) {
        case key(1, wt_length): return text(p, end, h.method);
        case key(2, wt_length): return text(p, end, h.url);
        case key(3, wt_length): return text(p, end, h.user_agent);
        case key(4, wt_varint): return small(p, end, h.response_code);
        default: return skip(p, end, k);
        }
    });
}

bool read_name_claim(cursor from, cursor end, wire_name_claim& c) {
    return read_fields(from, end, [&](std::uint64_t k, cursor p) -> cursor {
        switch (k) {
        case key(1, wt_varint): return small(p, end, c.service);
        case key(2, wt_length): return text(p, end, c.name);
        case key(3, wt_length): return bytes(p, end, c.address);
        default: return skip(p, end, k);
        }
    });
}

bool read_record(cursor from, cursor end, wire_record& r) {
    return read_fields(from, end, [&](std::uint64_t k, cursor p) -> cursor {
        switch (k) {
        case key(1, wt_varint): return varint(p, end, r.flow_id);
        case key(2, wt_varint): return small(p, end, r.vlan);
        case key(3, wt_varint): return small(p, end, r.ip_version);
        case key(4, wt_varint): return small(p, end, r.protocol);
        case key(5, wt_length): return bytes(p, end, r.client_ip);
        case key(6, wt_varint): return small(p, end, r.client_port);
        case key(7, wt_length): return bytes(p, end, r.server_ip);
        case key(8, wt_varint): return small(p, end, r.server_port);
        case key(9, wt_varint): return varint(p, end, r.first_seen_ns);
        case key(10, wt_varint): return varint(p, end, r.last_seen_ns);
        case key(11, wt_varint): return varint(p, end, r.c2s_packets);
        case key(12, wt_varint): return varint(p, end, r.c2s_bytes);
        case key(13, wt_varint): return varint(p, end, r.s2c_packets);
        case key(14, wt_varint): return varint(p, end, r.s2c_bytes);
        case key(15, wt_varint): return small(p, end, r.c2s_tcp_flags);
        case key(16, wt_varint): return small(p, end, r.s2c_tcp_flags);
        case key(17, wt_varint): return small(p, end, r.end_reason);
        case key(18, wt_length): return bytes(p, end, r.client_mac);
        case key(19, wt_length): return bytes(p, end, r.server_mac);
        case key(20, wt_varint): return small(p, end, r.worker);
        case key(21, wt_varint): return small(p, end, r.payload_seen);
        case key(30, wt_varint): return small(p, end, r.app_protocol);
        case key(31, wt_varint): return small(p, end, r.master_protocol);
        case key(32, wt_length): return text(p, end, r.app_name);
        case key(33, wt_length): return text(p, end, r.app_category);
        case key(34, wt_length): return text(p, end, r.server_name);
        case key(35, wt_varint): return varint(p, end, r.flow_risk);
        case key(36, wt_varint): return small(p, end, r.dns_query_type);
        case key(37, wt_varint): return small(p, end, r.dns_reply_code);
        case key(38, wt_length): return bytes(p, end, r.dns_answer_ip);
        case key(40, wt_length): return message(p, end, r.tcp, read_tcp);
        case key(41, wt_varint): return present(p, end, r.c2s_ttl_min);
        case key(42, wt_varint): return present(p, end, r.c2s_ttl_max);
        case key(43, wt_varint): return present(p, end, r.s2c_ttl_min);
        case key(44, wt_varint): return present(p, end, r.s2c_ttl_max);
        case key(45, wt_varint): return present(p, end, r.dscp);
        case key(46, wt_length): return message(p, end, r.tunnel, read_tunnel);
        case key(47, wt_varint): return small(p, end, r.dpi_confidence);
        case key(48, wt_length): return message(p, end, r.tls, read_tls);
        case key(49, wt_length): return message(p, end, r.http, read_http);
        case key(50, wt_length): return message(p, end, r.name_claim, read_name_claim);
        default: return skip(p, end, k);
        }
    });
}

}  // namespace

bool read_lone_batch(std::span<const std::byte> bytes, flow_batch& out) {
    cursor p = reinterpret_cast<cursor>(bytes.data());
    const cursor message_end = p + bytes.size();
    // Envelope.batch (field 1) and nothing else, as parse_lone_batch demands.
    std::uint64_t k = 0;
    std::string_view body;
    if ((p = varint(p, message_end, k)) == nullptr || k != key(1, wt_length) ||
        (p = ingest::bytes(p, message_end, body)) != message_end)
        return false;

    const cursor from = reinterpret_cast<cursor>(body.data());
    const cursor end = from + body.size();
    std::int32_t schema_version = 0;
    std::string_view probe_id;
    std::uint64_t boot_id = 0, sequence = 0, send_time_ns = 0;
    std::size_t records = 0;
    const bool read = read_fields(from, end, [&](std::uint64_t k, cursor p) -> cursor {
        switch (k) {
        case key(1, wt_varint): return small(p, end, schema_version);
        case key(2, wt_length): return text(p, end, probe_id);
        case key(3, wt_varint): return varint(p, end, boot_id);
        case key(4, wt_varint): return varint(p, end, sequence);
        case key(5, wt_varint): return varint(p, end, send_time_ns);
        case key(6, wt_length): {
            std::string_view record;
            if ((p = ingest::bytes(p, end, record)) == nullptr ||
                records == static_cast<std::size_t>(max_records_per_batch))
                return nullptr;
            wire_record r;
            const auto* b = reinterpret_cast<cursor>(record.data());
            if (!read_record(b, b + record.size(), r)) return nullptr;
            if (records == out.records.size()) out.records.emplace_back();
            // A refused record: the slow path says why.
            if (decode_record(r, out.records[records])) return nullptr;
            ++records;
            return p;
        }
        default: return skip(p, end, k);
        }
    });
    if (!read || check_batch_header(schema_version, probe_id, sequence, records, send_time_ns)) return false;
    out.records.resize(records);
    out.id.probe_id.assign(probe_id);
    out.id.boot_id = boot_id;
    out.id.sequence = sequence;
    out.send_time_ns = send_time_ns;
    out.blacklist_labels.clear();
    return true;
}

}  // namespace wireflow::collector::ingest
