// The binary COPY encoder byte for byte, without a server: the layouts are
// those of PostgreSQL 15's *_recv functions (int8recv, inet_recv,
// macaddr_recv, timestamptz_recv, textrecv). store_test reads the same values
// back through a real server.
#include "store/copy_binary.hpp"
#include "store/flow_rows.hpp"

#include "model/test_records.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace wireflow::collector;
using wireflow::collector::testing::ip;
using wireflow::collector::testing::mac;

namespace {

std::vector<unsigned> bytes_of(const pg_binary::copy_buffer& b) {
    std::vector<unsigned> out;
    for (const char ch : b.bytes()) out.push_back(static_cast<unsigned char>(ch));
    return out;
}

}  // namespace

TEST_CASE("the header is the PGCOPY signature, no flags and no extension; the trailer a count of -1", "[copy_binary]") {
    pg_binary::copy_buffer b;
    b.header();
    b.trailer();
    CHECK(bytes_of(b) == std::vector<unsigned>{'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0,  // signature
                                               0, 0, 0, 0, 0, 0, 0, 0,                              // flags, extension
                                               0xff, 0xff});
}

TEST_CASE("integers are length-prefixed and big-endian, NULL is length -1", "[copy_binary]") {
    pg_binary::copy_buffer b;
    b.row(3);
    b.int2(-2);
    b.int4(0x01020304);
    b.int8(-2);
    b.int8_bits(0x8000000000000001ULL);
    b.null();
    CHECK(bytes_of(b) == std::vector<unsigned>{0, 3,                                          // field count
                                               0, 0, 0, 2, 0xff, 0xfe,                       // int2 -2
                                               0, 0, 0, 4, 1, 2, 3, 4,                       // int4
                                               0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                                               0, 0, 0, 8, 0x80, 0, 0, 0, 0, 0, 0, 1,        // uint64 bits
                                               0xff, 0xff, 0xff, 0xff});
}

TEST_CASE("an IPv4 inet is family 2, 32 bits, not cidr, 4 bytes", "[copy_binary]") {
    pg_binary::copy_buffer b;
    REQUIRE(b.inet(ip("10.1.2.3")));
    CHECK(bytes_of(b) == std::vector<unsigned>{0, 0, 0, 8, 2, 32, 0, 4, 10, 1, 2, 3});
}

TEST_CASE("an IPv6 inet is family 3 (PGSQL_AF_INET6, not the host's AF_INET6), 128 bits, 16 bytes", "[copy_binary]") {
    pg_binary::copy_buffer b;
    REQUIRE(b.inet(ip("2001:db8::ff")));
    CHECK(bytes_of(b) == std::vector<unsigned>{0, 0, 0, 20, 3, 128, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                               0,    0, 0, 0, 0, 0, 0, 0xff});
}

TEST_CASE("an address of no family writes nothing and says so", "[copy_binary]") {
    pg_binary::copy_buffer b;
    CHECK_FALSE(b.inet(wireflow::net::ip_address{}));
    CHECK(b.size() == 0);
}

TEST_CASE("a MAC is its 6 bytes, text its UTF-8 bytes unchanged", "[copy_binary]") {
    pg_binary::copy_buffer b;
    b.macaddr(mac("02:00:5e:10:00:ff"));
    b.text("caf\xc3\xa9");
    b.text("");
    CHECK(bytes_of(b) == std::vector<unsigned>{0, 0, 0, 6, 2, 0, 0x5e, 0x10, 0, 0xff,  //
                                               0, 0, 0, 5, 'c', 'a', 'f', 0xc3, 0xa9,  //
                                               0, 0, 0, 0});
}

TEST_CASE("a bytea is its bytes unchanged, NUL and high bytes included", "[copy_binary]") {
    pg_binary::copy_buffer b;
    const std::uint8_t raw[] = {0, 0x5c, 0xff, 'x'};  // NUL, backslash: no escaping in binary COPY
    b.bytea(raw);
    b.bytea({});
    CHECK(bytes_of(b) == std::vector<unsigned>{0, 0, 0, 4, 0, 0x5c, 0xff, 'x',  //
                                               0, 0, 0, 0});
}

