#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "batch_decoder.hpp"
#include "model/test_records.hpp"
#include "net/utf8.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::ingest;
using wireflow::collector::testing::ip;
using wireflow::collector::testing::mac;
namespace v1 = wireflow::v1;

namespace {

v1::FlowBatch good_batch() {
    v1::FlowBatch b;
    b.set_schema_version(v1::SCHEMA_VERSION_1);
    b.set_probe_id("probe-1.lab_A");
    b.set_boot_id(0xfedcba9876543210ull);
    b.set_sequence(7);
    b.set_send_time_ns(1'700'000'000'000'000'000ull);
    auto* r = b.add_records();
    r->set_flow_id(42);
    r->set_vlan(10);
    r->set_ip_version(4);
    r->set_protocol(6);
    r->set_client_ip(std::string("\x0a\x00\x00\x01", 4));
    r->set_client_port(51000);
    r->set_server_ip(std::string("\xc0\xa8\x01\xfe", 4));
    r->set_server_port(443);
    r->set_first_seen_ns(1'700'000'000'000'000'000ull);
    r->set_last_seen_ns(1'700'000'001'000'000'000ull);
    r->set_c2s_packets(10);
    r->set_c2s_bytes(1500);
    r->set_s2c_packets(8);
    r->set_s2c_bytes(9000);
    r->set_c2s_tcp_flags(0x1b);
    r->set_s2c_tcp_flags(0x12);
    r->set_end_reason(v1::END_REASON_TCP_FIN);
    r->set_client_mac(std::string("\x00\x1b\x21\xaa\xbb\xcc", 6));
    r->set_app_protocol(91);
    r->set_master_protocol(91);
    r->set_app_name("TLS.YouTube");
    r->set_app_category("Media");
    r->set_server_name("www.youtube.com");
    r->set_flow_risk(1ull << 20);
    auto* r6 = b.add_records();
    *r6 = *r;
    r6->set_ip_version(6);
    r6->set_client_ip(std::string("\x20\x01\x0d\xb8" "\0\0\0\0" "\0\0\0\0" "\0\0\0\x01", 16));
    r6->set_server_ip(std::string("\xfe\x80" "\0\0\0\0\0\0" "\0\0\0\0" "\0\0\0\x02", 16));
    r6->clear_client_mac();
    return b;
}

std::optional<reject_reason> decode(const v1::FlowBatch& b) {
    flow_batch out;
    return decode_batch(b, out);
}

}  // namespace

TEST_CASE("a well-formed batch converts field by field into binary addresses", "[batch_decoder]") {
    flow_batch out;
    REQUIRE_FALSE(decode_batch(good_batch(), out).has_value());
    CHECK(out.id == batch_id{"probe-1.lab_A", 0xfedcba9876543210ull, 7});
    CHECK(out.send_time_ns == 1'700'000'000'000'000'000ull);
    REQUIRE(out.records.size() == 2);
    const auto& r = out.records[0];
    CHECK(r.flow_id == 42);
    CHECK(r.vlan == 10);
    CHECK(r.ip_version() == 4);
    CHECK(r.protocol == 6);
    CHECK(r.client_ip == ip("10.0.0.1"));
    CHECK(r.client_port == 51000);
    CHECK(r.server_ip == ip("192.168.1.254"));
    CHECK(r.server_port == 443);
    CHECK(r.first_seen_ns == 1'700'000'000'000'000'000ull);
    CHECK(r.last_seen_ns == 1'700'000'001'000'000'000ull);
    CHECK(r.c2s_packets == 10);
    CHECK(r.c2s_bytes == 1500);
    CHECK(r.s2c_packets == 8);
    CHECK(r.s2c_bytes == 9000);
    CHECK(r.c2s_tcp_flags == 0x1b);
    CHECK(r.s2c_tcp_flags == 0x12);
    CHECK(r.reason == wireflow::end_reason::tcp_fin);
    CHECK(r.client_mac == mac("00:1b:21:aa:bb:cc"));
    CHECK_FALSE(r.server_mac);
    CHECK(r.app_protocol == 91);
    CHECK(r.app_name == "TLS.YouTube");
    CHECK(r.app_category == "Media");
    CHECK(r.server_name == "www.youtube.com");
    CHECK(r.flow_risk == 1ull << 20);
    CHECK(r.client_blacklist == 0);
    CHECK(out.blacklist_labels.empty());
    CHECK(out.records[1].ip_version() == 6);
    CHECK(out.records[1].client_ip == ip("2001:db8::1"));
    CHECK(out.records[1].server_ip == ip("fe80::2"));
}

TEST_CASE("decoding into a reused batch leaves no blacklist mark of the previous one", "[batch_decoder]") {
    flow_batch out;
    REQUIRE_FALSE(decode_batch(good_batch(), out).has_value());
    out.records[0].client_blacklist = out.label_for("list.txt");
    out.records[1].server_blacklist = out.records[0].client_blacklist;
    REQUIRE_FALSE(decode_batch(good_batch(), out).has_value());
    CHECK(out.blacklist_labels.empty());
    CHECK(out.records[0].client_blacklist == 0);
    CHECK(out.records[1].server_blacklist == 0);
    CHECK(out.blacklist_text(1).empty());
}

