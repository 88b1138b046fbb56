// store_bench: the collector's write path (store::write_batches: batch
// identities, binary COPY into the partitioned, indexed flows table, one
// transaction per group) against a raw binary COPY of the same rows into an
// unindexed, unpartitioned table of the same columns, in the same database,
// round after round (raw, then the store), so both see the same machine.
//
//   store_bench [--db CONNINFO] [--records N] [--batch N] [--group N] [--rounds N] [--summarize-ms N]
// The rows go where the collector's go (schema v10-v11,
// store/flow_segments.hpp): today's open segment, which has no host index,
// only one BRIN of both times and (Bloom filters) both hosts, which a second
// connection summarizes every --summarize-ms (2000, as the collector's tick;
// 0: never) while the writer runs, as the collector does.
// After the rounds the segment is sealed (its host b-trees built, as the
// collector does once it ends; the bench marks it ended to do so now) and
// the seal's time is printed beside the writer's, with the ratio the store
// reaches with the seal counted.
//
// Without --db it uses the server in WIREFLOW_TEST_PG, in a database it
// creates and drops. The raw COPY is the ideal: its rows are encoded before
// the clock starts and sent as ONE COPY in one transaction; write_batches'
// time includes its own encoding, identity inserts and one commit per group.
// Prints records/s of both per round and the median ratio.
#include "store/db_pool.hpp"
#include "store/flow_rows.hpp"
#include "store/flow_segments.hpp"
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
    long summarize_ms = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--db") dsn = argv[i + 1];
        else if (k == "--records") records = std::stoul(argv[i + 1]);
        else if (k == "--batch") batch = std::stoul(argv[i + 1]);
        else if (k == "--group") group = std::stoul(argv[i + 1]);
        else if (k == "--rounds") rounds = std::stoul(argv[i + 1]);
        else if (k == "--summarize-ms") summarize_ms = std::stol(argv[i + 1]);
        else {
            std::fprintf(stderr,
                         "usage: store_bench [--db CONNINFO] [--records N] [--batch N] [--group N] [--rounds N]"
                         " [--summarize-ms N]\n");
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
        const auto now = system_clock::now();
        s.ensure_partitions(now, 1);
        // Today's segment, opened and started as the collector's tick leaves
        // it; flows_default (listed by the v10 migration) sealed first.
        db_pool db{dsn, 2};
        while (flow_segments::seal_next(db)) {
        }
        flow_segments::open_segments(db);
        std::string segment;
        {
            pqxx::connection c{dsn};
            pqxx::nontransaction tx{c};
            segment = tx.exec1("SELECT name FROM flow_segments WHERE sealed_at IS NULL ORDER BY starts LIMIT 1")[0]
                          .as<std::string>();
            for (int i = 0; i < 100 && !tx.exec1("SELECT clock_timestamp() > starts FROM flow_segments WHERE name = " +
                                                 tx.quote(segment))[0]
                                                .as<bool>();
                 ++i)
                std::this_thread::sleep_for(milliseconds(50));
        }
        const auto base_ns = static_cast<std::uint64_t>(duration_cast<nanoseconds>(now.time_since_epoch()).count());
        const std::uint64_t boot = std::random_device{}();
        std::atomic<bool> stop{false};
        std::atomic<std::uint64_t> summarized{0};
        std::thread summarizer;
        if (summarize_ms > 0)
            summarizer = std::thread([&] {
                while (!stop) {
                    summarized += flow_segments::summarize_open_segments(db);
                    for (long waited = 0; waited < summarize_ms && !stop; waited += 10)
                        std::this_thread::sleep_for(milliseconds(10));
                }
            });

        std::printf("records %zu per round, batch %zu records, group %zu batches, %zu rounds, into %s\n", records,
                    batch, group, rounds, segment.c_str());
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
        if (summarizer.joinable()) summarizer.join();
        if (s.count_flows() != records * rounds) throw std::runtime_error("write_batches lost or doubled records");
        if (summarize_ms > 0)
            std::printf("summarizer: %llu BRIN ranges summarized by a second connection every %ld ms\n",
                        static_cast<unsigned long long>(summarized.load()), summarize_ms);
        std::printf("median: raw binary COPY (unindexed, unpartitioned) %.0f records/s, write_batches %.0f records/s,"
                    " ratio %.2f\n",
                    median(raws), median(reals), median(ratios));
        // The seal the collector runs once the segment's range has passed.
        {
            pqxx::connection c{dsn};
            pqxx::nontransaction tx{c};
            tx.exec_params0("UPDATE flow_segments SET ends = now() - interval '1 hour' WHERE name = $1", segment);
        }
        const auto done = flow_segments::seal_next(db);
        if (!done || done->name != segment) throw std::runtime_error("the segment was not sealed");
        double written = 0;
        for (double r : reals) written += static_cast<double>(records) / r;
        double raw_total = 0;
        for (double r : raws) raw_total += static_cast<double>(records) / r;
        std::printf("seal: %s, %llu rows, host b-trees + ANALYZE in %.2f s; writer %.2f s, raw COPY %.2f s in all"
                    " rounds: with the seal counted, ratio %.2f\n",
                    done->name.c_str(), static_cast<unsigned long long>(done->rows), done->seconds, written, raw_total,
                    raw_total / (written + done->seconds));
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
