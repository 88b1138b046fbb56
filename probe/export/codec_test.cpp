#include "export/codec.hpp"

#include <arpa/inet.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstring>

#include "wireflow.pb.h"

using namespace wireflow::probe;

namespace {

flow_record sample_v4() {
    flow_record r{};
    r.flow_id = 0x1122334455667788ULL;
    r.first_seen_ns = 1'700'000'000'123'456'789ULL;
    r.last_seen_ns = 1'700'000'005'000'000'001ULL;
    r.c2s_packets = 11;
    r.c2s_bytes = 1111;
    r.s2c_packets = 22;
    r.s2c_bytes = 22222;
    r.flow_risk = (1ULL << 3) | (1ULL << 40);
    ::inet_pton(AF_INET, "192.0.2.10", r.client.ip.data());
    r.client.port = 51515;
    ::inet_pton(AF_INET, "198.51.100.7", r.server.ip.data());
    r.server.port = 443;
    r.vlan = 100;
    r.ip_version = 4;
    r.protocol = 6;
    r.c2s_tcp_flags = 0x1b;
    r.s2c_tcp_flags = 0x12;
    r.reason = end_reason::tcp_fin;
    r.c2s_payload = false;
    r.s2c_payload = true;
    r.has_macs = true;
    r.client_mac = {0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc};
    r.server_mac = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
    r.worker = 3;
    r.app_protocol = 124;
    r.master_protocol = 91;
    std::strcpy(r.app_name, "TLS.YouTube");
    std::strcpy(r.app_category, "Media");
    std::strcpy(r.server_name, "www.youtube.com");
    r.server_name_len = 15;
    return r;
}

boost::json::object parse_line(const flow_record& r, std::string_view probe = "p1") {
    std::string line;
    append_json(r, probe, line);
    REQUIRE(line.find('\n') == std::string::npos);
    return boost::json::parse(line).as_object();
}

std::string escaped(std::string_view s) {
    std::string out;
    append_json_string(s, out);
    return out;
}

}  // namespace

TEST_CASE("every flow record field survives a protobuf round trip", "[codec]") {
    const flow_record r = sample_v4();
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    wireflow::v1::FlowRecord back;
    REQUIRE(back.ParseFromString(m.SerializeAsString()));
    CHECK(back.flow_id() == r.flow_id);
    CHECK(back.vlan() == 100);
    CHECK(back.ip_version() == 4);
    CHECK(back.protocol() == 6);
    CHECK(back.client_ip() == std::string("\xc0\x00\x02\x0a", 4));
    CHECK(back.client_port() == 51515);
    CHECK(back.server_ip() == std::string("\xc6\x33\x64\x07", 4));
    CHECK(back.server_port() == 443);
    CHECK(back.first_seen_ns() == r.first_seen_ns);
    CHECK(back.last_seen_ns() == r.last_seen_ns);
    CHECK(back.c2s_packets() == 11);
    CHECK(back.c2s_bytes() == 1111);
    CHECK(back.s2c_packets() == 22);
    CHECK(back.s2c_bytes() == 22222);
    CHECK(back.c2s_tcp_flags() == 0x1b);
    CHECK(back.s2c_tcp_flags() == 0x12);
    CHECK(back.end_reason() == wireflow::v1::END_REASON_TCP_FIN);
    CHECK(back.payload_seen() == (0x80u | 0x02u));   // tracked; the server sent payload, the client none
    CHECK(back.client_mac() == std::string("\x00\x11\x22\xaa\xbb\xcc", 6));
    CHECK(back.server_mac() == std::string("\xde\xad\xbe\xef\x00\x01", 6));
    CHECK(back.worker() == 3);
    CHECK(back.app_protocol() == 124);
    CHECK(back.master_protocol() == 91);
    CHECK(back.app_name() == "TLS.YouTube");
    CHECK(back.app_category() == "Media");
    CHECK(back.server_name() == "www.youtube.com");
    CHECK(back.flow_risk() == r.flow_risk);
}

TEST_CASE("IPv6 addresses are 16 bytes and absent MACs stay empty", "[codec]") {
    flow_record r{};
    r.ip_version = 6;
    r.protocol = 17;
    ::inet_pton(AF_INET6, "2001:db8::1", r.client.ip.data());
    ::inet_pton(AF_INET6, "2001:db8::53", r.server.ip.data());
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    CHECK(m.client_ip().size() == 16);
    CHECK(std::memcmp(m.server_ip().data(), r.server.ip.data(), 16) == 0);
    CHECK(m.client_mac().empty());
    CHECK(m.server_mac().empty());

    const auto j = parse_line(r);
    CHECK(j.at("client_ip").as_string() == "2001:db8::1");
    CHECK(j.at("server_ip").as_string() == "2001:db8::53");
    CHECK_FALSE(j.contains("client_mac"));
    CHECK_FALSE(j.contains("app_name"));
}