TEST_CASE("a reused batch decodes a sparser batch exactly as a fresh one does", "[batch_decoder]") {
    // batch_recycler hands spent batches back to decode_batch: nothing of
    // the previous contents (strings, MACs, counters) may survive.
    v1::FlowBatch sparse = good_batch();
    sparse.mutable_records()->RemoveLast();
    auto* r = sparse.mutable_records(0);
    r->clear_app_name();
    r->clear_app_category();
    r->clear_server_name();
    r->clear_client_mac();
    r->clear_flow_risk();
    r->set_c2s_tcp_flags(0);
    r->set_payload_seen(0);
    flow_batch reused, fresh;
    REQUIRE_FALSE(decode_batch(good_batch(), reused).has_value());
    REQUIRE_FALSE(decode_batch(sparse, reused).has_value());
    REQUIRE_FALSE(decode_batch(sparse, fresh).has_value());
    REQUIRE(reused.records.size() == 1);
    const auto& a = reused.records[0];
    const auto& b = fresh.records[0];
    CHECK(a.app_name.empty());
    CHECK(a.app_category.empty());
    CHECK(a.server_name.empty());
    CHECK_FALSE(a.client_mac.has_value());
    CHECK(a.server_mac == b.server_mac);
    CHECK(a.flow_risk == 0);
    CHECK(a.c2s_tcp_flags == 0);
    CHECK(a.payload_seen == b.payload_seen);
    CHECK(a.client_ip == b.client_ip);
    CHECK(a.server_ip == b.server_ip);
    CHECK(a.flow_id == b.flow_id);
    CHECK(a.first_seen_ns == b.first_seen_ns);
    CHECK(a.last_seen_ns == b.last_seen_ns);
    CHECK(a.c2s_bytes == b.c2s_bytes);
    CHECK(a.s2c_bytes == b.s2c_bytes);
    CHECK(a.reason == b.reason);
    CHECK(a.app_protocol == b.app_protocol);
    CHECK(a.client_blacklist == 0);
}

TEST_CASE("a batch of another schema version is rejected", "[batch_decoder]") {
    auto b = good_batch();
    b.set_schema_version(v1::SCHEMA_VERSION_UNSPECIFIED);
    CHECK(decode(b) == reject_reason::schema_version);
    b.set_schema_version(static_cast<v1::SchemaVersion>(2));
    CHECK(decode(b) == reject_reason::schema_version);
}

TEST_CASE("probe ids outside [A-Za-z0-9._-]{1,64} are rejected", "[batch_decoder]") {
    for (const std::string& id : {std::string(), std::string(65, 'a'), std::string("probe 1"), std::string("p;drop"),
                                 std::string("pr\xc3\xa9")}) {
        auto b = good_batch();
        b.set_probe_id(id);
        CHECK(decode(b) == reject_reason::probe_id);
    }
    auto b = good_batch();
    b.set_probe_id(std::string(64, 'z'));
    CHECK_FALSE(decode(b).has_value());
}

TEST_CASE("sequence zero is rejected because probes count from one", "[batch_decoder]") {
    auto b = good_batch();
    b.set_sequence(0);
    CHECK(decode(b) == reject_reason::sequence);
}

TEST_CASE("address lengths must match the IP version", "[batch_decoder]") {
    auto b = good_batch();
    b.mutable_records(0)->set_client_ip(std::string(16, '\1'));
    CHECK(decode(b) == reject_reason::ip_length);
    b = good_batch();
    b.mutable_records(1)->set_server_ip(std::string(4, '\1'));
    CHECK(decode(b) == reject_reason::ip_length);
    b = good_batch();
    b.mutable_records(0)->set_server_ip("");
    CHECK(decode(b) == reject_reason::ip_length);
    b = good_batch();
    b.mutable_records(0)->set_ip_version(5);
    CHECK(decode(b) == reject_reason::ip_version);
}

TEST_CASE("MAC addresses are six bytes or absent", "[batch_decoder]") {
    auto b = good_batch();
    b.mutable_records(0)->set_server_mac(std::string(5, '\1'));
    CHECK(decode(b) == reject_reason::mac_length);
}

