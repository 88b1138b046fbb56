// TCP health, TTL ranges and DSCP (schema v4) against a real PostgreSQL:
// written by the binary COPY, read back by SQL and by the flow query the
// REST API uses; unknown stays NULL, never 0; a v3 database migrates and
// keeps its rows with the new columns unknown. Tunnels (schema v6) and nDPI's
// confidence, TLS and HTTP details (schema v7) likewise; the REST ja3 filter
// matches either side's fingerprint.
#include "store/db_pool.hpp"
#include "store/flow_query.hpp"
#include "store/schema.hpp"
#include "store/store_test_rows.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <string>
#include <vector>

using namespace std::chrono;
using namespace wireflow::collector;
using namespace wireflow::collector::store_rows;

namespace {

flow_health full_health() {
    flow_health h;
    tcp_health& t = h.tcp.emplace();
    t.c2s_retransmissions = 3;
    t.s2c_retransmissions = 0xfffffffeu;  // the whole uint32 range fits the bigint columns
    t.c2s_out_of_order = 1;
    t.s2c_out_of_order = 2;
    t.c2s_zero_windows = 0;
    t.s2c_zero_windows = 7;
    t.client_rtt_ns = 1'234'567;
    t.server_rtt_ns = 25'000'001;
    h.c2s_ttl = ttl_range{0, 255};
    h.s2c_ttl = ttl_range{52, 57};
    h.dscp = 46;
    return h;
}

std::vector<flow_item> stored(fixture& f, const std::string& probe, const std::string& ja3 = "") {
    flow_filter filter;
    filter.ja3 = ja3;
    return queried_flows(f.db.dsn(), probe, filter);
}

}  // namespace

TEST_CASE("tcp health, ttl ranges and dscp round-trip through the store; unknown stays null", "[store][health]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    flow_batch b = make_batch("h", 3, 1, 4, ns_of(day1));
    b.records[0].health = full_health();
    // TCP analysed but no handshake seen; one direction without packets.
    b.records[1].health.tcp.emplace().c2s_retransmissions = 5;
    b.records[1].health.c2s_ttl = ttl_range{64, 64};
    b.records[1].health.dscp = 0;
    // records[2]: an older probe's record, nothing known.
    b.records[3].health.s2c_ttl = ttl_range{1, 2};
    REQUIRE(f.s.write_batches(std::vector{b}) == std::vector{write_result::stored});

    auto c = f.db.connect();
    const auto id = [&](int i) { return std::to_string(b.records[static_cast<std::size_t>(i)].flow_id); };
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(0) +
                        " AND c2s_retransmissions = 3 AND s2c_retransmissions = 4294967294 AND c2s_out_of_order = 1"
                        " AND s2c_out_of_order = 2 AND c2s_zero_windows = 0 AND s2c_zero_windows = 7"
                        " AND client_rtt_ns = 1234567 AND server_rtt_ns = 25000001 AND c2s_ttl_min = 0"
                        " AND c2s_ttl_max = 255 AND s2c_ttl_min = 52 AND s2c_ttl_max = 57 AND dscp = 46") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(1) +
                        " AND c2s_retransmissions = 5 AND s2c_zero_windows = 0 AND client_rtt_ns IS NULL"
                        " AND server_rtt_ns IS NULL AND c2s_ttl_min = 64 AND s2c_ttl_min IS NULL AND dscp = 0") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(2) +
                        " AND num_nulls(c2s_retransmissions, s2c_retransmissions, c2s_out_of_order,"
                        " s2c_out_of_order, c2s_zero_windows, s2c_zero_windows, client_rtt_ns, server_rtt_ns,"
                        " c2s_ttl_min, c2s_ttl_max, s2c_ttl_min, s2c_ttl_max, dscp) = 13") == 1);

    const auto items = stored(f, "h");
    REQUIRE(items.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        INFO("record " << i);
        CHECK(items[i].flow_id == b.records[i].flow_id);
        CHECK(items[i].health == b.records[i].health);
    }
}

TEST_CASE("a database of schema version 3 gains the health columns and keeps its rows unknown", "[store][schema]") {
    test_database db{false};
    db.migrate_to(3);
    {
        auto c = db.connect();
        pqxx::work tx{c};
        insert_old_flow(tx, "v3");
        tx.commit();
    }
    store s{db.dsn()};
    CHECK(s.migrate() == store::latest_schema_version());
    auto c = db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE probe_id = 'v3' AND c2s_retransmissions IS NULL"
                    " AND client_rtt_ns IS NULL AND c2s_ttl_min IS NULL AND dscp IS NULL") == 1);
    const std::vector<flow_batch> one{make_batch("p", 1, 1, 2, ns_of(day1))};
    CHECK(s.write_batches(one) == std::vector{write_result::stored});
}

