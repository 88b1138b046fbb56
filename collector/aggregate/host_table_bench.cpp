// Benchmark (not a test): 1M live hosts fed by synthetic flow records.
// Prints memory per live host (RSS delta / hosts), ingest rate, and top-N
// query latency beside a full std::sort of the same hosts in the same run.
//
//   meson setup build-rel -Dbuildtype=release && ninja -C build-rel collector/aggregate/host_table_bench
//   build-rel/collector/aggregate/host_table_bench [hosts]

#include "aggregator.hpp"
#include "host_query.hpp"
#include "host_table.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace wireflow::collector;
using namespace wireflow::collector::aggregate;
using bench_clock = std::chrono::steady_clock;

namespace {
long rss_bytes() {
    std::ifstream f("/proc/self/statm");
    long pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * sysconf(_SC_PAGESIZE);
}

// CPU time of this thread: the machine is shared, so wall time mostly
// measures the neighbours; both are printed for ingest.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double median_ms(int runs, const std::function<void()>& fn) {
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        const double a = cpu_seconds();
        fn();
        t.push_back((cpu_seconds() - a) * 1000.0);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

constexpr std::uint64_t t0 = 1'700'000'000ULL * ns_per_s;
const char* const apps[] = {"DNS", "TLS", "HTTP", "QUIC", "TLS.YouTube", "NTP", "SSH", ""};
}  // namespace

int main(int argc, char** argv) {
    const std::uint32_t hosts = argc > 1 ? static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 1'000'000;
    const std::uint32_t half = hosts / 2;
    host_table_config config;
    config.locals = *local_networks::parse("10.0.0.0/8");
    config.local_idle_ns = config.remote_idle_ns = 24 * 3600 * ns_per_s;
    host_pools pools;
    for (std::uint32_t i = 0; i < 64; ++i) {
        const auto id = pools.create("pool " + std::to_string(i)).id;
        (void)pools.add_member(id, ip_address::v4(0x0A000000u | (i << 12)).to_string() + "/20");
    }
    const long rss0 = rss_bytes();
    host_table table(config, pools);

    // Records: local client 10.x (half the hosts), remote server 93.x (the
    // other half); 3 records per host pair so flows, peers and apps churn.
    const std::uint64_t records = static_cast<std::uint64_t>(half) * 3;
    flow_observation o;
    o.reason = wireflow::end_reason::idle_timeout;
    auto make = [&](std::uint64_t i) {
        const auto c = static_cast<std::uint32_t>(i % half);
        const auto s = static_cast<std::uint32_t>((i * 7919 + i / half) % half);
        o.flow_id = i;
        o.client = ip_address::v4(0x0A000000u + c);
        o.server = ip_address::v4(0x5D000000u + s);
        o.c2s_packets = 1 + i % 7;
        o.s2c_packets = 1 + i % 11;
        o.c2s_bytes = o.c2s_packets * (60 + i % 1400);
        o.s2c_bytes = o.s2c_packets * (60 + (i * 31) % 1400);
        o.first_seen_ns = t0 + i * 1000;
        o.last_seen_ns = o.first_seen_ns + 500;
        o.app_name = apps[i % 8];
    };
    const auto a = bench_clock::now();
    const double cpu_a = cpu_seconds();
    for (std::uint64_t i = 0; i < records; ++i) {
        make(i);
        table.ingest(o);
    }
    const double secs = std::chrono::duration<double>(bench_clock::now() - a).count();
    const double cpu_secs = cpu_seconds() - cpu_a;
    const long rss1 = rss_bytes();
    std::printf("hosts: %zu live, %llu records\n", table.size(), static_cast<unsigned long long>(records));
    std::printf("memory per live host: %.0f bytes RSS delta, %.0f bytes by the table's own count (sizeof(host_entry)=%zu)\n",
                static_cast<double>(rss1 - rss0) / static_cast<double>(table.size()),
                static_cast<double>(table.memory_bytes()) / static_cast<double>(table.size()), sizeof(host_entry));
    std::printf("ingest (binary observations): %.2f M records/s per CPU second (%.2f M/s wall)\n",
                static_cast<double>(records) / cpu_secs / 1e6, static_cast<double>(records) / secs / 1e6);

    // Binary records through the aggregator: one lock per batch of 500.
    {
        aggregator agg(config);
        std::vector<flow_record> batch(500);
        const std::uint64_t n = 500'000;
        const double b = cpu_seconds();
        for (std::uint64_t i = 0; i < n; i += batch.size()) {
            for (std::size_t k = 0; k < batch.size(); ++k) {
                make(i + k);
                auto& r = batch[k];
                r.flow_id = o.flow_id;
                r.client_ip = o.client;
                r.server_ip = o.server;
                r.c2s_bytes = o.c2s_bytes;
                r.s2c_bytes = o.s2c_bytes;
                r.c2s_packets = o.c2s_packets;
                r.s2c_packets = o.s2c_packets;
                r.first_seen_ns = o.first_seen_ns;
                r.last_seen_ns = o.last_seen_ns;
                r.reason = o.reason;
                r.app_name = o.app_name;
            }
            agg.ingest(batch, 0);
        }
        const double s = cpu_seconds() - b;
        std::printf("ingest (flow_records via aggregator, batches of 500, record building included): %.2f M records/s per CPU second\n",
                    static_cast<double>(n) / s / 1e6);
    }

    const int runs = 7;
    const double full_sort = median_ms(runs, [&] {
        std::vector<std::pair<std::uint64_t, std::uint32_t>> all;
        all.reserve(table.size());
        const auto slots = table.slots();
        for (std::uint32_t i = 0; i < slots.size(); ++i)
            if (slots[i].live()) all.push_back({~slots[i].bytes(), i});
        std::sort(all.begin(), all.end());
        if (all.empty()) std::abort();
    });
    std::printf("reference: full std::sort of %zu hosts by bytes: %.1f ms CPU (median of %d)\n", table.size(), full_sort, runs);

    auto run = [&](const char* label, host_query q) {
        std::size_t total = 0;
        const double ms = median_ms(runs, [&] { total = query_hosts(table, q).total; });
        std::printf("top-N %-44s %8.1f ms CPU  (%zu matching)  %.1fx faster than the full sort\n", label, ms, total,
                    full_sort / ms);
    };
    host_query q;
    run("page 1 (50) by bytes desc:", q);
    q.offset = 500'000;
    run("page at offset 500000 by bytes desc:", q);
    q.offset = 0;
    q.by = host_sort::throughput;
    run("page 1 by throughput:", q);
    q.by = host_sort::bytes;
    q.where = locality::local;
    run("page 1 by bytes, local only:", q);
    q.where = locality::any;
    q.pool = 7;
    run("page 1 by bytes, pool 7:", q);
    q.pool.reset();
    q.q = "10.3.";
    run("page 1 by bytes, search \"10.3.\":", q);
    q.q = "example";
    run("page 1 by bytes, search \"example\" (no hit):", q);
    return 0;
}