TEST_CASE("strings must be valid UTF-8 without NUL", "[batch_decoder]") {
    for (const std::string& bad : {std::string("\xff"), std::string("a\xc3"), std::string("\xc0\xaf"),  // overlong '/'
                                  std::string("\xed\xa0\x80"),                                      // surrogate
                                  std::string("\xf4\x90\x80\x80"),                                  // > U+10FFFF
                                  std::string("a\0b", 3)}) {
        auto b = good_batch();
        b.mutable_records(1)->set_server_name(bad);
        CHECK(decode(b) == reject_reason::bad_utf8);
    }
    CHECK(wireflow::net::valid_utf8_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 '; DROP TABLE flows; --"));
}

TEST_CASE("a NUL or an invalid byte is found at every position of a long name", "[batch_decoder]") {
    // The ASCII fast path reads eight bytes at a time, then a tail.
    const std::string plain = "abcdefghijklmnopqrstu";  // 21 bytes: two words and a tail
    auto ok = good_batch();
    ok.mutable_records(1)->set_server_name(plain);
    CHECK_FALSE(decode(ok).has_value());
    ok.mutable_records(1)->set_server_name("caf\xc3\xa9-and-more-than-eight.example");
    CHECK_FALSE(decode(ok).has_value());
    for (std::size_t at = 0; at < plain.size(); ++at) {
        for (const char c : {'\0', '\xff', '\x80'}) {
            std::string bad = plain;
            bad[at] = c;
            auto b = good_batch();
            b.mutable_records(1)->set_server_name(bad);
            CHECK(decode(b) == reject_reason::bad_utf8);
        }
    }
}

TEST_CASE("strings longer than their bound are rejected", "[batch_decoder]") {
    auto b = good_batch();
    b.mutable_records(0)->set_server_name(std::string(256, 'a'));
    CHECK(decode(b) == reject_reason::string_too_long);
    b.mutable_records(0)->set_server_name(std::string(255, 'a'));
    CHECK_FALSE(decode(b).has_value());
    b.mutable_records(0)->set_app_name(std::string(65, 'a'));
    CHECK(decode(b) == reject_reason::string_too_long);
    b = good_batch();
    b.mutable_records(0)->set_app_category(std::string(65, 'a'));
    CHECK(decode(b) == reject_reason::string_too_long);
}

TEST_CASE("counters out of range are rejected", "[batch_decoder]") {
    const auto with = [](auto mutate) {
        auto b = good_batch();
        mutate(*b.mutable_records(0));
        return decode(b);
    };
    CHECK(with([](v1::FlowRecord& r) { r.set_vlan(4096); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.set_client_port(65536); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.set_protocol(256); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.set_c2s_tcp_flags(0x100); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.set_last_seen_ns(r.first_seen_ns() - 1); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.set_c2s_bytes(1ull << 63); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.set_c2s_packets(0); }) == reject_reason::counts);  // bytes without packets
    CHECK(with([](v1::FlowRecord& r) { r.set_s2c_bytes(8 * 70000ull); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) {
              r.set_c2s_packets(0), r.set_c2s_bytes(0), r.set_s2c_packets(0), r.set_s2c_bytes(0);
          }) == reject_reason::counts);
}

TEST_CASE("an empty batch is valid and carries only its identity", "[batch_decoder]") {
    auto b = good_batch();
    b.clear_records();
    flow_batch out;
    CHECK_FALSE(decode_batch(b, out).has_value());
    CHECK(out.records.empty());
}

TEST_CASE("garbage bytes are not an envelope", "[batch_decoder]") {
    const std::string junk = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff garbage";
    v1::Envelope e;
    CHECK_FALSE(parse_envelope(std::as_bytes(std::span{junk.data(), junk.size()}), e));
    v1::Envelope good;
    *good.mutable_batch() = good_batch();
    const auto bytes = good.SerializeAsString();
    CHECK(parse_envelope(std::as_bytes(std::span{bytes.data(), bytes.size()}), e));
    CHECK(e.has_batch());
}

namespace {
std::span<const std::byte> as_span(const std::string& s) { return std::as_bytes(std::span{s.data(), s.size()}); }
}  // namespace

TEST_CASE("an envelope holding only a batch parses lone into the same batch", "[batch_decoder]") {
    v1::Envelope env;
    *env.mutable_batch() = good_batch();
    const auto bytes = env.SerializeAsString();
    v1::FlowBatch lone;
    REQUIRE(parse_lone_batch(as_span(bytes), lone) == lone_batch::parsed);
    CHECK(lone.SerializeAsString() == good_batch().SerializeAsString());
}

TEST_CASE("a reused lone batch keeps nothing of the previous message", "[batch_decoder]") {
    v1::Envelope big, small;
    *big.mutable_batch() = good_batch();
    *small.mutable_batch() = good_batch();
    small.mutable_batch()->mutable_records()->RemoveLast();
    small.mutable_batch()->mutable_records(0)->clear_server_name();
    small.mutable_batch()->set_sequence(8);
    v1::FlowBatch lone;
    REQUIRE(parse_lone_batch(as_span(big.SerializeAsString()), lone) == lone_batch::parsed);
    REQUIRE(parse_lone_batch(as_span(small.SerializeAsString()), lone) == lone_batch::parsed);
    CHECK(lone.SerializeAsString() == small.batch().SerializeAsString());
}

TEST_CASE("anything but one batch field spanning the message is not a lone batch", "[batch_decoder]") {
    v1::FlowBatch lone;
    v1::Envelope stats;
    stats.mutable_stats()->set_probe_id("p");
    CHECK(parse_lone_batch(as_span(stats.SerializeAsString()), lone) == lone_batch::not_lone);
    v1::Envelope env;
    *env.mutable_batch() = good_batch();
    const auto bytes = env.SerializeAsString();
    // A second field after the batch (here the batch again: protobuf would merge).
    CHECK(parse_lone_batch(as_span(bytes + bytes), lone) == lone_batch::not_lone);
    CHECK(parse_lone_batch(as_span(bytes.substr(0, bytes.size() - 1)), lone) == lone_batch::not_lone);
    CHECK(parse_lone_batch(as_span(std::string()), lone) == lone_batch::not_lone);
    const std::string junk = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff garbage";
    CHECK(parse_lone_batch(as_span(junk), lone) == lone_batch::not_lone);
}

TEST_CASE("a lone batch with invalid UTF-8 is invalid, as the envelope parse says", "[batch_decoder]") {
    v1::Envelope env;
    *env.mutable_batch() = good_batch();
    auto bytes = env.SerializeAsString();
    const auto at = bytes.find("www.youtube.com");
    REQUIRE(at != std::string::npos);
    bytes[at] = '\xff';
    v1::FlowBatch lone;
    v1::Envelope e;
    CHECK(parse_lone_batch(as_span(bytes), lone) == lone_batch::invalid);
    CHECK_FALSE(parse_envelope(as_span(bytes), e));
}

TEST_CASE("every reject reason has a distinct name", "[batch_decoder]") {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < reject_reason_count; ++i) names.insert(to_string(static_cast<reject_reason>(i)));
    CHECK(names.size() == reject_reason_count);
    CHECK_FALSE(names.contains("unknown"));
}

