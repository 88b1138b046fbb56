#pragma once
// PostgreSQL's binary COPY format, written into a reusable byte buffer
// (PostgreSQL 15 manual, COPY, "Binary Format"; the wire form of each type is
// its *_send function in src/backend/utils/adt). Integers are big-endian,
// every field is an int32 length then its bytes, -1 for NULL. Nothing is
// formatted as text: an inet travels as family, prefix bits, flag, length and
// address bytes, exactly what inet_recv reads back.
//
// Internal to collector/store. The buffer is cleared and refilled per write,
// so a busy collector allocates only while a group is larger than any before.

#include "net/ip_address.hpp"
#include "net/mac_address.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace wireflow::collector::pg_binary {

// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC), the
// origin of the int8 a timestamptz is sent as.
inline constexpr std::int64_t pg_epoch_unix_us = 946'684'800'000'000LL;

// inet's address family byte: PGSQL_AF_INET is AF_INET (2), PGSQL_AF_INET6
// AF_INET + 1 (3) on every platform (utils/inet.h), not the host's AF_INET6.
inline constexpr std::uint8_t pgsql_af_inet = 2;
inline constexpr std::uint8_t pgsql_af_inet6 = 3;

class copy_buffer {
public:
    void clear() noexcept { bytes_.clear(); }
    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
    [[nodiscard]] std::span<const char> bytes() const noexcept { return {bytes_.data(), bytes_.size()}; }
    [[nodiscard]] std::span<const char> bytes(std::size_t from, std::size_t to) const noexcept {
        return std::span<const char>(bytes_).subspan(from, to - from);
    }

    // "PGCOPY\n\377\r\n\0", flags 0 (no OIDs), header extension length 0.
    void header() {
        static constexpr char signature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0'};
        put(signature, sizeof signature);
        be32(0);
        be32(0);
    }
    // The file trailer: a field count of -1.
    void trailer() { be16(0xffff); }

    // Starts a tuple of `fields` fields.
    void row(std::uint16_t fields) { be16(fields); }

    void null() { be32(0xffffffffu); }
    void int2(std::int16_t v) {
        be32(2);
        be16(static_cast<std::uint16_t>(v));
    }
    void int4(std::int32_t v) {
        be32(4);
        be32(static_cast<std::uint32_t>(v));
    }
    void int8(std::int64_t v) {
        be32(8);
        be64(static_cast<std::uint64_t>(v));
    }
    // uint64 into bigint, the same 64 bits (collector/store/schema.cpp).
    void int8_bits(std::uint64_t v) {
        be32(8);
        be64(v);
    }
    // timestamptz from microseconds since the Unix epoch (integer datetimes,
    // the only kind PostgreSQL 10+ builds). The server checks the range.
    void timestamptz_unix_us(std::int64_t us) { int8(us - pg_epoch_unix_us); }
    // text: the bytes as they are. The server verifies the encoding (no NUL,
    // valid UTF-8 when client and server encodings are UTF8).
    void text(std::string_view s) {
        be32(static_cast<std::uint32_t>(s.size()));
        put(s.data(), s.size());
    }
    // bytea: the bytes as they are (byteasend sends them raw, no escaping).
    void bytea(std::span<const std::uint8_t> b) {
        be32(static_cast<std::uint32_t>(b.size()));
        put(b.data(), b.size());
    }
    // inet of a host address (/32 or /128, is_cidr 0). False, and nothing
    // written, for an address of no family.
    [[nodiscard]] bool inet(const net::ip_address& a) {
        const bool v4 = a.is_v4();
        if (!v4 && !a.is_v6()) return false;
        const std::uint8_t n = v4 ? 4 : 16;
        be32(4u + n);
        const char head[4] = {static_cast<char>(v4 ? pgsql_af_inet : pgsql_af_inet6), static_cast<char>(v4 ? 32 : 128), 0,
                              static_cast<char>(n)};
        put(head, sizeof head);
        put(a.bytes.data(), n);
        return true;
    }
    void macaddr(const net::mac_address& m) {
        be32(6);
        put(m.bytes.data(), m.bytes.size());
    }

private:
    void put(const void* p, std::size_t n) { bytes_.append(static_cast<const char*>(p), n); }
    static constexpr bool little = std::endian::native == std::endian::little;
    void be16(std::uint16_t v) {
        if constexpr (little) v = __builtin_bswap16(v);
        put(&v, sizeof v);
    }
    void be32(std::uint32_t v) {
        if constexpr (little) v = __builtin_bswap32(v);
        put(&v, sizeof v);
    }
    void be64(std::uint64_t v) {
        if constexpr (little) v = __builtin_bswap64(v);
        put(&v, sizeof v);
    }

    std::string bytes_;
};

}  // namespace wireflow::collector::pg_binary
