#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>

#include "batch_decoder.hpp"
#include "wire_batch_reader.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::ingest;
namespace v1 = wireflow::v1;

namespace {

// A record with every field of proto/wireflow.proto set: a new field the
// fast reader does not read would make the two paths differ here.
void fill_every_field(v1::FlowRecord& r, std::uint64_t flow_id) {
    r.set_flow_id(flow_id);
    r.set_vlan(4095);
    r.set_ip_version(4);
    r.set_protocol(6);
    r.set_client_ip(std::string("\x0a\x00\x00\x01", 4));
    r.set_client_port(51000);
    r.set_server_ip(std::string("\xc0\xa8\x01\xfe", 4));
    r.set_server_port(443);
    r.set_first_seen_ns(1'700'000'000'000'000'000ull);
    r.set_last_seen_ns(1'700'000'001'000'000'000ull);
    r.set_c2s_packets(10);
    r.set_c2s_bytes(1500);
    r.set_s2c_packets(8);
    r.set_s2c_bytes(9000);
    r.set_c2s_tcp_flags(0x1b);
    r.set_s2c_tcp_flags(0x12);
    r.set_end_reason(v1::END_REASON_TCP_FIN);
    r.set_client_mac(std::string("\x00\x1b\x21\xaa\xbb\xcc", 6));
    r.set_server_mac(std::string("\x02\x00\x5e\x00\x00\x01", 6));
    r.set_worker(3);
    r.set_payload_seen(0x83);
    r.set_app_protocol(91);
    r.set_master_protocol(7);
    r.set_app_name("TLS.YouTube");
    r.set_app_category("Media");
    r.set_server_name("www.ÿoutube.example");  // not ASCII: the full UTF-8 check
    r.set_flow_risk(1ull << 20);
    r.set_dns_query_type(1);
    r.set_dns_reply_code(3);
    r.set_dns_answer_ip(std::string("\x5d\xb8\xd8\x22", 4));
    auto* t = r.mutable_tcp();
    t->set_c2s_retransmissions(1);
    t->set_s2c_retransmissions(2);
    t->set_c2s_out_of_order(3);
    t->set_s2c_out_of_order(4);
    t->set_c2s_zero_windows(5);
    t->set_s2c_zero_windows(6);
    t->set_client_rtt_ns(1'000'000);
    t->set_server_rtt_ns(0);  // set and zero: present
    r.set_c2s_ttl_min(0);
    r.set_c2s_ttl_max(64);
    r.set_s2c_ttl_min(50);
    r.set_s2c_ttl_max(255);
    r.set_dscp(46);
    auto* tu = r.mutable_tunnel();
    tu->set_type(v1::TUNNEL_TYPE_VXLAN);
    tu->set_id(0xffffff);
    tu->set_client_side_ip(std::string("\xc6\x33\x64\x01", 4));
    tu->set_server_side_ip(std::string("\xc6\x33\x64\x02", 4));
    r.set_dpi_confidence(v1::DPI_CONFIDENCE_DPI);
    auto* tls = r.mutable_tls();
    tls->set_version(0x0304);
    tls->set_ja3_client("0123456789abcdef0123456789abcdef");
    tls->set_ja3_server("fedcba9876543210fedcba9876543210");
    tls->set_cert_subject("C=US, O=Example, CN=www.example.com");
    tls->set_cert_issuer("C=US, O=Let's Encrypt, CN=R3");
    tls->set_cert_not_before_s(0);
    tls->set_cert_not_after_s(1'800'000'000);
    tls->set_alpn("h2,http/1.1");
    tls->set_cert_sha1(std::string(20, '\x7f'));
    auto* http = r.mutable_http();
    http->set_method("GET");
    http->set_url("www.example.com/index.html");
    http->set_user_agent("curl/7.88.1");
    http->set_response_code(200);
    auto* claim = r.mutable_name_claim();
    claim->set_service(v1::NAME_SERVICE_MDNS);
    claim->set_name("printer.local");
    claim->set_address(std::string("\x0a\x00\x00\x09", 4));
}

// Records that vary the way a probe's do: families, absent parts, large
// and small varints, names of every length.
void fill_varied(v1::FlowRecord& r, std::mt19937_64& rng, std::uint64_t flow_id) {
    fill_every_field(r, flow_id);
    const auto bit = [&rng] { return rng() % 2 == 0; };
    if (bit()) {
        r.set_ip_version(6);
        r.set_client_ip(std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16));
        r.set_server_ip(std::string("\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16));
        r.clear_client_mac();
        r.clear_tunnel();
    }
    if (bit()) r.clear_tcp();
    if (bit()) r.clear_tls();
    if (bit()) r.clear_http();
    if (bit()) r.clear_name_claim();
    if (bit()) {
        r.clear_c2s_ttl_min();
        r.clear_c2s_ttl_max();
    }
    if (bit()) r.clear_dscp();
    if (bit()) r.set_protocol(17), r.clear_tcp();
    // At least as many packets as the TCP events above.
    r.set_c2s_packets(6 + rng() % 1'000'000);
    r.set_c2s_bytes(r.c2s_packets() * (40 + rng() % 1460));
    r.set_s2c_packets(rng() % 3 == 0 ? 0 : 6 + rng() % 1000);
    r.set_s2c_bytes(r.s2c_packets() * (rng() % 1500));
    if (r.s2c_packets() == 0) {  // nothing to measure the server's side by
        r.clear_s2c_ttl_min();
        r.clear_s2c_ttl_max();
        r.clear_tcp();
    }
    r.set_flow_risk(rng() & 0x7fffffffffffffffull);
    r.set_server_name(std::string(rng() % 256, 'a'));
    r.set_app_name(bit() ? "" : "DNS");
}

std::string envelope_of(const v1::FlowBatch& b) {
    v1::Envelope env;
    *env.mutable_batch() = b;
    return env.SerializeAsString();
}

v1::FlowBatch batch_of(int records, std::uint64_t seed = 1) {
    v1::FlowBatch b;
    b.set_schema_version(v1::SCHEMA_VERSION_1);
    b.set_probe_id("probe-1.lab_A");
    b.set_boot_id(0xfedcba9876543210ull);
    b.set_sequence(7);
    b.set_send_time_ns(1'700'000'000'000'000'000ull);
    std::mt19937_64 rng(seed);
    for (int i = 0; i < records; ++i) fill_varied(*b.add_records(), rng, 1000 + static_cast<std::uint64_t>(i));
    return b;
}

std::span<const std::byte> bytes_of(const std::string& s) { return std::as_bytes(std::span{s.data(), s.size()}); }

// The generated parser's reading of the same message: the reference.
std::optional<flow_batch> generated(const std::string& message) {
    v1::FlowBatch lone;
    if (parse_lone_batch(bytes_of(message), lone) != lone_batch::parsed) return std::nullopt;
    flow_batch out;
    if (decode_batch(lone, out)) return std::nullopt;
    return out;
}

std::optional<flow_batch> fast(const std::string& message) {
    flow_batch out;
    if (!read_lone_batch(bytes_of(message), out)) return std::nullopt;
    return out;
}

// Protobuf's wire format by hand, for encodings a serializer never writes.
std::string varint(std::uint64_t v) {
    std::string s;
    while (v >= 0x80) {
        s.push_back(static_cast<char>(v | 0x80));
        v >>= 7;
    }
    s.push_back(static_cast<char>(v));
    return s;
}
std::string key(std::uint32_t field, std::uint32_t type) { return varint(std::uint64_t{field} << 3 | type); }
std::string length_delimited(std::uint32_t field, const std::string& body) {
    return key(field, 2) + varint(body.size()) + body;
}
// An Envelope of a FlowBatch whose first record's serialized bytes are
// followed by `extra` (so the extra fields are inside that record).
std::string with_record_extra(const v1::FlowBatch& b, const std::string& extra) {
    v1::FlowBatch head = b;
    head.clear_records();
    std::string batch = head.SerializeAsString();
    for (int i = 0; i < b.records_size(); ++i)
        batch += length_delimited(6, b.records(i).SerializeAsString() + (i == 0 ? extra : ""));
    return length_delimited(1, batch);
}

}  // namespace

TEST_CASE("a serializer's batch reads exactly as the generated parser and decode_batch read it", "[wire_batch_reader]") {
    for (const std::uint64_t seed : {1u, 2u, 3u, 4u}) {
        const std::string message = envelope_of(batch_of(200, seed));
        const auto reference = generated(message);
        REQUIRE(reference.has_value());
        const auto got = fast(message);
        REQUIRE(got.has_value());
        CHECK(*got == *reference);
    }
    // Every field, once: each one reaches the flow_record.
    v1::FlowBatch b = batch_of(0);
    fill_every_field(*b.add_records(), 5);
    const auto got = fast(envelope_of(b));
    REQUIRE(got.has_value());
    REQUIRE(got->records.size() == 1);
    const flow_record& r = got->records[0];
    CHECK(got->id == batch_id{"probe-1.lab_A", 0xfedcba9876543210ull, 7});
    CHECK(r.payload_seen == 0x83);
    CHECK(r.server_name == "www.ÿoutube.example");
    REQUIRE(r.health.tcp.has_value());
    CHECK(r.health.tcp->server_rtt_ns == std::optional<std::uint64_t>{0});
    CHECK(r.health.c2s_ttl == ttl_range{0, 64});
    CHECK(r.health.dscp == std::optional<std::uint8_t>{46});
    REQUIRE(r.tunnel.has_value());
    CHECK(r.tunnel->id == 0xffffff);
    REQUIRE(r.tls.has_value());
    CHECK(r.tls->cert_not_before_s == std::optional<std::uint64_t>{0});
    CHECK(r.tls->alpn == "h2,http/1.1");
    REQUIRE(r.http.has_value());
    CHECK(r.http->response_code == 200);
    REQUIRE(r.name_claim.has_value());
    CHECK(r.name_claim->name == "printer.local");
    CHECK(r.confidence == dpi_confidence::dpi);
    CHECK(*got == *generated(envelope_of(b)));
}

TEST_CASE("a newer probe's unknown fields are skipped by both readers alike", "[wire_batch_reader]") {
    const v1::FlowBatch b = batch_of(3);
    // Field 99 in each plain wire type, inside the first record.
    const std::string extra = key(99, 0) + varint(1ull << 40) + key(100, 1) + std::string(8, '\x01') +
                              length_delimited(101, "\xff\xfe not even UTF-8") + key(102, 5) + std::string(4, '\x02');
    const std::string message = with_record_extra(b, extra);
    const auto reference = generated(message);
    REQUIRE(reference.has_value());
    const auto got = fast(message);
    REQUIRE(got.has_value());
    CHECK(*got == *reference);
}

TEST_CASE("varints of every length read as the generated parser reads them, at any distance from the end", "[wire_batch_reader]") {
    const v1::FlowBatch b = batch_of(1);
    std::vector<std::uint64_t> values{0, ~0ull, 1ull << 63};
    for (int bits = 1; bits <= 64; ++bits) {
        const std::uint64_t top = bits == 64 ? ~0ull : (1ull << bits) - 1;
        values.push_back(top);
        values.push_back(top ^ (top >> 1));          // only the top bit: zero groups below
        values.push_back(top & 0x5555555555555555ull);
    }
    for (const std::uint64_t v : values)
        for (std::size_t tail = 0; tail <= 12; tail += tail == 0 ? 3 : 1) {
            // flow_id (field 1) sent again last in the record (both readers
            // keep the last), then `tail` bytes of an unknown field (its key
            // takes 2 bytes, its length 1): the varint ends 0 to 12 bytes
            // before the record does.
            std::string extra = key(1, 0) + varint(v);
            if (tail != 0) extra += length_delimited(99, std::string(tail - 3, 'x'));
            const std::string message = with_record_extra(b, extra);
            const auto reference = generated(message);
            REQUIRE(reference.has_value());
            const auto got = fast(message);
            REQUIRE(got.has_value());
            CHECK(got->records[0].flow_id == v);
            CHECK(*got == *reference);
        }
    // Non-canonical or impossible ones are declined (the parser then decides),
    // last in the record (the byte loop) and with 10 bytes after them (the
    // word read).
    for (const std::string& after : {std::string(), length_delimited(99, std::string(7, 'x'))})
        for (const std::string& bad : {std::string("\x80\x80\x80\x00", 4),                       // padded, 4 bytes
                                       std::string("\xff\xff\xff\xff\xff\xff\xff\x80\x00", 9),  // padded, 9 bytes
                                       std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10),  // 65 bits
                                       std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 10),  // padded, 10 bytes
                                       std::string(11, '\xff') + '\x01'}) {                        // 12 bytes
            CHECK_FALSE(fast(with_record_extra(b, key(1, 0) + bad + after)).has_value());
        }
    // Cut short: the record ends inside the varint.
    for (std::size_t n = 1; n < 10; ++n)
        CHECK_FALSE(fast(with_record_extra(b, key(1, 0) + std::string(n, '\xff'))).has_value());
}

