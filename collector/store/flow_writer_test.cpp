// The write path (flow_writer.cpp, flow_rows.cpp, schema v3) against a real
// PostgreSQL: batch-level exactly-once, binary values read back with SQL,
// the migration of a database an older collector made.
#include "store/store.hpp"

#include "store/schema.hpp"
#include "store/store_test_rows.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <string>
#include <vector>

using namespace std::chrono;
using namespace wireflow::collector;
using namespace wireflow::collector::store_rows;

TEST_CASE("de-duplication is the batch's: a re-sent group stores nothing twice, a flow's next record is a row", "[store][dedup]") {
    fixture f;
    auto b1 = make_batch("p1", 9, 1, 3, ns_of(day1));
    auto b2 = make_batch("p1", 9, 2, 2, ns_of(day1));
    auto continued = b1.records[1];  // same flow, next active-timeout record: a new row
    continued.first_seen_ns += 60'000'000'000ULL;
    b2.records.push_back(continued);
    CHECK(f.s.write_batches(std::vector{b1, b2}) == std::vector{write_result::stored, write_result::stored});
    // The whole group again, and each batch twice in one group: batch
    // identities are immutable, so nothing is stored a second time.
    CHECK(f.s.write_batches(std::vector{b1, b2}) == std::vector{write_result::duplicate, write_result::duplicate});
    auto b3 = make_batch("p1", 9, 3, 4, ns_of(day1));
    CHECK(f.s.write_batches(std::vector{b3, b1, b3}) ==
          std::vector{write_result::stored, write_result::duplicate, write_result::duplicate});
    CHECK(f.s.count_flows() == 3 + 3 + 4);
    auto c = f.db.connect();
    CHECK(scalar(c, "SELECT count(*) FROM (SELECT 1 FROM flows GROUP BY probe_id, boot_id, flow_id, first_seen_ns"
                    " HAVING count(*) > 1) AS twice") == 0);
}

TEST_CASE("binary addresses, MACs, times and names read back in SQL as their text input would", "[store][write]") {
    fixture f;
    f.s.ensure_partitions(day1, 0);
    flow_batch b = make_batch("p", 5, 1, 4, ns_of(day1));
    b.records[0].client_ip = ip("192.0.2.1");
    b.records[0].server_ip = ip("198.51.100.254");
    b.records[1].client_ip = ip("2001:db8::1");
    b.records[1].server_ip = ip("fe80::aa:bbff:fecc:ddee");
    b.records[2].client_ip = ip("::ffff:10.1.2.3");  // v4-mapped IPv6 stays IPv6
    b.records[2].server_ip = ip("::");
    b.records[0].client_mac = mac("02:00:5e:10:00:ff");
    b.records[0].server_mac = std::nullopt;  // MAC-less link layer
    b.records[1].client_mac = std::nullopt;
    b.records[1].server_mac = std::nullopt;
    b.records[2].server_name = "caf\xc3\xa9.example.fr \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80";
    b.records[3].server_name = "";
    b.records[3].first_seen_ns = ns_of(day1, nanoseconds{999});  // under a microsecond into the day
    CHECK(f.s.write_batches(std::vector{b}) == std::vector{write_result::stored});
    auto c = f.db.connect();
    pqxx::nontransaction tx{c};
    auto one = [&](std::uint64_t flow_id, const std::string& cond) {
        return tx.exec_params1("SELECT count(*) FROM flows WHERE flow_id = $1 AND " + cond,
                               static_cast<long long>(flow_id))[0]
            .as<int>();
    };
    const auto id = [&](int i) { return b.records[static_cast<std::size_t>(i)].flow_id; };
    CHECK(one(id(0), "client_ip = '192.0.2.1'::inet AND family(client_ip) = 4 AND masklen(client_ip) = 32"
                     " AND server_ip = '198.51.100.254' AND ip_version = 4") == 1);
    CHECK(one(id(0), "client_mac = '02:00:5e:10:00:ff'::macaddr AND server_mac IS NULL") == 1);
    CHECK(one(id(1), "client_ip = '2001:db8::1'::inet AND family(client_ip) = 6 AND masklen(client_ip) = 128"
                     " AND server_ip = 'fe80::aa:bbff:fecc:ddee' AND client_mac IS NULL AND server_mac IS NULL"
                     " AND ip_version = 6") == 1);
    CHECK(one(id(2), "client_ip = '::ffff:10.1.2.3'::inet AND family(client_ip) = 6 AND server_ip = '::'::inet") == 1);
    CHECK(tx.exec_params1("SELECT count(*) FROM flows WHERE server_name = $1 AND length(server_name) = 20",
                          b.records[2].server_name)[0]
              .as<int>() == 1);
    CHECK(one(id(3), "server_name = ''") == 1);
    // Every timestamptz the writer computed is the schema's own function of the ns column.
    auto count = [&](const char* sql) { return tx.exec1(sql)[0].as<long long>(); };
    CHECK(count("SELECT count(*) FROM flows WHERE first_seen <> wf_ns_to_timestamptz(first_seen_ns)"
                " OR last_seen <> wf_ns_to_timestamptz(last_seen_ns)") == 0);
    CHECK(one(id(3), "first_seen = '2024-03-10 00:00:00+00'") == 1);
    CHECK(count("SELECT count(*) FROM flows_p20240310") == 4);
    // ingested_at is left to its default: the time of the writing transaction.
    CHECK(count("SELECT count(*) FROM flows WHERE ingested_at > now() OR ingested_at < now() - interval '1 hour'") == 0);
}

