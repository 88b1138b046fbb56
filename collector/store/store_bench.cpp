// store_bench: the collector's write path (store::write_batches: batch
// identities, binary COPY into the partitioned, indexed flows table, one
// transaction per group) against a raw binary COPY of the same rows into an
// unindexed, unpartitioned table of the same columns, in the same database,
// round after round (raw, then the store), so both see the same machine.
//
//   store_bench [--db CONNINFO] [--records N] [--batch N] [--group N] [--rounds N]
//               [--without-host-index 1] [--pending-kb N] [--cleaner-ms N]
// --without-host-index 1 drops the GIN index of the hosts after migrating:
// an experiment (what the write path would gain if the partition being
// written had no host index), never the product's schema.
// --pending-kb N sets the GIN's pending-list limit of the day partitions
// (the schema's is 16 MB; the inserting backend merges the list into the
// index when it is full), and --cleaner-ms N merges it from a second
// connection every N ms (gin_clean_pending_list) while the writer runs: the
// experiment of moving the GIN's merge off the writer's backend.
//
// Without --db it uses the server in WIREFLOW_TEST_PG, in a database it
// creates and drops. The raw COPY is the ideal: its rows are encoded before
// the clock starts and sent as ONE COPY in one transaction; write_batches'
// time includes its own encoding, identity inserts and one commit per group.
// Prints records/s of both per round and the median ratio.
#include "store/flow_rows.hpp"
#include "store/pg_connection.hpp"
#include "store/store.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <random>
#include <thread>
#include <span>
#include <string>
#include <vector>

using namespace std::chrono;
using namespace wireflow::collector;