TEST_CASE("what the fast reader does not take is left to the generated parser", "[wire_batch_reader]") {
    const v1::FlowBatch good = batch_of(2);

    SECTION("a record decode_batch refuses: the slow path says why") {
        v1::FlowBatch b = good;
        b.mutable_records(1)->set_client_ip("\x01\x02\x03");
        CHECK_FALSE(fast(envelope_of(b)));
        v1::FlowBatch lone;
        flow_batch out;
        REQUIRE(parse_lone_batch(bytes_of(envelope_of(b)), lone) == lone_batch::parsed);
        CHECK(decode_batch(lone, out) == reject_reason::ip_length);
    }
    SECTION("a bad batch header") {
        v1::FlowBatch b = good;
        b.set_sequence(0);
        CHECK_FALSE(fast(envelope_of(b)));
        b = good;
        b.set_probe_id("no spaces");
        CHECK_FALSE(fast(envelope_of(b)));
        b = good;
        b.set_schema_version(v1::SCHEMA_VERSION_UNSPECIFIED);
        CHECK_FALSE(fast(envelope_of(b)));
    }
    SECTION("invalid UTF-8, which fails the generated parse altogether") {
        v1::FlowBatch b = good;
        b.mutable_records(0)->set_app_name("\xc3\x28");
        CHECK_FALSE(fast(envelope_of(b)));
    }
    SECTION("a sub-message twice: the parser merges, the fast path declines") {
        v1::FlowBatch b = good;
        fill_every_field(*b.mutable_records(0), 1);  // with a TLS part
        v1::TlsInfo second;
        second.set_alpn("h3");
        const std::string message = with_record_extra(b, length_delimited(48, second.SerializeAsString()));
        CHECK_FALSE(fast(message));
        const auto merged = generated(message);
        REQUIRE(merged.has_value());
        CHECK(merged->records[0].tls->alpn == "h3");
        CHECK(merged->records[0].tls->version == 0x0304);  // kept from the first occurrence
    }
    SECTION("a string twice: the parser checks both, so the fast path declines") {
        // Found by fuzz_batch_decoder: an invalid server name overridden by
        // a valid one fails the generated parse altogether.
        const std::string message =
            with_record_extra(good, length_delimited(34, "ok.example") + length_delimited(34, "ok.example"));
        CHECK_FALSE(fast(message));
        CHECK(generated(message).has_value());
        v1::FlowBatch b = good;
        b.mutable_records(0)->clear_server_name();
        const std::string invalid_first =
            with_record_extra(b, length_delimited(34, "U\x86known") + length_delimited(34, "plain.example.com"));
        CHECK_FALSE(fast(invalid_first));
        CHECK_FALSE(generated(invalid_first).has_value());
    }
    SECTION("a scalar twice: the last wins on both paths") {
        const std::string message = with_record_extra(good, key(2, 0) + varint(77));
        const auto got = fast(message);
        REQUIRE(got.has_value());
        CHECK(got->records[0].vlan == 77);
        CHECK(*got == *generated(message));
    }
    SECTION("encodings a serializer never writes") {
        // A padded varint (vlan 1 in two bytes), a group, field number 0.
        for (const std::string& extra : {key(2, 0) + std::string("\x81\x00", 2), key(99, 3) + key(99, 4),
                                         std::string("\x02\x00", 2)})
            CHECK_FALSE(fast(with_record_extra(good, extra)));
    }
    SECTION("a known field in another wire type is an unknown field to both") {
        const std::string message = with_record_extra(good, key(2, 2) + varint(1) + "x" + key(32, 0) + varint(5));
        const auto got = fast(message);
        REQUIRE(got.has_value());
        CHECK(*got == *generated(message));
    }
    SECTION("another message, or a batch with company") {
        v1::Envelope stats;
        stats.mutable_stats()->set_probe_id("p");
        CHECK_FALSE(fast(stats.SerializeAsString()));
        CHECK_FALSE(fast(envelope_of(good) + key(2, 2) + varint(0)));
        CHECK_FALSE(fast(""));
    }
    SECTION("every truncation of a good message") {
        const std::string message = envelope_of(good);
        for (std::size_t n = 0; n < message.size(); ++n) CHECK_FALSE(fast(message.substr(0, n)));
    }
}

