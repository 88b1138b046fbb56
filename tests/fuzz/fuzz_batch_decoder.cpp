// The collector's ingest edge on one ZeroMQ message body, in the order
// ingest_service takes it: parse as an Envelope (else sniff the batch
// identity from the raw wire format, to answer REJECTED), then validate the
// ProbeStats or FlowBatch inside. What decode_batch accepts must meet the
// promises of batch_decoder.hpp: bounded, valid UTF-8 strings, address text
// of the right family, counters that fit PostgreSQL's signed 64-bit columns,
// TLS and HTTP details of the form the store and its ja3 filter expect.
// And the wire-format fast path that ingest_service tries first
// (wire_batch_reader.hpp) takes a message only when the generated parser
// and decode_batch make exactly the same batch of it.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "batch_decoder.hpp"
#include "wire_batch_reader.hpp"
#include "fuzz_input.hpp"
#include "net/ip_address.hpp"
#include "net/probe_id.hpp"
#include "net/utf8.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::ingest;

namespace {

bool text_ok(const std::string& s, std::size_t max) {
    return s.size() <= max && s.find('\0') == std::string::npos && wireflow::net::valid_utf8(s);
}

// A decoded address round-trips through its text form.
bool address_ok(const wireflow::net::ip_address& a) {
    const auto again = wireflow::net::ip_address::parse(a.to_string());
    return again && *again == a;
}

constexpr std::uint64_t int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// A JA3/JA3S the store's filter can match: 32 lower-case hex digits, or none.
bool ja3_ok(const std::string& s) {
    if (s.empty()) return true;
    if (s.size() != 32) return false;
    for (const char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// TLS and HTTP details: bounded text, digests of their form, an X.509
// validity, an HTTP status; a part that carries nothing is absent.
bool details_ok(const flow_record& r) {
    if (static_cast<unsigned>(r.confidence) > max_dpi_confidence) return false;
    if (r.tls) {
        const flow_tls& t = *r.tls;
        if (!text_ok(t.cert_subject, max_cert_name_bytes) || !text_ok(t.cert_issuer, max_cert_name_bytes) ||
            !text_ok(t.alpn, max_alpn_bytes) || !ja3_ok(t.ja3_client) || !ja3_ok(t.ja3_server))
            return false;
        if ((t.cert_not_before_s && *t.cert_not_before_s > max_cert_time_s) ||
            (t.cert_not_after_s && *t.cert_not_after_s > max_cert_time_s))
            return false;
        if (t == flow_tls{}) return false;
    }
    if (r.http) {
        const flow_http& h = *r.http;
        if (!text_ok(h.method, max_http_method_bytes) || !text_ok(h.url, max_http_url_bytes) ||
            !text_ok(h.user_agent, max_http_user_agent_bytes))
            return false;
        if (h.response_code != 0 && (h.response_code < 100 || h.response_code > 599)) return false;
        if (h == flow_http{}) return false;
    }
    return true;
}

// A batch of three records with every part set, as a probe encodes it: read
// into the reused batch before each input, so the fast path also reads
// into a batch whose records hold another message's values (as a recycled
// batch does in ingest_service).
std::string full_batch_message() {
    wireflow::v1::Envelope env;
    auto* b = env.mutable_batch();
    b->set_schema_version(wireflow::v1::SCHEMA_VERSION_1);
    b->set_probe_id("fuzz-probe");
    b->set_boot_id(1);
    b->set_sequence(1);
    for (int i = 0; i < 3; ++i) {
        auto* r = b->add_records();
        r->set_flow_id(static_cast<std::uint64_t>(i) + 1);
        r->set_ip_version(4);
        r->set_protocol(6);
        r->set_client_ip(std::string("\x0a\x00\x00\x01", 4));
        r->set_server_ip(std::string("\x08\x08\x08\x08", 4));
        r->set_first_seen_ns(1);
        r->set_last_seen_ns(2);
        r->set_c2s_packets(9);
        r->set_c2s_bytes(900);
        r->set_s2c_packets(9);
        r->set_s2c_bytes(900);
        r->set_client_mac(std::string(6, '\x02'));
        r->set_app_name("TLS.Google");
        r->set_app_category("Web");
        r->set_server_name("www.example.com");
        r->set_dns_answer_ip(std::string(4, '\x01'));
        r->mutable_tcp()->set_client_rtt_ns(5);
        r->mutable_tcp()->set_server_rtt_ns(6);
        r->set_c2s_ttl_min(60);
        r->set_c2s_ttl_max(64);
        r->set_dscp(10);
        auto* t = r->mutable_tunnel();
        t->set_type(wireflow::v1::TUNNEL_TYPE_GRE);
        t->set_client_side_ip(std::string(4, '\x03'));
        t->set_server_side_ip(std::string(4, '\x04'));
        r->mutable_tls()->set_alpn("h2");
        r->mutable_tls()->set_cert_sha1(std::string(20, '\x05'));
        r->mutable_http()->set_url("example.com/");
        auto* c = r->mutable_name_claim();
        c->set_service(wireflow::v1::NAME_SERVICE_MDNS);
        c->set_name("printer.local");
        c->set_address(std::string(4, '\x06'));
    }
    return env.SerializeAsString();
}

void check_fast_path(std::span<const std::byte> bytes) {
    static const std::string full = full_batch_message();
    flow_batch fresh, reused;
    FUZZ_CHECK(read_lone_batch(std::as_bytes(std::span{full.data(), full.size()}), reused));
    const bool fast = read_lone_batch(bytes, fresh);
    FUZZ_CHECK(read_lone_batch(bytes, reused) == fast);
    if (!fast) return;  // the generated parser decides
    wireflow::v1::FlowBatch lone;
    flow_batch slow;
    FUZZ_CHECK(parse_lone_batch(bytes, lone) == lone_batch::parsed);
    FUZZ_CHECK(!decode_batch(lone, slow).has_value());
    FUZZ_CHECK(fresh == slow);
    FUZZ_CHECK(reused == slow);
}

}  // namespace

// As the collector's main: protobuf would log every invalid UTF-8 string.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
    google::protobuf::SetLogHandler(nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes{reinterpret_cast<const std::byte*>(data), size};
    check_fast_path(bytes);
    wireflow::v1::Envelope env;
    if (!parse_envelope(bytes, env)) {
        const auto sniffed = sniff_batch_identity(bytes);
        if (sniffed.id) FUZZ_CHECK(sniffed.wire_format_ok && wireflow::net::valid_probe_id(sniffed.id->probe_id));
        return 0;
    }
    FUZZ_CHECK(sniff_batch_identity(bytes).wire_format_ok);
    if (env.has_stats()) {
        probe_stats s;
        if (!decode_probe_stats(env.stats(), s)) FUZZ_CHECK(wireflow::net::valid_probe_id(s.probe_id));
    }
    if (!env.has_batch()) return 0;
    flow_batch b;
    if (const auto why = decode_batch(env.batch(), b)) {
        (void)to_string(*why);
        return 0;
    }
    FUZZ_CHECK(wireflow::net::valid_probe_id(b.id.probe_id) && b.id.sequence != 0);
    FUZZ_CHECK(b.records.size() <= static_cast<std::size_t>(max_records_per_batch));
    for (const flow_record& r : b.records) {
        FUZZ_CHECK(r.client_ip.is_v4() == r.server_ip.is_v4());
        FUZZ_CHECK(address_ok(r.client_ip) && address_ok(r.server_ip));
        FUZZ_CHECK(text_ok(r.app_name, max_app_name_bytes) && text_ok(r.app_category, max_app_name_bytes));
        FUZZ_CHECK(text_ok(r.server_name, max_server_name_bytes));
        FUZZ_CHECK(r.first_seen_ns <= r.last_seen_ns && r.first_seen_ns <= int64_max && r.last_seen_ns <= int64_max);
        FUZZ_CHECK(r.c2s_packets <= int64_max && r.c2s_bytes <= int64_max);
        FUZZ_CHECK(r.s2c_packets <= int64_max && r.s2c_bytes <= int64_max && r.flow_risk <= int64_max);
        FUZZ_CHECK(details_ok(r));
    }
    return 0;
}