TEST_CASE("a database of schema version 2 migrates to the batch-only identity and keeps its rows", "[store][schema]") {
    test_database db{false};
    db.migrate_to(2);
    {
        // The schema as collectors before version 3 left it, with a row of theirs.
        auto c = db.connect();
        pqxx::work tx{c};
        tx.exec0("INSERT INTO ingested_batches (probe_id, boot_id, sequence, records) VALUES ('old', 1, 1, 1)");
        insert_old_flow(tx, "old");
        tx.commit();
        CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname = 'flows_identity'") == 1);
    }
    store s{db.dsn()};
    CHECK(s.migrate() == store::latest_schema_version());
    auto c = db.connect();
    // Columns added later read as "unknown" on the old row: not a DNS flow.
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE dns_query_type = 0 AND dns_reply_code = 0 AND dns_answer IS NULL") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('flows_identity', 'flows_app_time',"
                    " 'flows_client_ip_time', 'flows_server_ip_time')") == 0);
    // v3's BRIN on ingested_at came and went (v11): each leaf has its own.
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('flows_ingested_at_brin', 'flows_first_seen_brin')") == 0);
    // v3's GIN of both hosts came and went (v10): the old day is listed for
    // the collector to seal with its host b-trees.
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname = 'flows_hosts_gin'") == 0);
    CHECK(scalar(c, "SELECT count(*) FROM flow_segments WHERE sealed_at IS NULL AND starts = '-infinity'") >= 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE client_ip = '10.0.0.2' OR server_ip = '10.0.0.2'") == 1);
    // A day made from now on: its default partition has its host b-trees and time BRIN.
    s.ensure_partitions(day1, 0);
    CHECK(scalar(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'flows_p20240310_late'"
                    " AND indexdef LIKE '%USING brin (first_seen, ingested_at)%'") == 1);
    CHECK(scalar(c, "SELECT count(*) FROM flows WHERE probe_id = 'old' AND server_name = 'old.example'"
                    " AND client_ip = '10.0.0.1'") == 1);
    const std::vector<flow_batch> one{make_batch("p", 1, 1, 5, ns_of(day1))};
    CHECK(s.write_batches(one) == std::vector{write_result::stored});
    CHECK(s.write_batches(one) == std::vector{write_result::duplicate});
    CHECK(s.count_flows() == 1 + 5);
}