namespace {

flow_record make_row(std::uint64_t i, std::uint64_t base_ns) {
    flow_record r;
    r.flow_id = i;
    r.vlan = static_cast<std::uint16_t>(i % 16);
    r.protocol = i % 4 ? 6 : 17;
    // Random-looking clients (a hash of i) over 16M addresses, 200 servers:
    // index inserts land all over the client b-tree, as real traffic does.
    const auto h = static_cast<std::uint32_t>((i * 0x9e3779b97f4a7c15ULL) >> 40);
    r.client_ip = wireflow::net::ip_address::v4(0x0A000000u | (h & 0xffffff));
    r.server_ip = wireflow::net::ip_address::v4(0xC0000200u + static_cast<std::uint32_t>(i % 200 + 1));
    r.client_port = static_cast<std::uint16_t>(1024 + i % 60000);
    r.server_port = 443;
    r.first_seen_ns = base_ns + i * 1000;
    r.last_seen_ns = r.first_seen_ns + 2'000'000'000;
    r.c2s_packets = 10;
    r.c2s_bytes = 1400;
    r.s2c_packets = 12;
    r.s2c_bytes = 15000;
    r.c2s_tcp_flags = 0x1b;
    r.s2c_tcp_flags = 0x1b;
    r.reason = wireflow::end_reason::tcp_fin;
    r.client_mac = wireflow::net::mac_address{{2, 0, 0, 0, 0, 1}};
    r.server_mac = wireflow::net::mac_address{{2, 0, 0, 0, 0, 2}};
    r.app_protocol = 7 + i % 20;
    r.master_protocol = 91;
    r.app_name = "TLS.Google";
    r.app_category = "Web";
    r.server_name = "host" + std::to_string(i % 5000) + ".example.com";
    return r;
}

double raw_copy_rate(const std::string& dsn, const std::vector<flow_batch>& batches, std::size_t total) {
    pg_connection c{dsn};
    c.exec("DROP TABLE IF EXISTS bench_raw_flows");
    // LIKE copies the columns only: no index, no partitioning.
    c.exec("CREATE TABLE bench_raw_flows (LIKE flows INCLUDING DEFAULTS)");
    pg_binary::copy_buffer rows;
    rows.header();
    for (const auto& b : batches)
        if (!flow_rows::encode(b, rows)) throw std::runtime_error("unencodable row");
    rows.trailer();
    const std::string sql = "COPY bench_raw_flows (" + std::string(flow_rows::copy_columns) + ") FROM STDIN (FORMAT binary)";
    const std::array<std::span<const char>, 1> all{rows.bytes()};
    const auto start = steady_clock::now();
    c.exec("BEGIN");
    c.copy_in(sql.c_str(), all);
    c.exec("COMMIT");
    const double secs = duration<double>(steady_clock::now() - start).count();
    pqxx::connection check{dsn};
    pqxx::nontransaction tx{check};
    const auto n = tx.exec1("SELECT count(*) FROM bench_raw_flows")[0].as<std::size_t>();
    if (n != total) throw std::runtime_error("raw copy stored " + std::to_string(n) + " rows");
    tx.exec0("DROP TABLE bench_raw_flows");
    return static_cast<double>(total) / secs;
}

double write_rate(store& s, const std::vector<flow_batch>& batches, std::size_t group, std::size_t total,
                  write_result expect) {
    const auto start = steady_clock::now();
    for (std::size_t i = 0; i < batches.size(); i += group) {
        const auto n = std::min(group, batches.size() - i);
        for (auto r : s.write_batches(std::span{batches}.subspan(i, n)))
            if (r != expect) throw std::runtime_error("unexpected write result");
    }
    const double secs = duration<double>(steady_clock::now() - start).count();
    return static_cast<double>(total) / secs;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::string dsn;
    std::size_t records = 200'000, batch = 1000, group = 10, rounds = 3;
    bool without_host_index = false;
    long pending_kb = 0, cleaner_ms = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--db") dsn = argv[i + 1];
        else if (k == "--records") records = std::stoul(argv[i + 1]);
        else if (k == "--batch") batch = std::stoul(argv[i + 1]);
        else if (k == "--group") group = std::stoul(argv[i + 1]);
        else if (k == "--rounds") rounds = std::stoul(argv[i + 1]);
        else if (k == "--without-host-index") without_host_index = std::stoul(argv[i + 1]) != 0;
        else if (k == "--pending-kb") pending_kb = std::stol(argv[i + 1]);
        else if (k == "--cleaner-ms") cleaner_ms = std::stol(argv[i + 1]);
        else {
            std::fprintf(stderr,
                         "usage: store_bench [--db CONNINFO] [--records N] [--batch N] [--group N] [--rounds N]"
                         " [--without-host-index 1] [--pending-kb N] [--cleaner-ms N]\n");
            return 2;
        }
    }
    std::string created;
    std::string admin;
    try {
        if (dsn.empty()) {
            const char* env = std::getenv("WIREFLOW_TEST_PG");
            if (!env || !*env) {
                std::fprintf(stderr, "store_bench: give --db or set WIREFLOW_TEST_PG\n");
                return 2;
            }
            admin = std::string(env) + " dbname=postgres";
            created = "wf_bench_" + std::to_string(std::random_device{}());
            pqxx::connection c{admin};
            pqxx::nontransaction tx{c};
            tx.exec0("CREATE DATABASE " + tx.quote_name(created));
            dsn = std::string(env) + " dbname=" + created;
        }
        store s{dsn};
        s.migrate();
        if (without_host_index) {
            pg_connection c{dsn};
            c.exec("DROP INDEX flows_hosts_gin");
        }
        const auto now = system_clock::now();
        s.ensure_partitions(now, 1);
        const auto base_ns = static_cast<std::uint64_t>(duration_cast<nanoseconds>(now.time_since_epoch()).count());
        const std::uint64_t boot = std::random_device{}();
        std::vector<std::string> gins;
        if (!without_host_index) {
            pqxx::connection c{dsn};
            pqxx::nontransaction tx{c};
            for (auto row : tx.exec("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'flows_hosts_gin'::regclass"))
                gins.push_back(row[0].as<std::string>());
            if (pending_kb > 0)
                for (const auto& g : gins)
                    tx.exec0("ALTER INDEX " + g + " SET (gin_pending_list_limit = " + std::to_string(pending_kb) + ")");
        }
        std::atomic<bool> stop{false};
        std::atomic<long> cleaned{0};
        std::thread cleaner;
        if (cleaner_ms > 0 && !without_host_index)
            cleaner = std::thread([&] {
                pqxx::connection c{dsn};
                pqxx::nontransaction tx{c};
                while (!stop) {
                    for (const auto& g : gins)
                        cleaned += tx.exec1("SELECT gin_clean_pending_list('" + g + "'::regclass)")[0].as<long>();
                    std::this_thread::sleep_for(milliseconds(cleaner_ms));
                }
            });

        std::printf("records %zu per round, batch %zu records, group %zu batches, %zu rounds%s\n", records, batch,
                    group, rounds, without_host_index ? ", WITHOUT the host index (experiment)" : "");
        std::printf("%-6s %-14s %-14s %-6s %s\n", "round", "raw COPY/s", "store/s", "ratio", "re-sent (duplicates)/s");
        std::vector<double> ratios, raws, reals;
        std::uint64_t next_id = 0, next_seq = 1;
        for (std::size_t round = 0; round < rounds; ++round) {
            std::vector<flow_batch> batches;
            for (std::size_t i = 0; i < records; i += batch) {
                flow_batch b;
                b.id = {"bench-probe", boot, next_seq++};
                for (std::size_t k = i; k < std::min(records, i + batch); ++k)
                    b.records.push_back(make_row(next_id++, base_ns));
                batches.push_back(std::move(b));
            }
            const double raw = raw_copy_rate(dsn, batches, records);
            const double real = write_rate(s, batches, group, records, write_result::stored);
            const double dup = write_rate(s, batches, group, records, write_result::duplicate);
            std::printf("%-6zu %-14.0f %-14.0f %-6.2f %.0f\n", round + 1, raw, real, real / raw, dup);
            ratios.push_back(real / raw);
            raws.push_back(raw);
            reals.push_back(real);
        }
        stop = true;
        if (cleaner.joinable()) cleaner.join();
        if (cleaner_ms > 0) std::printf("cleaner: %ld pending-list pages merged by the second connection\n", cleaned.load());
        if (s.count_flows() != records * rounds) throw std::runtime_error("write_batches lost or doubled records");
        std::printf("median: raw binary COPY (unindexed, unpartitioned) %.0f records/s, write_batches %.0f records/s,"
                    " ratio %.2f\n",
                    median(raws), median(reals), median(ratios));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "store_bench: %s\n", e.what());
        return 1;
    }
    if (!created.empty()) {
        try {
            pqxx::connection c{admin};
            pqxx::nontransaction tx{c};
            tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(created) + " WITH (FORCE)");
        } catch (const std::exception&) {
        }
    }
    return 0;
}