TEST_CASE("every end reason has its proto value and JSON name", "[codec]") {
    const std::pair<end_reason, wireflow::v1::EndReason> cases[] = {
        {end_reason::idle_timeout, wireflow::v1::END_REASON_IDLE_TIMEOUT},
        {end_reason::active_timeout, wireflow::v1::END_REASON_ACTIVE_TIMEOUT},
        {end_reason::tcp_fin, wireflow::v1::END_REASON_TCP_FIN},
        {end_reason::tcp_rst, wireflow::v1::END_REASON_TCP_RST},
        {end_reason::evicted, wireflow::v1::END_REASON_EVICTED},
        {end_reason::shutdown, wireflow::v1::END_REASON_SHUTDOWN},
    };
    for (auto [e, p] : cases) {
        flow_record r{};
        r.reason = e;
        wireflow::v1::FlowRecord m;
        to_proto(r, m);
        CHECK(m.end_reason() == p);
        // The JSON name is the proto enum name without its prefix, lower case.
        std::string expect = wireflow::v1::EndReason_Name(p).substr(std::strlen("END_REASON_"));
        for (auto& c : expect) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        CHECK(parse_line(r).at("end_reason").as_string() == expect);
    }
}

TEST_CASE("dump JSON line carries every field under its documented name", "[codec]") {
    const auto j = parse_line(sample_v4(), "edge-1");
    CHECK(j.at("probe_id").as_string() == "edge-1");
    CHECK(j.at("flow_id").to_number<std::uint64_t>() == 0x1122334455667788ULL);
    CHECK(j.at("vlan").as_int64() == 100);
    CHECK(j.at("ip_version").as_int64() == 4);
    CHECK(j.at("protocol").as_int64() == 6);
    CHECK(j.at("client_ip").as_string() == "192.0.2.10");
    CHECK(j.at("client_port").as_int64() == 51515);
    CHECK(j.at("server_ip").as_string() == "198.51.100.7");
    CHECK(j.at("server_port").as_int64() == 443);
    CHECK(j.at("first_seen_ns").to_number<std::uint64_t>() == 1'700'000'000'123'456'789ULL);
    CHECK(j.at("last_seen_ns").to_number<std::uint64_t>() == 1'700'000'005'000'000'001ULL);
    CHECK(j.at("c2s_packets").as_int64() == 11);
    CHECK(j.at("c2s_bytes").as_int64() == 1111);
    CHECK(j.at("s2c_packets").as_int64() == 22);
    CHECK(j.at("s2c_bytes").as_int64() == 22222);
    CHECK(j.at("c2s_tcp_flags").as_int64() == 0x1b);
    CHECK(j.at("s2c_tcp_flags").as_int64() == 0x12);
    CHECK(j.at("end_reason").as_string() == "tcp_fin");
    CHECK(j.at("c2s_payload").as_int64() == 0);
    CHECK(j.at("s2c_payload").as_int64() == 1);
    CHECK(j.at("client_mac").as_string() == "00:11:22:aa:bb:cc");
    CHECK(j.at("server_mac").as_string() == "de:ad:be:ef:00:01");
    CHECK(j.at("app_protocol").as_int64() == 124);
    CHECK(j.at("master_protocol").as_int64() == 91);
    CHECK(j.at("app_name").as_string() == "TLS.YouTube");
    CHECK(j.at("app_category").as_string() == "Media");
    CHECK(j.at("server_name").as_string() == "www.youtube.com");
    CHECK(j.at("flow_risk").to_number<std::uint64_t>() == ((1ULL << 3) | (1ULL << 40)));
}