TEST_CASE("probe stats convert and hostile device names are rejected", "[batch_decoder]") {
    v1::ProbeStats s;
    s.set_schema_version(v1::SCHEMA_VERSION_1);
    s.set_probe_id("p1");
    s.set_boot_id(9);
    s.set_time_ns(123);
    auto* port = s.add_ports();
    port->set_name("net_pcap0");
    port->set_imissed(5);
    auto* w = s.add_workers();
    w->set_worker(2);
    w->set_ring_full_drops(3);
    s.set_export_drops(4);
    s.set_last_sequence(77);
    probe_stats out;
    REQUIRE_FALSE(decode_probe_stats(s, out).has_value());
    CHECK(out.probe_id == "p1");
    CHECK(out.boot_id == 9);
    REQUIRE(out.ports.size() == 1);
    CHECK(out.ports[0].name == "net_pcap0");
    CHECK(out.ports[0].imissed == 5);
    REQUIRE(out.workers.size() == 1);
    CHECK(out.workers[0].worker == 2);
    CHECK(out.workers[0].ring_full_drops == 3);
    CHECK(out.export_drops == 4);
    CHECK(out.last_sequence == 77);
    port->set_name("bad\xff");
    CHECK(decode_probe_stats(s, out) == reject_reason::bad_utf8);
    port->set_name("ok");
    s.set_probe_id("no spaces");
    CHECK(decode_probe_stats(s, out) == reject_reason::probe_id);
    s.set_probe_id("p1");
    s.set_schema_version(v1::SCHEMA_VERSION_UNSPECIFIED);
    CHECK(decode_probe_stats(s, out) == reject_reason::schema_version);
}

TEST_CASE("the identity of a batch with invalid UTF-8 is still readable for a REJECTED ack", "[batch_decoder]") {
    // A probe built without its own UTF-8 check: proto3 parsing refuses the
    // message, but the probe must still hear REJECTED or it re-sends forever.
    v1::Envelope e;
    *e.mutable_batch() = good_batch();
    e.mutable_batch()->mutable_records(0)->set_server_name(std::string("\xff\xfe", 2));
    std::string bytes;
    {
        google::protobuf::LogSilencer quiet;
        bytes = e.SerializePartialAsString();
    }
    const auto span = std::as_bytes(std::span{bytes.data(), bytes.size()});
    v1::Envelope parsed;
    {
        google::protobuf::LogSilencer quiet;
        CHECK_FALSE(parse_envelope(span, parsed));
    }
    const auto s = sniff_batch_identity(span);
    CHECK(s.wire_format_ok);
    REQUIRE(s.id.has_value());
    CHECK(*s.id == batch_id{"probe-1.lab_A", 0xfedcba9876543210ull, 7});
}

TEST_CASE("garbage has no identity and is not wire format", "[batch_decoder]") {
    const std::string junk = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff garbage";
    const auto s = sniff_batch_identity(std::as_bytes(std::span{junk.data(), junk.size()}));
    CHECK_FALSE(s.wire_format_ok);
    CHECK_FALSE(s.id.has_value());
}

TEST_CASE("a DNS record's answer is an address of 4 or 16 bytes, kept only in a DNS flow", "[batch_decoder]") {
    auto b = good_batch();
    auto* r = b.mutable_records(0);
    r->set_dns_query_type(28);
    r->set_dns_reply_code(0);
    r->set_dns_answer_ip(std::string("\x20\x01\x0d\xb8" "\0\0\0\0" "\0\0\0\0" "\0\0\0\x07", 16));
    flow_batch out;
    REQUIRE_FALSE(decode_batch(b, out));
    CHECK(out.records[0].is_dns());
    CHECK(out.records[0].dns_query_type == 28);
    REQUIRE(out.records[0].dns_answer);
    CHECK(out.records[0].dns_answer->to_string() == "2001:db8::7");  // another family than the flow's: allowed
    CHECK_FALSE(out.records[1].is_dns());
    CHECK_FALSE(out.records[1].dns_answer);

    b.mutable_records(1)->set_dns_answer_ip(std::string("\xc6\x33\x64\x07", 4));  // not a DNS flow
    REQUIRE_FALSE(decode_batch(b, out));
    CHECK_FALSE(out.records[1].dns_answer);

    r->set_dns_answer_ip(std::string(5, '\1'));
    CHECK(decode(b) == reject_reason::ip_length);
    r->clear_dns_answer_ip();
    r->set_dns_query_type(65536);
    CHECK(decode(b) == reject_reason::counts);
    r->set_dns_query_type(1);
    r->set_dns_reply_code(256);
    CHECK(decode(b) == reject_reason::counts);
}

