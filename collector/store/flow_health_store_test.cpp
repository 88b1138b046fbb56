// TCP health, TTL ranges and DSCP (schema v4) against a real PostgreSQL:
// written by the binary COPY, read back by SQL and by the flow query the
// REST API uses; unknown stays NULL, never 0; a v3 database migrates and
// keeps its rows with the new columns unknown. Tunnels (schema v6) likewise.
#include "store/db_pool.hpp"
#include "store/flow_query.hpp"
#include "store/schema.hpp"
#include "store/store_test_rows.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

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

std::vector<flow_item> stored(fixture& f, const std::string& probe) {
    db_pool pool{f.db.dsn(), 1};
    flow_query q{pool};
    flow_filter filter;
    filter.from = sys_days{day1} - days{1};
    filter.to = sys_days{day1} + days{2};
    filter.limit = 100;
    std::vector<flow_item> out;
    for (auto& it : q.find(filter).items)
        if (it.probe_id == probe) out.push_back(std::move(it));
    std::sort(out.begin(), out.end(), [](const flow_item& a, const flow_item& b) { return a.flow_id < b.flow_id; });
    return out;
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
    {
        auto c = db.connect();
        pqxx::work tx{c};
        tx.exec0("CREATE TABLE schema_migrations (version integer PRIMARY KEY, description text NOT NULL,"
                 " applied_at timestamptz NOT NULL DEFAULT now())");
        for (const auto& m : schema::migrations()) {
            if (m.version > 3) break;
            tx.exec0(std::string(m.sql));
            tx.exec_params0("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)", m.version,
                            std::string(m.description));
        }
        tx.exec0("INSERT INTO flows (probe_id, boot_id, batch_seq, flow_id, first_seen, first_seen_ns, last_seen,"
                 " last_seen_ns, vlan, ip_version, protocol, client_ip, client_port, server_ip, server_port,"
                 " c2s_packets, c2s_bytes, s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason,"
                 " app_protocol, master_protocol, app_name, app_category, server_name, flow_risk)"
                 " VALUES ('v3', 1, 1, 1, wf_ns_to_timestamptz(1710072000000000000), 1710072000000000000,"
                 " wf_ns_to_timestamptz(1710072001000000000), 1710072001000000000, 0, 4, 6, '10.0.0.1', 1234,"
                 " '10.0.0.2', 443, 1, 60, 1, 60, 2, 18, 1, 91, 0, 'TLS', 'Web', 'old.example', 0)");
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
