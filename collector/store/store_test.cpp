// Integration tests of the store against a real PostgreSQL server: the one in
// WIREFLOW_TEST_PG (deploy/test.sh), else a throw-away cluster started here
// with tests/support/pgcluster.py. Each test case gets a fresh database.
#include "store/store.hpp"

#include "store/schema.hpp"
#include "store/test_database.hpp"
#include "model/test_records.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

using namespace std::chrono;
using namespace wireflow::collector;

// LeakSanitizer (CI's sanitizer build): libpqxx 6.4.5 leaks one PGresult
// (~2 KB) from its internal PQexec call when the server has terminated the
// connection (seen in the pg_terminate_backend test below, inside BEGIN). The
// leak is in the library, once per lost connection; suppress only frames in it.
extern "C" __attribute__((used)) const char* __lsan_default_suppressions() { return "leak:libpqxx-6.4.so\n"; }

namespace {

using testing::test_database;
using testing::ip;
using testing::mac;

std::string admin_dsn() { return testing::server().dsn() + " dbname=postgres"; }

// A migrated store on a fresh database.
struct fixture {
    test_database db{false};
    store s{db.dsn()};
    fixture() { s.migrate(); }
};

constexpr std::uint64_t ns_per_day = 86'400'000'000'000ULL;

std::uint64_t ns_of(sys_days d, nanoseconds into_day = hours{12}) {
    return static_cast<std::uint64_t>((d.time_since_epoch() + into_day).count());
}

const sys_days day1 = year{2024} / March / 10;

flow_record make_row(std::uint64_t i, std::uint64_t first_seen_ns) {
    flow_record r;
    r.flow_id = 1000 + i;
    r.vlan = static_cast<std::uint16_t>(i % 4095);
    r.protocol = static_cast<std::uint8_t>(i % 2 ? 6 : 17);
    if (i % 3 == 0) {
        r.client_ip = ip("2001:db8::" + std::to_string(i % 9000 + 1));
        r.server_ip = ip("2001:db8:ffff::1");
    } else {
        r.client_ip = ip("10.0." + std::to_string(i / 250 % 250) + "." + std::to_string(i % 250 + 1));
        r.server_ip = ip("192.0.2.7");
    }
    r.client_port = static_cast<std::uint16_t>(1024 + i % 60000);
    r.server_port = 443;
    r.first_seen_ns = first_seen_ns + i * 1'000'123;  // sub-microsecond digits too
    r.last_seen_ns = r.first_seen_ns + 5'000'000'789ULL;
    r.c2s_packets = 10 + i;
    r.c2s_bytes = 1500 * (10 + i);
    r.s2c_packets = 20 + i;
    r.s2c_bytes = 40 * (20 + i);
    r.c2s_tcp_flags = 0x1b;
    r.s2c_tcp_flags = 0xff;
    r.reason = static_cast<wireflow::end_reason>(i % 7);
    if (i % 2 == 0) {
        r.client_mac = mac("02:00:00:00:00:0" + std::to_string(i % 10));
        r.server_mac = mac("aa:bb:cc:dd:ee:ff");
    }
    r.app_protocol = static_cast<std::uint32_t>(7 + i % 3);
    r.master_protocol = 91;
    r.app_name = "TLS.YouTube";
    r.app_category = "Media";
    r.server_name = "www.example.com";
    r.flow_risk = (1ULL << 63) | i;  // top bit set: stored bit-for-bit
    return r;
}

flow_batch make_batch(const std::string& probe, std::uint64_t boot, std::uint64_t seq, std::size_t n,
                      std::uint64_t first_seen_ns) {
    flow_batch b;
    b.id = {probe, boot, seq};
    b.send_time_ns = first_seen_ns;
    for (std::size_t i = 0; i < n; ++i) {
        b.records.push_back(make_row(seq * 100'000 + i, first_seen_ns));
        if (i % 5 == 0) b.records.back().server_blacklist = b.label_for("firehol_level1");
    }
    return b;
}

// Record i of b as read_flows should return it.
stored_flow expected(const flow_batch& b, std::size_t i) {
    const auto& r = b.records[i];
    return {b.id, r, std::string(b.blacklist_text(r.client_blacklist)), std::string(b.blacklist_text(r.server_blacklist))};
}

void check_same(const stored_flow& got_flow, const stored_flow& want_flow) {
    const flow_record& got = got_flow.row;
    const flow_record& want = want_flow.row;
    INFO("flow_id " << want.flow_id);
    CHECK(got_flow.batch == want_flow.batch);
    CHECK(got.flow_id == want.flow_id);
    CHECK(got.vlan == want.vlan);
    CHECK(got.ip_version() == want.ip_version());
    CHECK(got.protocol == want.protocol);
    CHECK(got.client_ip == want.client_ip);
    CHECK(got.client_port == want.client_port);
    CHECK(got.server_ip == want.server_ip);
    CHECK(got.server_port == want.server_port);
    CHECK(got.first_seen_ns == want.first_seen_ns);
    CHECK(got.last_seen_ns == want.last_seen_ns);
    CHECK(got.c2s_packets == want.c2s_packets);
    CHECK(got.c2s_bytes == want.c2s_bytes);
    CHECK(got.s2c_packets == want.s2c_packets);
    CHECK(got.s2c_bytes == want.s2c_bytes);
    CHECK(got.c2s_tcp_flags == want.c2s_tcp_flags);
    CHECK(got.s2c_tcp_flags == want.s2c_tcp_flags);
    CHECK(got.reason == want.reason);
    CHECK(got.client_mac == want.client_mac);
    CHECK(got.server_mac == want.server_mac);
    CHECK(got.app_protocol == want.app_protocol);
    CHECK(got.master_protocol == want.master_protocol);
    CHECK(got.app_name == want.app_name);
    CHECK(got.app_category == want.app_category);
    CHECK(got.server_name == want.server_name);
    CHECK(got.flow_risk == want.flow_risk);
    CHECK(got_flow.client_blacklist == want_flow.client_blacklist);
    CHECK(got_flow.server_blacklist == want_flow.server_blacklist);
}

std::uint64_t scalar(pqxx::connection& c, const std::string& sql) {
    pqxx::nontransaction tx{c};
    return static_cast<std::uint64_t>(tx.exec1(sql)[0].as<long long>());
}

std::uint64_t rows_in(store& s, const std::string& partition) {
    for (const auto& p : s.list_partitions())
        if (p.name == partition) return p.rows;
    FAIL("no partition " << partition);
    return 0;
}

bool has_partition(store& s, const std::string& partition) {
    for (const auto& p : s.list_partitions())
        if (p.name == partition) return true;
    return false;
}

}  // namespace

TEST_CASE("migrations are idempotent: running them twice leaves one schema", "[store][schema]") {
    test_database db{false};
    store s{db.dsn()};
    CHECK(s.migrate() == store::latest_schema_version());
    CHECK(s.migrate() == store::latest_schema_version());
    store again{db.dsn()};
    CHECK(again.migrate() == store::latest_schema_version());
    auto c = db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM schema_migrations") == schema::migrations().size());
    CHECK(scalar(c, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('flows', 'ingested_batches',"
                    " 'probes', 'probe_stats', 'hosts', 'pools', 'pool_members', 'alerts', 'preferences', 'users',"
                    " 'sessions', 'api_tokens', 'blacklist_sources', 'timeseries', 'timeseries_hourly')") == 15);
}

TEST_CASE("migration versions ascend from 1 without gaps", "[store][schema]") {
    int expected = 1;
    for (const auto& m : schema::migrations()) CHECK(m.version == expected++);
}

TEST_CASE("collectors starting at the same time apply each migration once", "[store][schema]") {
    test_database db{false};
    std::vector<std::thread> starters;
    std::vector<int> versions(4, -1);
    for (int i = 0; i < 4; ++i) {
        starters.emplace_back([&, i] {
            try {
                store s{db.dsn()};
                versions[i] = s.migrate();
            } catch (const std::exception&) {
                versions[i] = -2;  // checked below (Catch2 assertions are not thread-safe)
            }
        });
    }
    for (auto& t : starters) t.join();
    for (int v : versions) CHECK(v == store::latest_schema_version());
    auto c = db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM schema_migrations") == schema::migrations().size());
}

TEST_CASE("every field of every record is stored as given", "[store][write]") {
    fixture f;
    f.s.ensure_partitions(day1, 1);
    std::vector<flow_batch> group;
    group.push_back(make_batch("probe-a", 0xfedcba9876543210ULL, 1, 50, ns_of(day1)));  // boot_id >= 2^63
    group.push_back(make_batch("probe-a", 0xfedcba9876543210ULL, 2, 7, ns_of(day1, hours{1})));
    group.push_back(make_batch("probe-a", 0xfedcba9876543210ULL, 3, 0, ns_of(day1)));  // empty batch
    const auto results = f.s.write_batches(group);
    REQUIRE(results.size() == 3);
    for (auto r : results) CHECK(r == write_result::stored);
    CHECK(f.s.count_flows() == 57);
    CHECK(f.s.count_ingested_batches() == 3);

    std::vector<stored_flow> want;
    for (const auto& b : group)
        for (std::size_t i = 0; i < b.records.size(); ++i) want.push_back(expected(b, i));
    std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
        return std::tie(a.row.flow_id, a.row.first_seen_ns) < std::tie(b.row.flow_id, b.row.first_seen_ns);
    });
    const auto got = f.s.read_flows("probe-a");
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) check_same(got[i], want[i]);
    auto c = f.db.connect();
    // The timestamptz is the ns value truncated to microseconds.
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE"
                    " (extract(epoch FROM first_seen) * 1000000)::bigint <> first_seen_ns / 1000") == 0);
    CHECK(scalar(c, "SELECT sum(records) FROM ingested_batches") == 57);
}

