#pragma once
// Tests only: the records, batches and checks that the store's tests share
// (store_test.cpp, flow_writer_test.cpp), against a real PostgreSQL
// (test_database.hpp).

#include "store/db_pool.hpp"
#include "store/flow_query.hpp"
#include "store/store.hpp"
#include "store/test_database.hpp"
#include "model/test_records.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace wireflow::collector::store_rows {

using namespace std::chrono;

using testing::test_database;
using testing::ip;
using testing::mac;

inline std::string admin_dsn() { return testing::server().dsn() + " dbname=postgres"; }

// A migrated store on a fresh database.
struct fixture {
    test_database db{false};
    store s{db.dsn()};
    fixture() { s.migrate(); }
};

inline constexpr std::uint64_t ns_per_day = 86'400'000'000'000ULL;

inline std::uint64_t ns_of(sys_days d, nanoseconds into_day = hours{12}) {
    return static_cast<std::uint64_t>((d.time_since_epoch() + into_day).count());
}

inline const sys_days day1 = year{2024} / March / 10;

// The flows of `probe` that the REST API's flow query finds with `filter`
// (the time range is set here: around day1), in flow id order.
inline std::vector<flow_item> queried_flows(const std::string& dsn, const std::string& probe, flow_filter filter) {
    db_pool pool{dsn, 1};
    flow_query q{pool};
    filter.from = sys_days{day1} - days{1};
    filter.to = sys_days{day1} + days{2};
    filter.limit = 100;
    std::vector<flow_item> out;
    for (auto& it : q.find(filter).items)
        if (it.probe_id == probe) out.push_back(std::move(it));
    std::sort(out.begin(), out.end(), [](const flow_item& a, const flow_item& b) { return a.flow_id < b.flow_id; });
    return out;
}

// One flow row as collectors of every older schema wrote it (only columns
// that schema version 1 already had), for the migration tests.
inline void insert_old_flow(pqxx::work& tx, const std::string& probe_id, const std::string& server_ip = "10.0.0.2") {
    tx.exec_params0("INSERT INTO flows (probe_id, boot_id, batch_seq, flow_id, first_seen, first_seen_ns, last_seen,"
                    " last_seen_ns, vlan, ip_version, protocol, client_ip, client_port, server_ip, server_port,"
                    " c2s_packets, c2s_bytes, s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason,"
                    " app_protocol, master_protocol, app_name, app_category, server_name, flow_risk)"
                    " VALUES ($1, 1, 1, 1, wf_ns_to_timestamptz(1710072000000000000), 1710072000000000000,"
                    " wf_ns_to_timestamptz(1710072001000000000), 1710072001000000000, 0, 4, 6, '10.0.0.1', 1234,"
                    " $2::inet, 443, 1, 60, 1, 60, 2, 18, 1, 91, 0, 'TLS', 'Web', 'old.example', 0)",
                    probe_id, server_ip);
}

inline flow_record make_row(std::uint64_t i, std::uint64_t first_seen_ns) {
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
    if (i % 3 == 1) {  // a DNS flow: AAAA answers in an IPv4 flow too, NXDOMAIN without an answer
        r.dns_query_type = i % 2 ? 28 : 1;
        r.dns_reply_code = static_cast<std::uint8_t>(i % 4 == 0 ? 3 : 0);
        if (r.dns_reply_code == 0)
            r.dns_answer = *wireflow::net::ip_address::parse(i % 2 ? "2001:db8::53" : "198.51.100.53");
    }
    return r;
}

inline flow_batch make_batch(const std::string& probe, std::uint64_t boot, std::uint64_t seq, std::size_t n,
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
inline stored_flow expected(const flow_batch& b, std::size_t i) {
    const auto& r = b.records[i];
    return {b.id, r, std::string(b.blacklist_text(r.client_blacklist)), std::string(b.blacklist_text(r.server_blacklist))};
}

inline void check_same(const stored_flow& got_flow, const stored_flow& want_flow) {
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
    CHECK(got.dns_query_type == want.dns_query_type);
    CHECK(got.dns_reply_code == want.dns_reply_code);
    CHECK(got.dns_answer == want.dns_answer);
    CHECK(got_flow.client_blacklist == want_flow.client_blacklist);
    CHECK(got_flow.server_blacklist == want_flow.server_blacklist);
}

inline std::uint64_t scalar(pqxx::connection& c, const std::string& sql) {
    pqxx::nontransaction tx{c};
    return static_cast<std::uint64_t>(tx.exec1(sql)[0].as<long long>());
}

inline std::uint64_t rows_in(store& s, const std::string& partition) {
    for (const auto& p : s.list_partitions())
        if (p.name == partition) return p.rows;
    FAIL("no partition " << partition);
    return 0;
}

inline bool has_partition(store& s, const std::string& partition) {
    for (const auto& p : s.list_partitions())
        if (p.name == partition) return true;
    return false;
}

}  // namespace wireflow::collector::store_rows