TEST_CASE("tcp health, ttl ranges and dscp decode; an older probe's record leaves them unknown", "[batch_decoder]") {
    auto b = good_batch();
    {
        flow_batch out;
        REQUIRE_FALSE(decode_batch(b, out));
        CHECK(out.records[0].health == flow_health{});  // no field sent: every part unknown, not zero
    }
    auto* r = b.mutable_records(0);
    auto* t = r->mutable_tcp();
    t->set_c2s_retransmissions(2);
    t->set_s2c_retransmissions(1);
    t->set_c2s_out_of_order(3);
    t->set_s2c_zero_windows(8);
    t->set_client_rtt_ns(1'000'000);
    t->set_server_rtt_ns(25'000'000);
    r->set_c2s_ttl_min(60);
    r->set_c2s_ttl_max(64);
    r->set_s2c_ttl_min(0);
    r->set_s2c_ttl_max(0);
    r->set_dscp(0);
    flow_batch out;
    REQUIRE_FALSE(decode_batch(b, out));
    const flow_health& h = out.records[0].health;
    REQUIRE(h.tcp);
    CHECK(h.tcp->c2s_retransmissions == 2);
    CHECK(h.tcp->s2c_retransmissions == 1);
    CHECK(h.tcp->c2s_out_of_order == 3);
    CHECK(h.tcp->s2c_zero_windows == 8);
    CHECK(h.tcp->client_rtt_ns == 1'000'000u);
    CHECK(h.tcp->server_rtt_ns == 25'000'000u);
    CHECK(h.c2s_ttl == ttl_range{60, 64});
    CHECK(h.s2c_ttl == ttl_range{0, 0});  // a TTL of 0 is a value
    CHECK(h.dscp == std::uint8_t{0});
}

TEST_CASE("impossible tcp health and ip fields are rejected", "[batch_decoder]") {
    const auto with = [](auto mutate) {
        auto b = good_batch();
        mutate(*b.mutable_records(0));
        return decode(b);
    };
    // More events of one kind than packets in that direction (c2s has 10, s2c 8).
    CHECK(with([](v1::FlowRecord& r) { r.mutable_tcp()->set_c2s_retransmissions(11); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.mutable_tcp()->set_s2c_zero_windows(9); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.mutable_tcp()->set_s2c_out_of_order(0xffffffffu); }) == reject_reason::counts);
    CHECK_FALSE(with([](v1::FlowRecord& r) { r.mutable_tcp()->set_c2s_retransmissions(10); }));
    // Half a handshake, or beyond bigint.
    CHECK(with([](v1::FlowRecord& r) { r.mutable_tcp()->set_client_rtt_ns(5); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) {
              r.mutable_tcp()->set_client_rtt_ns(1ull << 63);
              r.mutable_tcp()->set_server_rtt_ns(1);
          }) == reject_reason::counts);
    // TCP health on a UDP flow.
    CHECK(with([](v1::FlowRecord& r) {
              r.set_protocol(17);
              r.mutable_tcp();
          }) == reject_reason::counts);
    // TTL: 8 bits, min <= max, both or neither, only with packets.
    CHECK(with([](v1::FlowRecord& r) { r.set_c2s_ttl_min(1), r.set_c2s_ttl_max(256); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.set_c2s_ttl_min(65), r.set_c2s_ttl_max(64); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) { r.set_s2c_ttl_min(64); }) == reject_reason::counts);
    CHECK(with([](v1::FlowRecord& r) {
              r.set_s2c_packets(0), r.set_s2c_bytes(0), r.set_s2c_ttl_min(1), r.set_s2c_ttl_max(1);
          }) == reject_reason::counts);
    // DSCP is 6 bits.
    CHECK(with([](v1::FlowRecord& r) { r.set_dscp(64); }) == reject_reason::counts);
    CHECK_FALSE(with([](v1::FlowRecord& r) { r.set_dscp(63); }));
}