TEST_CASE("a re-sent batch is stored once and reported as duplicate", "[store][dedup]") {
    fixture f;
    const std::vector<flow_batch> one{make_batch("p1", 42, 7, 20, ns_of(day1))};
    CHECK(f.s.write_batches(one) == std::vector{write_result::stored});
    CHECK(f.s.write_batches(one) == std::vector{write_result::duplicate});
    // Also from another connection (another collector, or after a restart).
    store other{f.db.dsn()};
    CHECK(other.write_batches(one) == std::vector{write_result::duplicate});
    CHECK(f.s.count_flows() == 20);
    CHECK(f.s.count_ingested_batches() == 1);
}

TEST_CASE("a group mixing new and already stored batches stores only the new ones", "[store][dedup]") {
    fixture f;
    const auto b1 = make_batch("p1", 42, 1, 10, ns_of(day1));
    const auto b2 = make_batch("p1", 42, 2, 10, ns_of(day1));
    const auto b3 = make_batch("p1", 42, 3, 10, ns_of(day1));
    const auto other_boot = make_batch("p1", 43, 2, 5, ns_of(day1));
    const auto other_probe = make_batch("p2", 42, 2, 5, ns_of(day1));
    CHECK(f.s.write_batches(std::vector{b2}) == std::vector{write_result::stored});
    const auto results = f.s.write_batches(std::vector{b1, b2, b3, other_boot, other_probe, b1});
    CHECK(results == std::vector{write_result::stored, write_result::duplicate, write_result::stored,
                                 write_result::stored, write_result::stored, write_result::duplicate});
    CHECK(f.s.count_flows() == 10 + 10 + 10 + 5 + 5);
    CHECK(f.s.count_ingested_batches() == 5);
}