TEST_CASE("a reused batch keeps nothing of the batch read into it before", "[wire_batch_reader]") {
    flow_batch reused;
    const std::string big = envelope_of(batch_of(50, 9));
    REQUIRE(read_lone_batch(bytes_of(big), reused));
    reused.blacklist_labels = {"", "spamhaus"};
    reused.records[0].client_blacklist = 1;
    v1::FlowBatch small = batch_of(0);
    auto* r = small.add_records();
    fill_every_field(*r, 1);
    r->clear_tls();
    r->clear_http();
    r->clear_name_claim();
    r->clear_tcp();
    r->clear_tunnel();
    r->clear_client_mac();
    const std::string message = envelope_of(small);
    REQUIRE(read_lone_batch(bytes_of(message), reused));
    CHECK(reused == *generated(message));
    CHECK(reused.records.size() == 1);
    CHECK(reused.blacklist_labels.empty());
}

TEST_CASE("a reused record's TLS, HTTP, claim and health are rewritten whole, by both readers", "[wire_batch_reader]") {
    // decode_record writes these parts into the recycled record in place (a
    // reused handshake keeps its strings' capacity): each field the second
    // batch lacks must be gone, not left from the first.
    v1::FlowBatch first = batch_of(0);
    fill_every_field(*first.add_records(), 1);
    v1::FlowBatch second = batch_of(0);
    auto* r = second.add_records();
    fill_every_field(*r, 2);
    r->mutable_tls()->clear_cert_sha1();
    r->mutable_tls()->clear_alpn();
    r->mutable_tls()->clear_cert_not_before_s();
    r->mutable_http()->clear_user_agent();
    r->mutable_http()->set_url("b");
    r->mutable_name_claim()->set_name("scanner.local");
    r->mutable_name_claim()->set_address(std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16));
    r->clear_dscp();
    r->mutable_tcp()->clear_client_rtt_ns();
    r->mutable_tcp()->clear_server_rtt_ns();
    const std::string message = envelope_of(second);
    const auto reference = generated(message);
    REQUIRE(reference.has_value());
    REQUIRE(!reference->records[0].tls->cert_sha1.has_value());

    flow_batch fast_reused;
    REQUIRE(read_lone_batch(bytes_of(envelope_of(first)), fast_reused));
    REQUIRE(read_lone_batch(bytes_of(message), fast_reused));
    CHECK(fast_reused == *reference);

    v1::Envelope env;
    flow_batch slow_reused;
    REQUIRE(env.ParseFromString(envelope_of(first)));
    REQUIRE(!decode_batch(env.batch(), slow_reused));
    REQUIRE(env.ParseFromString(message));
    REQUIRE(!decode_batch(env.batch(), slow_reused));
    CHECK(slow_reused == *reference);

    // And a record with none of them after one with all.
    v1::FlowBatch bare = batch_of(0);
    auto* b = bare.add_records();
    fill_every_field(*b, 3);
    b->clear_tls();
    b->clear_http();
    b->clear_name_claim();
    b->clear_tcp();
    b->clear_dscp();
    b->clear_c2s_ttl_min();
    b->clear_c2s_ttl_max();
    REQUIRE(read_lone_batch(bytes_of(envelope_of(bare)), fast_reused));
    CHECK(fast_reused == *generated(envelope_of(bare)));
}