TEST_CASE("a tunnel round-trips through the store; a flow without one stays null", "[store][tunnel]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    flow_batch b = make_batch("t", 3, 1, 3, ns_of(day1));
    b.records[0].tunnel = flow_tunnel{wireflow::tunnel_type::gtp_u, 0xfffffff0u, *wireflow::net::ip_address::parse("2001:db8::1"),
                                      *wireflow::net::ip_address::parse("2001:db8::2")};
    b.records[1].tunnel = flow_tunnel{wireflow::tunnel_type::gre, 0, *wireflow::net::ip_address::parse("198.51.100.1"),
                                      *wireflow::net::ip_address::parse("198.51.100.2")};
    REQUIRE(f.s.write_batches(std::vector{b}) == std::vector{write_result::stored});

    auto c = f.db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + std::to_string(b.records[0].flow_id) +
                        " AND tunnel_type = 4 AND tunnel_id = 4294967280 AND tunnel_client_ip = '2001:db8::1'"
                        " AND tunnel_server_ip = '2001:db8::2'") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + std::to_string(b.records[2].flow_id) +
                        " AND num_nulls(tunnel_type, tunnel_id, tunnel_client_ip, tunnel_server_ip) = 4") == 1);

    const auto items = stored(f, "t");
    REQUIRE(items.size() == 3);
    REQUIRE(items[0].tunnel);
    CHECK(items[0].tunnel->type == wireflow::tunnel_type::gtp_u);
    CHECK(items[0].tunnel->id == 0xfffffff0u);
    CHECK(items[0].tunnel->client_side.to_string() == "2001:db8::1");
    CHECK(items[0].tunnel->server_side.to_string() == "2001:db8::2");
    REQUIRE(items[1].tunnel);
    CHECK(items[1].tunnel->type == wireflow::tunnel_type::gre);
    CHECK(items[1].tunnel->server_side.to_string() == "198.51.100.2");
    CHECK_FALSE(items[2].tunnel);
}

namespace {

constexpr const char* ja3_a = "e7d705a3286e19ea42f587b344ee6865";
constexpr const char* ja3s_b = "f4febc55ea12b31ae17cfb7e614afda8";

flow_tls full_tls() {
    flow_tls t;
    t.version = 0x0304;
    t.ja3_client = ja3_a;
    t.ja3_server = ja3s_b;
    t.alpn = "h2,http/1.1";
    // Hostile but valid text is kept verbatim: quotes, a backslash, a
    // control character, SQL, non-ASCII.
    t.cert_subject = "CN=<img src=x onerror=alert(1)>, O='; DROP TABLE flows; --\\\"\x01" "caf\xc3\xa9";
    t.cert_issuer = "C=US, O=Let's Encrypt, CN=R3";
    t.cert_not_before_s = 0;                      // the epoch is a value, not "unknown"
    t.cert_not_after_s = 253'402'300'799ULL;      // 9999-12-31T23:59:59Z, the latest X.509 can state
    auto& sha1 = t.cert_sha1.emplace();
    for (std::size_t i = 0; i < sha1.size(); ++i) sha1[i] = static_cast<std::uint8_t>(0xf0 + i * 7);
    return t;
}

}  // namespace