TEST_CASE("a record re-sent inside a new batch is stored once", "[store][dedup]") {
    fixture f;
    auto b1 = make_batch("p1", 9, 1, 3, ns_of(day1));
    auto b2 = make_batch("p1", 9, 2, 2, ns_of(day1));
    b2.records.push_back(b1.records[0]);  // same identity (flow_id, first_seen_ns)
    auto continued = b1.records[1];       // same flow, next active-timeout record: a new identity
    continued.first_seen_ns += 60'000'000'000ULL;
    b2.records.push_back(continued);
    CHECK(f.s.write_batches(std::vector{b1, b2}) == std::vector{write_result::stored, write_result::stored});
    CHECK(f.s.count_flows() == 3 + 2 + 1);
}

TEST_CASE("records land in the partition of their UTC day, far-away ones in the default", "[store][partitions]") {
    fixture f;
    CHECK(f.s.ensure_partitions(day1, 2) == 3);
    CHECK(f.s.ensure_partitions(day1, 2) == 0);  // already there
    std::vector<flow_batch> group;
    group.push_back(make_batch("p", 1, 1, 4, ns_of(day1, hours{0})));                   // 00:00:00.000 of day1
    group.push_back(make_batch("p", 1, 2, 3, ns_of(day1 + days{1}, hours{23})));        // day2
    group.push_back(make_batch("p", 1, 3, 2, ns_of(day1 + days{2}, hours{6})));         // day3
    group.push_back(make_batch("p", 1, 4, 1, ns_of(sys_days{year{2090} / January / 1}))); // far future
    group.push_back(make_batch("p", 1, 5, 1, ns_of(sys_days{year{1999} / January / 1}))); // far past
    f.s.write_batches(group);
    CHECK(rows_in(f.s, "flows_p20240310") == 4);
    CHECK(rows_in(f.s, "flows_p20240311") == 3);
    CHECK(rows_in(f.s, "flows_p20240312") == 2);
    CHECK(rows_in(f.s, "flows_default") == 2);
    CHECK(f.s.count_flows() == 11);
}