TEST_CASE("a tunnel decodes with two outer addresses of one family; an older probe's record has none",
          "[batch_decoder][tunnel]") {
    auto b = good_batch();
    auto* t = b.mutable_records(0)->mutable_tunnel();
    t->set_type(v1::TUNNEL_TYPE_VXLAN);
    t->set_id(0x123456);
    t->set_client_side_ip(std::string("\xc6\x33\x64\x01", 4));
    t->set_server_side_ip(std::string("\xc6\x33\x64\x02", 4));
    flow_batch out;
    REQUIRE_FALSE(decode_batch(b, out));
    REQUIRE(out.records[0].tunnel);
    CHECK(out.records[0].tunnel->type == wireflow::tunnel_type::vxlan);
    CHECK(out.records[0].tunnel->id == 0x123456);
    CHECK(out.records[0].tunnel->client_side.to_string() == "198.51.100.1");
    CHECK(out.records[0].tunnel->server_side.to_string() == "198.51.100.2");
    CHECK_FALSE(out.records[1].tunnel);

    // A recycled record does not keep a previous batch's tunnel.
    REQUIRE_FALSE(decode_batch(good_batch(), out));
    CHECK_FALSE(out.records[0].tunnel);

    // A newer probe's type is kept as is; outer addresses are the family's size, both alike.
    t->set_type(static_cast<v1::TunnelType>(9));
    REQUIRE_FALSE(decode_batch(b, out));
    CHECK(static_cast<int>(out.records[0].tunnel->type) == 9);
    t->set_type(v1::TUNNEL_TYPE_NONE);
    CHECK(decode(b) == reject_reason::counts);
    t->set_type(v1::TUNNEL_TYPE_GRE);
    t->set_server_side_ip(std::string(16, '\1'));
    CHECK(decode(b) == reject_reason::ip_length);
    t->set_server_side_ip(std::string(3, '\1'));
    CHECK(decode(b) == reject_reason::ip_length);
}