TEST_CASE("JSON strings escape quotes, backslashes and control characters", "[codec]") {
    CHECK(escaped("plain") == "\"plain\"");
    CHECK(escaped("a\"b") == "\"a\\\"b\"");
    CHECK(escaped("a\\b") == "\"a\\\\b\"");
    CHECK(escaped("l1\nl2\r\t") == "\"l1\\nl2\\r\\t\"");
    CHECK(escaped(std::string_view("\x01\x1f\x7f", 3)) == "\"\\u0001\\u001f\\u007f\"");
    CHECK(escaped(std::string_view("a\0b", 3)) == "\"a\\u0000b\"");
    CHECK(escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST_CASE("invalid UTF-8 in a string becomes U+FFFD so the line stays valid JSON", "[codec]") {
    CHECK(escaped("a\xFF" "b") == "\"a\xEF\xBF\xBD" "b\"");
    CHECK(escaped("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");   // overlong '/'
    CHECK(escaped("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
    CHECK(escaped("x\xE2\x82") == "\"x\xEF\xBF\xBD\xEF\xBF\xBD\"");  // truncated at end

    flow_record r = sample_v4();
    std::memcpy(r.server_name, "ev\"il\\\n\xFE.example", 17);
    r.server_name[17] = '\0';
    const auto j = parse_line(r);
    CHECK(j.at("server_name").as_string() == "ev\"il\\\n\xEF\xBF\xBD.example");
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    CHECK(m.server_name() == "ev\"il\\\n\xEF\xBF\xBD.example");
}

TEST_CASE("an unterminated name array is read only up to its bound", "[codec]") {
    flow_record r = sample_v4();
    std::memset(r.app_name, 'A', sizeof(r.app_name));
    std::memset(r.server_name, 'S', sizeof(r.server_name));
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    CHECK(m.app_name().size() == sizeof(r.app_name));
    CHECK(m.server_name().size() == max_server_name);
    CHECK(parse_line(r).at("server_name").as_string().size() == max_server_name);
}

TEST_CASE("probe stats map port and worker counters to ProbeStats", "[codec]") {
    probe_stats s;
    s.ports.push_back({0, "net_pcap0", 10, 1000, 1, 2, 3});
    s.workers.push_back({1, 10, 9, 1, 4, 5, 6, 7, 8});
    s.batches_sent = 20;
    s.batches_acked = 18;
    s.batches_pending = 2;
    s.export_drops = 7;
    s.last_sequence = 20;
    s.uptime_ns = 99;
    s.time_ns = 1234;
    wireflow::v1::ProbeStats m;
    to_proto(s, m);
    wireflow::v1::ProbeStats b;
    REQUIRE(b.ParseFromString(m.SerializeAsString()));
    REQUIRE(b.ports_size() == 1);
    CHECK(b.ports(0).name() == "net_pcap0");
    CHECK(b.ports(0).rx_packets() == 10);
    CHECK(b.ports(0).rx_bytes() == 1000);
    CHECK(b.ports(0).imissed() == 1);
    CHECK(b.ports(0).rx_nombuf() == 2);
    CHECK(b.ports(0).ierrors() == 3);
    REQUIRE(b.workers_size() == 1);
    const auto& w = b.workers(0);
    CHECK(w.worker() == 1);
    CHECK(w.packets() == 10);
    CHECK(w.ip_packets() == 9);
    CHECK(w.malformed_packets() == 1);
    CHECK(w.flows_active() == 4);
    CHECK(w.flows_created() == 5);
    CHECK(w.records_exported() == 6);
    CHECK(w.ring_full_drops() == 7);
    CHECK(w.evictions() == 8);
    CHECK(b.batches_sent() == 20);
    CHECK(b.batches_acked() == 18);
    CHECK(b.batches_pending() == 2);
    CHECK(b.export_drops() == 7);
    CHECK(b.last_sequence() == 20);
    CHECK(b.uptime_ns() == 99);
    CHECK(b.time_ns() == 1234);
}

TEST_CASE("tcp health, ttl ranges and dscp travel in the record and the dump line", "[codec]") {
    flow_record r = sample_v4();
    r.tcp_analysed = true;
    r.c2s_retransmissions = 3;
    r.s2c_retransmissions = 4;
    r.c2s_out_of_order = 5;
    r.s2c_out_of_order = 6;
    r.c2s_zero_windows = 7;
    r.s2c_zero_windows = 8;
    r.client_rtt_ns = 1'500'000;
    r.server_rtt_ns = 20'000'000;
    r.c2s_ttl_min = 60;
    r.c2s_ttl_max = 64;
    r.s2c_ttl_min = 0;  // a real TTL of 0 is a value, not "unknown"
    r.s2c_ttl_max = 1;
    r.dscp = 0;
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    wireflow::v1::FlowRecord back;
    REQUIRE(back.ParseFromString(m.SerializeAsString()));
    REQUIRE(back.has_tcp());
    CHECK(back.tcp().c2s_retransmissions() == 3);
    CHECK(back.tcp().s2c_retransmissions() == 4);
    CHECK(back.tcp().c2s_out_of_order() == 5);
    CHECK(back.tcp().s2c_out_of_order() == 6);
    CHECK(back.tcp().c2s_zero_windows() == 7);
    CHECK(back.tcp().s2c_zero_windows() == 8);
    REQUIRE(back.tcp().has_client_rtt_ns());
    CHECK(back.tcp().client_rtt_ns() == 1'500'000);
    CHECK(back.tcp().server_rtt_ns() == 20'000'000);
    REQUIRE(back.has_s2c_ttl_min());
    CHECK(back.s2c_ttl_min() == 0);
    CHECK(back.c2s_ttl_max() == 64);
    REQUIRE(back.has_dscp());
    CHECK(back.dscp() == 0);

    const auto j = parse_line(r);
    CHECK(j.at("c2s_retransmissions").as_int64() == 3);
    CHECK(j.at("s2c_zero_windows").as_int64() == 8);
    CHECK(j.at("client_rtt_ns").as_int64() == 1'500'000);
    CHECK(j.at("s2c_ttl_min").as_int64() == 0);
    CHECK(j.at("dscp").as_int64() == 0);
}

TEST_CASE("unknown tcp health and ttl stay absent rather than zero", "[codec]") {
    flow_record r = sample_v4();
    r.s2c_packets = 0;  // one-way flow: no server ttl
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    CHECK_FALSE(m.has_tcp());
    CHECK(m.has_c2s_ttl_min());
    CHECK_FALSE(m.has_s2c_ttl_min());
    CHECK_FALSE(m.has_s2c_ttl_max());
    r.tcp_analysed = true;  // analysed, handshake never seen
    to_proto(r, m);
    REQUIRE(m.has_tcp());
    CHECK_FALSE(m.tcp().has_client_rtt_ns());
    const auto j = parse_line(r);
    CHECK_FALSE(j.contains("client_rtt_ns"));
    CHECK_FALSE(j.contains("s2c_ttl_min"));
    CHECK(j.at("c2s_retransmissions").as_int64() == 0);
}

TEST_CASE("a tunnelled flow's tunnel travels in the record and the dump line", "[codec][tunnel]") {
    flow_record r = sample_v4();
    r.tunnel = tunnel_type::gtp_u;
    r.tunnel_id = 0xabcdef01;
    r.tunnel_ip_version = 6;
    ::inet_pton(AF_INET6, "2001:db8::1", r.tunnel_client_side.data());
    ::inet_pton(AF_INET6, "2001:db8::2", r.tunnel_server_side.data());
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    wireflow::v1::FlowRecord back;
    REQUIRE(back.ParseFromString(m.SerializeAsString()));
    REQUIRE(back.has_tunnel());
    CHECK(back.tunnel().type() == wireflow::v1::TUNNEL_TYPE_GTP_U);
    CHECK(back.tunnel().id() == 0xabcdef01);
    REQUIRE(back.tunnel().client_side_ip().size() == 16);
    CHECK(back.tunnel().client_side_ip() == std::string(reinterpret_cast<const char*>(r.tunnel_client_side.data()), 16));
    CHECK(back.tunnel().server_side_ip() == std::string(reinterpret_cast<const char*>(r.tunnel_server_side.data()), 16));

    const auto j = parse_line(r);
    CHECK(j.at("tunnel").as_string() == "gtp-u");
    CHECK(j.at("tunnel_id").as_int64() == 0xabcdef01);
    CHECK(j.at("tunnel_client_side_ip").as_string() == "2001:db8::1");
    CHECK(j.at("tunnel_server_side_ip").as_string() == "2001:db8::2");

    // Not tunnelled: no tunnel at all, rather than a zero one.
    wireflow::v1::FlowRecord plain;
    to_proto(sample_v4(), plain);
    CHECK_FALSE(plain.has_tunnel());
    CHECK_FALSE(parse_line(sample_v4()).contains("tunnel"));
}

TEST_CASE("TLS details and nDPI's confidence travel in the record and the dump line", "[codec][details]") {
    flow_record r = sample_v4();
    r.app.kind = app_details_kind::tls;
    r.app.confidence = dpi_confidence::dpi;
    r.app.tls = tls_details{};
    r.app.tls.version = 0x0304;
    std::strcpy(r.app.tls.ja3_client, "0123456789abcdef0123456789abcdef");
    std::strcpy(r.app.tls.subject, "C=CH, CN=<img src=x>\"q\"");
    std::strcpy(r.app.tls.issuer, "CN=issuer");
    std::strcpy(r.app.tls.alpn, "h2,http/1.1");
    r.app.tls.has_validity = true;
    r.app.tls.not_before_s = 1700000000;
    r.app.tls.not_after_s = 1800000000;
    r.app.tls.has_sha1 = true;
    for (std::uint8_t i = 0; i < 20; ++i) r.app.tls.cert_sha1[i] = static_cast<std::uint8_t>(0xa0 + i);
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    wireflow::v1::FlowRecord back;
    REQUIRE(back.ParseFromString(m.SerializeAsString()));
    CHECK(back.dpi_confidence() == wireflow::v1::DPI_CONFIDENCE_DPI);
    REQUIRE(back.has_tls());
    CHECK_FALSE(back.has_http());
    CHECK(back.tls().version() == 0x0304);
    CHECK(back.tls().ja3_client() == "0123456789abcdef0123456789abcdef");
    CHECK(back.tls().ja3_server().empty());
    CHECK(back.tls().cert_subject() == "C=CH, CN=<img src=x>\"q\"");
    CHECK(back.tls().cert_issuer() == "CN=issuer");
    CHECK(back.tls().alpn() == "h2,http/1.1");
    CHECK(back.tls().cert_not_before_s() == 1700000000);
    CHECK(back.tls().cert_not_after_s() == 1800000000);
    CHECK(back.tls().cert_sha1().size() == 20);

    const auto j = parse_line(r);
    CHECK(j.at("dpi_confidence").as_int64() == 4);
    CHECK(j.at("tls_version").as_int64() == 0x0304);
    CHECK(j.at("cert_subject").as_string() == "C=CH, CN=<img src=x>\"q\"");
    CHECK(j.at("cert_sha1").as_string() == "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
    CHECK_FALSE(j.contains("ja3_server"));

    // No DPI (--no-dpi, or nothing read): no details, rather than empty ones.
    wireflow::v1::FlowRecord plain;
    to_proto(sample_v4(), plain);
    CHECK_FALSE(plain.has_tls());
    CHECK_FALSE(plain.has_http());
    CHECK(plain.dpi_confidence() == wireflow::v1::DPI_CONFIDENCE_UNKNOWN);
    CHECK_FALSE(parse_line(sample_v4()).contains("dpi_confidence"));
}

TEST_CASE("HTTP details travel in the record and the dump line", "[codec][details]") {
    flow_record r = sample_v4();
    r.app.kind = app_details_kind::http;
    r.app.confidence = dpi_confidence::match_by_port;
    r.app.http = http_details{};
    std::strcpy(r.app.http.method, "GET");
    std::strcpy(r.app.http.url, "www.example.org/a?b=c");
    std::strcpy(r.app.http.user_agent, "curl/8 \xEF\xBF\xBD");
    r.app.http.response_code = 301;
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    REQUIRE(m.has_http());
    CHECK_FALSE(m.has_tls());
    CHECK(m.dpi_confidence() == wireflow::v1::DPI_CONFIDENCE_MATCH_BY_PORT);
    CHECK(m.http().method() == "GET");
    CHECK(m.http().url() == "www.example.org/a?b=c");
    CHECK(m.http().user_agent() == "curl/8 \xEF\xBF\xBD");
    CHECK(m.http().response_code() == 301);
    const auto j = parse_line(r);
    CHECK(j.at("http_method").as_string() == "GET");
    CHECK(j.at("http_url").as_string() == "www.example.org/a?b=c");
    CHECK(j.at("http_response_code").as_int64() == 301);
}

TEST_CASE("a name claim travels in the record and the dump line", "[codec][details][names]") {
    flow_record r = sample_v4();
    r.app.kind = app_details_kind::name;
    r.app.confidence = dpi_confidence::dpi;
    r.app.claim = name_claim{};
    r.app.claim.service = name_service::netbios;
    std::strcpy(r.app.claim.name, "FILE<SERVER>");
    r.app.claim.address_len = 4;
    const std::uint8_t addr[4]{10, 0, 0, 5};
    std::memcpy(r.app.claim.address, addr, 4);
    wireflow::v1::FlowRecord m;
    to_proto(r, m);
    REQUIRE(m.has_name_claim());
    CHECK_FALSE(m.has_tls());
    CHECK_FALSE(m.has_http());
    CHECK(m.name_claim().service() == wireflow::v1::NAME_SERVICE_NETBIOS);
    CHECK(m.name_claim().name() == "FILE<SERVER>");
    CHECK(m.name_claim().address() == std::string("\x0a\x00\x00\x05", 4));
    const auto j = parse_line(r);
    CHECK(j.at("name_service").as_string() == "netbios");
    CHECK(j.at("claimed_name").as_string() == "FILE<SERVER>");
    CHECK(j.at("claimed_address").as_string() == "10.0.0.5");
    // A claim without a valid address is not sent.
    r.app.claim.address_len = 0;
    wireflow::v1::FlowRecord none;
    to_proto(r, none);
    CHECK_FALSE(none.has_name_claim());
    CHECK_FALSE(parse_line(r).contains("claimed_name"));
}