TEST_CASE("creating a day partition moves that day's waiting records out of the default", "[store][partitions]") {
    fixture f;
    f.s.write_batches(std::vector{make_batch("p", 1, 1, 6, ns_of(day1))});
    CHECK(rows_in(f.s, "flows_default") == 6);
    CHECK(f.s.ensure_partitions(day1, 0) == 1);
    CHECK(rows_in(f.s, "flows_default") == 0);
    CHECK(rows_in(f.s, "flows_p20240310") == 6);
    // The identity still de-duplicates across the move.
    auto again = make_batch("p", 1, 2, 6, ns_of(day1));
    again.records = make_batch("p", 1, 1, 6, ns_of(day1)).records;
    f.s.write_batches(std::vector{again});
    CHECK(f.s.count_flows() == 6);
}

TEST_CASE("retention drops whole partitions whose day ended, and nothing else", "[store][partitions]") {
    fixture f;
    f.s.ensure_partitions(day1, 4);  // 10th .. 14th
    std::vector<flow_batch> group;
    for (int d = 0; d < 5; ++d) group.push_back(make_batch("p", 1, 1 + d, 3, ns_of(day1 + days{d})));
    group.push_back(make_batch("p", 1, 9, 2, ns_of(sys_days{year{2001} / May / 1})));  // default partition
    f.s.write_batches(group);
    CHECK(f.s.count_flows() == 17);

    // Cutoff in the middle of the 12th: the 10th and 11th ended, the 12th has not.
    CHECK(f.s.drop_partitions_before(day1 + days{2} + hours{13}) == 2);
    CHECK_FALSE(has_partition(f.s, "flows_p20240310"));
    CHECK_FALSE(has_partition(f.s, "flows_p20240311"));
    CHECK(rows_in(f.s, "flows_p20240312") == 3);
    CHECK(rows_in(f.s, "flows_default") == 2);
    CHECK(f.s.count_flows() == 11);
    // Exactly at midnight the 12th has ended.
    CHECK(f.s.drop_partitions_before(day1 + days{3}) == 1);
    CHECK(f.s.drop_partitions_before(day1 + days{3}) == 0);
    CHECK(f.s.count_flows() == 8);
    CHECK(has_partition(f.s, "flows_default"));
}

TEST_CASE("hostile strings are stored verbatim", "[store][write]") {
    fixture f;
    const std::vector<std::string> hostile{
        "'; DROP TABLE flows; --",
        "quote ' double \" backslash \\ end\\",
        "tab\there\nnewline\rcarriage",
        "\\N",
        "\\.",
        "$1 $$ dollar $$",
        "héllo wörld — 日本語 🚀 \u200b zero-width",
        std::string(255, 'x'),
        "",
    };
    flow_batch b = make_batch("p", 1, 1, hostile.size(), ns_of(day1));
    for (std::size_t i = 0; i < hostile.size(); ++i) {
        b.records[i].server_name = hostile[i];
        b.records[i].app_name = hostile[(i + 1) % hostile.size()];
        b.records[i].app_category = hostile[(i + 2) % hostile.size()];
        b.records[i].client_blacklist = b.label_for(hostile[(i + 3) % hostile.size()]);
    }
    CHECK(f.s.write_batches(std::vector{b}) == std::vector{write_result::stored});
    const auto got = f.s.read_flows("p");
    REQUIRE(got.size() == hostile.size());
    for (std::size_t i = 0; i < got.size(); ++i) check_same(got[i], expected(b, i));
    auto c = f.db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'flows'") == 1);
}