namespace {

// A record's TLS handshake as a probe fills it: every field set.
v1::TlsInfo* full_tls(v1::FlowRecord& r) {
    auto* t = r.mutable_tls();
    t->set_version(0x0303);
    t->set_ja3_client("e7d705a3286e19ea42f587b344ee6865");
    t->set_ja3_server("f4febc55ea12b31ae17cfb7e614afda8");
    t->set_cert_subject("C=US, O=Example \"Inc\", CN=www.example.com");
    t->set_cert_issuer("C=US, O=Let's Encrypt, CN=R3");
    t->set_cert_not_before_s(1'690'000'000);
    t->set_cert_not_after_s(1'697'776'000);
    t->set_alpn("h2,http/1.1");
    t->set_cert_sha1(std::string("\x01\x23\x45\x67\x89\xab\xcd\xef\x00\xff\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0", 20));
    return t;
}

}  // namespace

TEST_CASE("tls, http and dpi confidence decode; an older probe's record has none", "[batch_decoder][dpi]") {
    auto b = good_batch();
    auto* r = b.mutable_records(0);
    r->set_dpi_confidence(v1::DPI_CONFIDENCE_DPI);
    full_tls(*r);
    auto* h = b.mutable_records(1)->mutable_http();
    h->set_method("POST");
    h->set_url("www.example.com/login?next=%2F");
    h->set_user_agent("curl/8.4.0 \xe2\x82\xac");
    h->set_response_code(302);
    b.mutable_records(1)->set_dpi_confidence(v1::DPI_CONFIDENCE_MATCH_BY_PORT);
    flow_batch out;
    REQUIRE_FALSE(decode_batch(b, out));
    const auto& t0 = out.records[0];
    CHECK(t0.confidence == dpi_confidence::dpi);
    REQUIRE(t0.tls);
    CHECK(t0.tls->version == 0x0303);
    CHECK(t0.tls->ja3_client == "e7d705a3286e19ea42f587b344ee6865");
    CHECK(t0.tls->ja3_server == "f4febc55ea12b31ae17cfb7e614afda8");
    CHECK(t0.tls->cert_subject == "C=US, O=Example \"Inc\", CN=www.example.com");
    CHECK(t0.tls->cert_issuer == "C=US, O=Let's Encrypt, CN=R3");
    CHECK(t0.tls->cert_not_before_s == std::optional<std::uint64_t>(1'690'000'000));
    CHECK(t0.tls->cert_not_after_s == std::optional<std::uint64_t>(1'697'776'000));
    CHECK(t0.tls->alpn == "h2,http/1.1");
    REQUIRE(t0.tls->cert_sha1);
    CHECK((*t0.tls->cert_sha1)[0] == 0x01);
    CHECK((*t0.tls->cert_sha1)[19] == 0xa0);
    CHECK_FALSE(t0.http);
    const auto& h1 = out.records[1];
    CHECK(h1.confidence == dpi_confidence::match_by_port);
    CHECK_FALSE(h1.tls);
    REQUIRE(h1.http);
    CHECK(*h1.http == flow_http{"POST", "www.example.com/login?next=%2F", "curl/8.4.0 \xe2\x82\xac", 302});

    // A recycled record keeps nothing of a previous batch's details.
    REQUIRE_FALSE(decode_batch(good_batch(), out));
    CHECK(out.records[0].confidence == dpi_confidence::unknown);
    CHECK_FALSE(out.records[0].tls);
    CHECK_FALSE(out.records[1].http);
}

TEST_CASE("a tls or http message that carries nothing is no details; partial ones keep what they carry",
          "[batch_decoder][dpi]") {
    auto b = good_batch();
    b.mutable_records(0)->mutable_tls();
    b.mutable_records(1)->mutable_http();
    flow_batch out;
    REQUIRE_FALSE(decode_batch(b, out));
    CHECK_FALSE(out.records[0].tls);
    CHECK_FALSE(out.records[1].http);
    // A ClientHello only: the offered version and JA3, no certificate.
    b.mutable_records(0)->mutable_tls()->set_ja3_client("00000000000000000000000000000000");
    b.mutable_records(0)->mutable_tls()->set_cert_not_after_s(0);  // present, even at the epoch
    b.mutable_records(1)->mutable_http()->set_response_code(404);
    REQUIRE_FALSE(decode_batch(b, out));
    REQUIRE(out.records[0].tls);
    CHECK(out.records[0].tls->version == 0);
    CHECK(out.records[0].tls->ja3_server.empty());
    CHECK_FALSE(out.records[0].tls->cert_sha1);
    CHECK_FALSE(out.records[0].tls->cert_not_before_s);
    CHECK(out.records[0].tls->cert_not_after_s == std::optional<std::uint64_t>(0));
    REQUIRE(out.records[1].http);
    CHECK(out.records[1].http->method.empty());
    CHECK(out.records[1].http->response_code == 404);
}

TEST_CASE("a newer probe's dpi confidence reads as unknown, the record kept", "[batch_decoder][dpi]") {
    for (const int v : {5, 200, -1}) {
        auto b = good_batch();
        b.mutable_records(0)->set_dpi_confidence(static_cast<v1::DpiConfidence>(v));
        flow_batch out;
        INFO("confidence " << v);
        REQUIRE_FALSE(decode_batch(b, out));
        CHECK(out.records[0].confidence == dpi_confidence::unknown);
    }
    auto b = good_batch();
    b.mutable_records(0)->set_dpi_confidence(v1::DPI_CONFIDENCE_DPI_CACHE);
    flow_batch out;
    REQUIRE_FALSE(decode_batch(b, out));
    CHECK(out.records[0].confidence == dpi_confidence::dpi_cache);
}

TEST_CASE("hostile or impossible tls and http details reject the batch", "[batch_decoder][dpi]") {
    const auto with = [](auto mutate) {
        auto b = good_batch();
        full_tls(*b.mutable_records(0));
        auto* h = b.mutable_records(1)->mutable_http();
        h->set_method("GET");
        h->set_url("example.com/");
        h->set_response_code(200);
        REQUIRE_FALSE(decode(b));  // the honest details pass
        mutate(*b.mutable_records(0)->mutable_tls(), *h);
        return decode(b);
    };
    using tls = v1::TlsInfo;
    using http = v1::HttpInfo;
    // Not UTF-8 text, in each string.
    CHECK(with([](tls& t, http&) { t.set_cert_subject("CN=\xff\xfe"); }) == reject_reason::bad_utf8);
    CHECK(with([](tls& t, http&) { t.set_cert_subject(std::string("CN=a\0b", 6)); }) == reject_reason::bad_utf8);
    CHECK(with([](tls& t, http&) { t.set_cert_issuer("O=\xc0\xaf"); }) == reject_reason::bad_utf8);
    CHECK(with([](tls& t, http&) { t.set_alpn("h2,\xed\xa0\x80"); }) == reject_reason::bad_utf8);
    CHECK(with([](tls&, http& h) { h.set_method("G\xc3"); }) == reject_reason::bad_utf8);
    CHECK(with([](tls&, http& h) { h.set_url("example.com/\x80"); }) == reject_reason::bad_utf8);
    CHECK(with([](tls&, http& h) { h.set_user_agent("Mozilla\xf4\x90\x80\x80"); }) == reject_reason::bad_utf8);
    // Longer than their bounds; the bound itself passes.
    CHECK(with([](tls&, http& h) { h.set_url(std::string(256, 'u')); }) == reject_reason::string_too_long);
    CHECK_FALSE(with([](tls&, http& h) { h.set_url(std::string(255, 'u')); }));
    CHECK(with([](tls&, http& h) { h.set_user_agent(std::string(256, 'a')); }) == reject_reason::string_too_long);
    CHECK(with([](tls&, http& h) { h.set_method("PROPPATCHING"); }) == reject_reason::string_too_long);
    CHECK_FALSE(with([](tls&, http& h) { h.set_method("RPC_IN_DATA"); }));
    CHECK(with([](tls& t, http&) { t.set_cert_subject(std::string(256, 's')); }) == reject_reason::string_too_long);
    CHECK(with([](tls& t, http&) { t.set_cert_issuer(std::string(256, 'i')); }) == reject_reason::string_too_long);
    CHECK(with([](tls& t, http&) { t.set_alpn(std::string(128, 'a')); }) == reject_reason::string_too_long);
    CHECK_FALSE(with([](tls& t, http&) { t.set_alpn(std::string(127, 'a')); }));
    // JA3: exactly 32 lower-case hex digits, or nothing.
    CHECK(with([](tls& t, http&) { t.set_ja3_client("e7d705a3286e19ea42f587b344ee686g"); }) == reject_reason::counts);
    CHECK(with([](tls& t, http&) { t.set_ja3_client("E7D705A3286E19EA42F587B344EE6865"); }) == reject_reason::counts);
    CHECK(with([](tls& t, http&) { t.set_ja3_server("e7d705a3286e19ea42f587b344ee686"); }) == reject_reason::counts);
    CHECK(with([](tls& t, http&) { t.set_ja3_server("<script>alert(1)</script>123456"); }) == reject_reason::counts);
    CHECK_FALSE(with([](tls& t, http&) { t.clear_ja3_client(); }));
    // SHA-1: 20 bytes or none.
    CHECK(with([](tls& t, http&) { t.set_cert_sha1(std::string(7, '\x01')); }) == reject_reason::counts);
    CHECK(with([](tls& t, http&) { t.set_cert_sha1(std::string(21, '\x01')); }) == reject_reason::counts);
    CHECK_FALSE(with([](tls& t, http&) { t.clear_cert_sha1(); }));
    // A version is 16 bits; a validity is an instant X.509 can state.
    CHECK(with([](tls& t, http&) { t.set_version(0x10000); }) == reject_reason::counts);
    CHECK(with([](tls& t, http&) { t.set_cert_not_after_s(253'402'300'800ull); }) == reject_reason::counts);
    CHECK(with([](tls& t, http&) { t.set_cert_not_before_s(~0ull); }) == reject_reason::counts);
    CHECK_FALSE(with([](tls& t, http&) { t.set_cert_not_after_s(253'402'300'799ull); }));
    // An HTTP status is 100..599, or 0 before the response.
    for (const std::uint32_t code : {42u, 1u, 99u, 600u, 65535u, 4'000'000'000u}) {
        INFO("response code " << code);
        CHECK(with([code](tls&, http& h) { h.set_response_code(code); }) == reject_reason::counts);
    }
    for (const std::uint32_t code : {0u, 100u, 599u})
        CHECK_FALSE(with([code](tls&, http& h) { h.set_response_code(code); }));
}

TEST_CASE("active flows carry tls and http details through the same checks", "[batch_decoder][dpi]") {
    v1::ActiveFlows a;
    a.set_schema_version(v1::SCHEMA_VERSION_1);
    a.set_probe_id("live");
    a.set_time_ns(1'700'000'002'000'000'000ull);
    a.set_interval_ms(1000);
    *a.add_flows() = good_batch().records(0);
    full_tls(*a.mutable_flows(0));
    a.mutable_flows(0)->set_dpi_confidence(v1::DPI_CONFIDENCE_DPI);
    flow_batch out;
    active_report report;
    REQUIRE_FALSE(decode_active_flows(a, out, report));
    REQUIRE(out.records[0].tls);
    CHECK(out.records[0].tls->ja3_server == "f4febc55ea12b31ae17cfb7e614afda8");
    CHECK(out.records[0].confidence == dpi_confidence::dpi);
    a.mutable_flows(0)->mutable_tls()->set_cert_subject(std::string(300, 'x'));
    CHECK(decode_active_flows(a, out, report) == reject_reason::string_too_long);
}

TEST_CASE("a name claim decodes with its address; hostile ones reject the batch, unknown services drop the claim",
          "[batch_decoder][dpi]") {
    const auto with = [](auto mutate) {
        auto b = good_batch();
        auto* c = b.mutable_records(0)->mutable_name_claim();
        c->set_service(v1::NAME_SERVICE_MDNS);
        c->set_name("printer.local");
        c->set_address(std::string("\xc0\xa8\x01\x14", 4));
        mutate(*c);
        return b;
    };
    flow_batch out;
    REQUIRE_FALSE(decode_batch(with([](v1::NameClaim&) {}), out));
    REQUIRE(out.records[0].name_claim);
    CHECK(out.records[0].name_claim->service == name_service::mdns);
    CHECK(out.records[0].name_claim->name == "printer.local");
    CHECK(out.records[0].name_claim->address == ip("192.168.1.20"));
    CHECK_FALSE(out.records[1].name_claim);  // an older probe's record, or any other flow
    REQUIRE_FALSE(decode_batch(with([](v1::NameClaim& c) {
                                   c.set_service(v1::NAME_SERVICE_NETBIOS);
                                   c.set_name("NAS");
                                   c.set_address(std::string(16, '\x20'));
                               }),
                               out));
    CHECK(out.records[0].name_claim->service == name_service::netbios);
    CHECK(out.records[0].name_claim->address.is_v6());
    // Hostile: not text, too long, an address of another length.
    CHECK(decode(with([](v1::NameClaim& c) { c.set_name("pr\xffinter"); })) == reject_reason::bad_utf8);
    CHECK(decode(with([](v1::NameClaim& c) { c.set_name(std::string("a\0b", 3)); })) == reject_reason::bad_utf8);
    CHECK(decode(with([](v1::NameClaim& c) { c.set_name(std::string(256, 'n')); })) == reject_reason::string_too_long);
    CHECK_FALSE(decode(with([](v1::NameClaim& c) { c.set_name(std::string(255, 'n')); })));
    CHECK(decode(with([](v1::NameClaim& c) { c.set_address("\x01\x02\x03"); })) == reject_reason::ip_length);
    CHECK(decode(with([](v1::NameClaim& c) { c.clear_address(); })) == reject_reason::ip_length);
    // A service this collector does not know, or an empty name: no claim, the record kept.
    for (const int service : {0, 4, 99}) {
        INFO("service " << service);
        REQUIRE_FALSE(decode_batch(with([service](v1::NameClaim& c) { c.set_service(static_cast<v1::NameService>(service)); }), out));
        CHECK_FALSE(out.records[0].name_claim);
    }
    REQUIRE_FALSE(decode_batch(with([](v1::NameClaim& c) { c.clear_name(); }), out));
    CHECK_FALSE(out.records[0].name_claim);
}