TEST_CASE("tls and http details round-trip through the store; a flow without them stays null", "[store][dpi]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    // One batch with TLS details, one with HTTP details; each also holds a
    // flow nDPI read nothing of.
    flow_batch tls = make_batch("d", 3, 1, 3, ns_of(day1));
    tls.records[0].confidence = dpi_confidence::dpi;
    tls.records[0].tls = full_tls();
    tls.records[1].confidence = dpi_confidence::match_by_port;
    tls.records[1].tls = flow_tls{};
    tls.records[1].tls->ja3_client = ja3s_b;  // a ClientHello only: the rest unknown
    flow_batch http = make_batch("d", 3, 2, 2, ns_of(day1));
    http.records[0].confidence = dpi_confidence::dpi_cache;
    http.records[0].http = flow_http{"GET", "www.example.com/a?b=\"c\"&d=<e>", "Mozilla/5.0 (X11; Linux) \xe2\x82\xac", 404};
    http.records[1].http = flow_http{"POST", "", "", 0};  // a request without its response
    REQUIRE(f.s.write_batches(std::vector{tls, http}) == std::vector{write_result::stored, write_result::stored});

    auto c = f.db.connect();
    const auto id = [](const flow_batch& b, int i) { return std::to_string(b.records[static_cast<std::size_t>(i)].flow_id); };
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(tls, 0) +
                        " AND dpi_confidence = 4 AND tls_version = 772 AND ja3_client = '" + ja3_a +
                        "' AND ja3_server = '" + ja3s_b + "' AND tls_alpn = 'h2,http/1.1'"
                        " AND cert_issuer = 'C=US, O=Let''s Encrypt, CN=R3'"
                        " AND cert_not_before = timestamptz '1970-01-01 00:00:00+00'"
                        " AND cert_not_after = timestamptz '9999-12-31 23:59:59+00'"
                        " AND length(cert_sha1) = 20 AND get_byte(cert_sha1, 0) = 240"
                        " AND num_nulls(http_method, http_url, http_user_agent, http_status) = 4") == 1);
    // Not seen is NULL, never '' or 0.
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(tls, 1) +
                        " AND dpi_confidence = 1 AND ja3_client = '" + ja3s_b + "' AND num_nulls(tls_version,"
                        " ja3_server, tls_alpn, cert_subject, cert_issuer, cert_not_before, cert_not_after, cert_sha1) = 8") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(tls, 2) +
                        " AND num_nulls(dpi_confidence, tls_version, ja3_client, ja3_server, tls_alpn, cert_subject,"
                        " cert_issuer, cert_not_before, cert_not_after, cert_sha1, http_method, http_url,"
                        " http_user_agent, http_status) = 14") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(http, 0) +
                        " AND dpi_confidence = 3 AND http_method = 'GET' AND http_status = 404"
                        " AND http_url = 'www.example.com/a?b=\"c\"&d=<e>' AND tls_version IS NULL") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE flow_id = " + id(http, 1) +
                        " AND dpi_confidence IS NULL AND http_method = 'POST'"
                        " AND num_nulls(http_url, http_user_agent, http_status) = 3") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE ja3_client = '' OR ja3_server = '' OR tls_alpn = ''"
                    " OR cert_subject = '' OR cert_issuer = '' OR http_method = '' OR http_url = ''"
                    " OR http_user_agent = '' OR http_status = 0 OR tls_version = 0 OR dpi_confidence = 0") == 0);

    // Read back through the REST API's query: equal, absent stays absent.
    const auto items = stored(f, "d");
    REQUIRE(items.size() == 5);
    std::vector<const flow_record*> written;
    for (const auto* b : {&tls, &http})
        for (const auto& r : b->records) written.push_back(&r);
    std::sort(written.begin(), written.end(), [](const flow_record* a, const flow_record* b) { return a->flow_id < b->flow_id; });
    for (std::size_t i = 0; i < items.size(); ++i) {
        INFO("record " << i);
        CHECK(items[i].flow_id == written[i]->flow_id);
        CHECK(items[i].confidence == written[i]->confidence);
        CHECK(items[i].tls == written[i]->tls);
        CHECK(items[i].http == written[i]->http);
    }
    CHECK(items[0].tls->cert_subject == full_tls().cert_subject);
    CHECK_FALSE(items[2].tls);
    CHECK_FALSE(items[2].http);
    CHECK(items[2].confidence == dpi_confidence::unknown);

    // And through the store's own reader.
    const auto rows = f.s.read_flows("d");
    REQUIRE(rows.size() == 5);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        INFO("row " << i);
        CHECK(rows[i].row.confidence == written[i]->confidence);
        CHECK(rows[i].row.tls == written[i]->tls);
        CHECK(rows[i].row.http == written[i]->http);
    }
}

TEST_CASE("the ja3 filter matches a client's JA3 or a server's JA3S, nothing else", "[store][dpi]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    flow_batch b = make_batch("j", 3, 1, 4, ns_of(day1));
    b.records[0].tls = full_tls();                               // ja3_a as client, ja3s_b as server
    b.records[1].tls = flow_tls{};
    b.records[1].tls->ja3_client = ja3s_b;                       // the same digest as another flow's JA3S
    b.records[2].tls = flow_tls{};
    b.records[2].tls->ja3_client = "00000000000000000000000000000000";
    b.records[2].tls->ja3_server = "";
    REQUIRE(f.s.write_batches(std::vector{b}) == std::vector{write_result::stored});

    const auto ids = [&](const std::string& ja3) {
        std::vector<std::uint64_t> out;
        for (const auto& it : stored(f, "j", ja3)) out.push_back(it.flow_id);
        return out;
    };
    const auto id = [&](std::size_t i) { return b.records[i].flow_id; };
    CHECK(ids(ja3_a) == std::vector{id(0)});
    CHECK(ids(ja3s_b) == std::vector{id(0), id(1)});
    CHECK(ids("00000000000000000000000000000000") == std::vector{id(2)});
    CHECK(ids("0123456789abcdef0123456789abcdef").empty());
    CHECK(ids("").size() == 4);  // no filter
    // A hostile value is a parameter, never SQL.
    CHECK(ids("' OR '1'='1").empty());
}

TEST_CASE("a database of schema version 6 gains the dpi columns and keeps its rows without details", "[store][schema]") {
    test_database db{false};
    db.migrate_to(6);
    {
        auto c = db.connect();
        pqxx::work tx{c};
        insert_old_flow(tx, "v6");
        tx.commit();
    }
    store s{db.dsn()};
    CHECK(s.migrate() == store::latest_schema_version());
    auto c = db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE probe_id = 'v6' AND num_nulls(dpi_confidence, tls_version,"
                    " ja3_client, ja3_server, tls_alpn, cert_subject, cert_issuer, cert_not_before, cert_not_after,"
                    " cert_sha1, http_method, http_url, http_user_agent, http_status) = 14") == 1);
    const auto rows = s.read_flows("v6");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].row.confidence == dpi_confidence::unknown);
    CHECK_FALSE(rows[0].row.tls);
    CHECK_FALSE(rows[0].row.http);
    flow_batch b = make_batch("p", 1, 1, 1, ns_of(day1));
    b.records[0].tls = full_tls();
    s.ensure_partitions(day1, 0);
    CHECK(s.write_batches(std::vector{b}) == std::vector{write_result::stored});
}