TEST_CASE("data the server refuses is reported as rejected and commits nothing", "[store][errors]") {
    fixture f;
    auto good = make_batch("p", 1, 1, 3, ns_of(day1));
    auto nul = make_batch("p", 1, 2, 3, ns_of(day1));
    nul.records[1].server_name = std::string("a\0b", 3);  // PostgreSQL text cannot hold NUL
    auto bad_ip = make_batch("p", 1, 3, 3, ns_of(day1));
    bad_ip.records[2].client_ip = wireflow::net::ip_address{};  // no family: its text is empty, not an inet
    for (const auto& poison : {nul, bad_ip}) {
        try {
            f.s.write_batches(std::vector{good, poison});
            FAIL("write_batches accepted a poison batch");
        } catch (const store_error& e) {
            INFO(e.what());
            CHECK(e.which() == store_error::kind::rejected);
            CHECK_FALSE(e.retryable());
        }
    }
    CHECK(f.s.count_flows() == 0);
    CHECK(f.s.count_ingested_batches() == 0);
    // The group without the poison batch goes through on the same store.
    CHECK(f.s.write_batches(std::vector{good}) == std::vector{write_result::stored});
    CHECK(f.s.count_flows() == 3);
}

TEST_CASE("after the server connection is killed a write throws and the next one reconnects", "[store][errors]") {
    fixture f;
    const auto b1 = make_batch("p", 1, 1, 5, ns_of(day1));
    const auto b2 = make_batch("p", 1, 2, 5, ns_of(day1));
    CHECK(f.s.write_batches(std::vector{b1}) == std::vector{write_result::stored});
    {
        pqxx::connection admin{admin_dsn()};
        pqxx::nontransaction tx{admin};
        CHECK(tx.exec_params1("SELECT pg_terminate_backend($1)", f.s.backend_pid())[0].as<bool>());
    }
    bool threw = false;
    try {
        f.s.write_batches(std::vector{b2});
    } catch (const store_error& e) {
        INFO(e.what());
        threw = true;
        CHECK(e.retryable());
    }
    CHECK(threw);
    // The retry (same group, same object) reconnects; nothing was committed before.
    CHECK(f.s.write_batches(std::vector{b1, b2}) == std::vector{write_result::duplicate, write_result::stored});
    CHECK(f.s.count_flows() == 10);
    // An explicit reconnect works too.
    f.s.reconnect();
    CHECK(f.s.is_open());
    CHECK(f.s.count_ingested_batches() == 2);
}

TEST_CASE("a store for an unreachable server throws a retryable error", "[store][errors]") {
    try {
        store s{"host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2"};
        FAIL("connected to port 1");
    } catch (const store_error& e) {
        CHECK(e.retryable());
    }
}

TEST_CASE("probe statistics keep the latest report and a series without repeats", "[store][probe_stats]") {
    fixture f;
    probe_stats s;
    s.probe_id = "edge-1";
    s.boot_id = 0x8000000000000001ULL;
    s.time_ns = ns_of(day1);
    s.ports = {{0, "net_pcap0", 100, 150000, 1, 2, 3}, {1, "0000:03:00.0 'q\\", 50, 60000, 0, 0, 1}};
    s.workers = {{0, 80, 79, 1, 10, 20, 19, 0, 1}, {1, 70, 70, 0, 5, 7, 7, 1, 0}};
    s.batches_sent = 12;
    s.batches_acked = 11;
    s.batches_pending = 1;
    s.export_drops = 1;
    s.last_sequence = 12;
    s.uptime_ns = 60'000'000'000ULL;
    f.s.write_probe_stats(s);
    f.s.write_probe_stats(s);  // re-sent: one row in the series
    auto later = s;
    later.time_ns += 10'000'000'000ULL;
    later.batches_sent = 20;
    f.s.write_probe_stats(later);
    f.s.write_probe_stats(s);  // late arrival of an older report does not replace the latest
    CHECK(f.s.count_probe_stats("edge-1") == 2);
    const auto latest = f.s.latest_probe_stats("edge-1");
    REQUIRE(latest);
    CHECK(latest->boot_id == later.boot_id);
    CHECK(latest->time_ns == later.time_ns);
    CHECK(latest->batches_sent == 20);
    REQUIRE(latest->ports.size() == 2);
    CHECK(latest->ports[1].name == s.ports[1].name);
    CHECK(latest->ports[1].rx_bytes == 60000);
    REQUIRE(latest->workers.size() == 2);
    CHECK(latest->workers[1].ring_full_drops == 1);
    CHECK_FALSE(f.s.latest_probe_stats("nobody"));
    auto c = f.db.connect();
    CHECK(scalar(c, "SELECT rx_packets + imissed + ierrors FROM probe_stats ORDER BY time_ns LIMIT 1") == 150 + 1 + 4);
}