TEST_CASE("a timestamptz counts microseconds from 2000-01-01 UTC", "[copy_binary]") {
    pg_binary::copy_buffer b;
    b.timestamptz_unix_us(946'684'800'000'000LL);  // 2000-01-01 00:00:00 UTC
    b.timestamptz_unix_us(946'684'800'000'000LL - 1);
    CHECK(bytes_of(b) == std::vector<unsigned>{0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                               0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
}

TEST_CASE("a record's microseconds truncate its nanoseconds toward zero, as wf_ns_to_timestamptz does", "[copy_binary]") {
    CHECK(flow_rows::unix_us(1'999) == 1);
    CHECK(flow_rows::unix_us(1'710'072'000'123'456'789ULL) == 1'710'072'000'123'456LL);
    // >= 2^63 is a negative bigint in SQL; bigint division truncates toward zero.
    CHECK(flow_rows::unix_us(0xffffffffffffffffULL) == 0);
    CHECK(flow_rows::unix_us(0xfffffffffffff000ULL) == -4);
}

TEST_CASE("a flow row has as many fields as the COPY names columns", "[copy_binary]") {
    std::size_t columns = 1;
    for (const char ch : flow_rows::copy_columns) columns += ch == ',';
    CHECK(columns == flow_rows::field_count);

    flow_batch batch;
    batch.id = {"p", 1, 2};
    flow_record r;
    r.client_ip = ip("10.0.0.1");
    r.server_ip = ip("10.0.0.2");
    batch.records.push_back(r);
    pg_binary::copy_buffer b;
    REQUIRE(flow_rows::encode(batch, b));
    const auto bytes = bytes_of(b);
    REQUIRE(bytes.size() > 2);
    CHECK((bytes[0] << 8 | bytes[1]) == flow_rows::field_count);
    // Every field is there: one more record, with every optional part,
    // starts exactly where the first one's fields end.
    const auto fields_of = [](const std::vector<unsigned>& v, std::size_t at) -> std::size_t {
        const std::size_t n = v[at] << 8 | v[at + 1];
        std::size_t fields = 0;
        at += 2;
        while (fields < n) {
            if (at + 4 > v.size()) return std::size_t{0};  // fewer fields than the count says
            const std::uint32_t len = v[at] << 24 | v[at + 1] << 16 | v[at + 2] << 8 | v[at + 3];
            at += 4 + (len == 0xffffffffu ? 0 : len);
            ++fields;
        }
        return at;
    };
    CHECK(fields_of(bytes, 0) == bytes.size());
    flow_record full = r;
    full.health.tcp.emplace().client_rtt_ns = 1;
    full.health.tcp->server_rtt_ns = 2;
    full.health.c2s_ttl = full.health.s2c_ttl = ttl_range{1, 2};
    full.health.dscp = 1;
    full.tunnel = flow_tunnel{wireflow::tunnel_type::gre, 1, ip("10.1.0.1"), ip("10.1.0.2")};
    full.confidence = dpi_confidence::dpi;
    full.tls = flow_tls{0x0304, std::string(32, 'a'), std::string(32, 'b'), "h2", "CN=x", "CN=y", 1, 2,
                        std::array<std::uint8_t, 20>{}};
    full.http = flow_http{"GET", "x/", "ua", 200};
    flow_batch two = batch;
    two.records.push_back(full);
    pg_binary::copy_buffer b2;
    REQUIRE(flow_rows::encode(two, b2));
    const auto bytes2 = bytes_of(b2);
    REQUIRE(fields_of(bytes2, 0) == bytes.size());
    CHECK((bytes2[bytes.size()] << 8 | bytes2[bytes.size() + 1]) == flow_rows::field_count);
    CHECK(fields_of(bytes2, bytes.size()) == bytes2.size());

    batch.records.push_back(r);
    batch.records.back().server_ip = {};
    pg_binary::copy_buffer refused;
    CHECK_FALSE(flow_rows::encode(batch, refused));
}
