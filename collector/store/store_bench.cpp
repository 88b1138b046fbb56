// store_bench: how much the real write path (partitioned, indexed flows with
// batch and record de-duplication, one transaction per group) costs compared
// with a raw COPY into an unindexed, unpartitioned copy of the table.
//
//   store_bench [--db CONNINFO] [--records N] [--batch N] [--group N]
//
// Without --db it uses the server in WIREFLOW_TEST_PG, in a database it
// creates and drops. Prints records/s of both and their ratio.
#include "store/store.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace std::chrono;
using namespace wireflow::collector;

namespace {

flow_record make_row(std::uint64_t i, std::uint64_t base_ns) {
    flow_record r;
    r.flow_id = i;
    r.vlan = static_cast<std::uint16_t>(i % 16);
    r.protocol = i % 4 ? 6 : 17;
    r.client_ip = wireflow::net::ip_address::v4(0x0A000000u | static_cast<std::uint32_t>(i & 0xffffff));
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

// "2024-03-10 12:00:00.123456+00"
std::string timestamp_text(std::uint64_t ns) {
    const auto us = microseconds{static_cast<long long>(ns / 1000)};
    const auto day = floor<days>(sys_time<microseconds>{us});
    const year_month_day d{day};
    const hh_mm_ss<microseconds> t{sys_time<microseconds>{us} - day};
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld:%02lld.%06lld+00", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()),
                  static_cast<long long>(t.hours().count()), static_cast<long long>(t.minutes().count()),
                  static_cast<long long>(t.seconds().count()), static_cast<long long>(t.subseconds().count()));
    return buf;
}

double raw_copy_rate(const std::string& dsn, const std::vector<flow_batch>& batches, std::size_t total) {
    pqxx::connection c{dsn};
    {
        pqxx::nontransaction tx{c};
        // LIKE copies the columns only: no index, no partitioning.
        tx.exec0("DROP TABLE IF EXISTS bench_raw_flows");
        tx.exec0("CREATE TABLE bench_raw_flows (LIKE flows INCLUDING DEFAULTS)");
    }
    const std::vector<std::string> cols{
        "probe_id",  "boot_id",       "batch_seq",      "flow_id",      "first_seen",    "first_seen_ns",
        "last_seen", "last_seen_ns",  "vlan",           "ip_version",   "protocol",      "client_ip",
        "client_port", "server_ip",   "server_port",    "c2s_packets",  "c2s_bytes",     "s2c_packets",
        "s2c_bytes", "c2s_tcp_flags", "s2c_tcp_flags",  "end_reason",   "client_mac",    "server_mac",
        "app_protocol", "master_protocol", "app_name",  "app_category", "server_name",   "flow_risk",
        "client_blacklist", "server_blacklist"};
    // Text as the store's text COPY sends it: part of the cost being compared.
    auto mac = [](const std::optional<wireflow::net::mac_address>& m) {
        return m ? std::optional<std::string>{m->to_string()} : std::nullopt;
    };
    const auto start = steady_clock::now();
    pqxx::work tx{c};
    {
        pqxx::stream_to copy{tx, "bench_raw_flows", cols};
        for (const auto& b : batches) {
            for (const auto& r : b.records) {
                copy << std::make_tuple(
                    b.id.probe_id, static_cast<long long>(b.id.boot_id), static_cast<long long>(b.id.sequence),
                    static_cast<long long>(r.flow_id), timestamp_text(r.first_seen_ns),
                    static_cast<long long>(r.first_seen_ns), timestamp_text(r.last_seen_ns),
                    static_cast<long long>(r.last_seen_ns), static_cast<long long>(r.vlan),
                    static_cast<int>(r.ip_version()), static_cast<int>(r.protocol), r.client_ip.to_string(),
                    static_cast<int>(r.client_port), r.server_ip.to_string(), static_cast<int>(r.server_port),
                    static_cast<long long>(r.c2s_packets), static_cast<long long>(r.c2s_bytes),
                    static_cast<long long>(r.s2c_packets), static_cast<long long>(r.s2c_bytes),
                    static_cast<int>(r.c2s_tcp_flags), static_cast<int>(r.s2c_tcp_flags),
                    static_cast<int>(r.reason), mac(r.client_mac), mac(r.server_mac),
                    static_cast<long long>(r.app_protocol), static_cast<long long>(r.master_protocol), r.app_name,
                    r.app_category, r.server_name, static_cast<long long>(r.flow_risk),
                    std::string(b.blacklist_text(r.client_blacklist)), std::string(b.blacklist_text(r.server_blacklist)));
            }
        }
        copy.complete();
    }
    tx.commit();
    const double secs = duration<double>(steady_clock::now() - start).count();
    pqxx::nontransaction check{c};
    const auto n = check.exec1("SELECT count(*) FROM bench_raw_flows")[0].as<std::size_t>();
    if (n != total) throw std::runtime_error("raw copy stored " + std::to_string(n) + " rows");
    check.exec0("DROP TABLE bench_raw_flows");
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

}  // namespace

int main(int argc, char** argv) {
    std::string dsn;
    std::size_t records = 200'000, batch = 1000, group = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--db") dsn = argv[i + 1];
        else if (k == "--records") records = std::stoul(argv[i + 1]);
        else if (k == "--batch") batch = std::stoul(argv[i + 1]);
        else if (k == "--group") group = std::stoul(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: store_bench [--db CONNINFO] [--records N] [--batch N] [--group N]\n");
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
        const auto base_ns = static_cast<std::uint64_t>(duration_cast<nanoseconds>(now.time_since_epoch()).count());
        const std::uint64_t boot = std::random_device{}();

        std::vector<flow_batch> batches;
        for (std::size_t i = 0; i < records; i += batch) {
            flow_batch b;
            b.id = {"bench-probe", boot, i / batch + 1};
            for (std::size_t k = i; k < std::min(records, i + batch); ++k) b.records.push_back(make_row(k, base_ns));
            batches.push_back(std::move(b));
        }
        const double raw = raw_copy_rate(dsn, batches, records);
        const double real = write_rate(s, batches, group, records, write_result::stored);
        if (s.count_flows() != records) throw std::runtime_error("write_batches lost records");
        const double dup = write_rate(s, batches, group, records, write_result::duplicate);
        std::printf("records %zu, batch %zu records, group %zu batches\n", records, batch, group);
        std::printf("raw COPY (unindexed, unpartitioned): %10.0f records/s\n", raw);
        std::printf("write_batches (partitioned, indexed, dedup): %10.0f records/s\n", real);
        std::printf("ratio write_batches / raw COPY: %.2f\n", real / raw);
        std::printf("re-sent groups (all duplicates): %10.0f records/s\n", dup);
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
