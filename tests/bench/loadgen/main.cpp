// collector_load: N simulated probes against a real wireflow-collector and its
// PostgreSQL (issue #11). Each probe has its own id, boot id, sequence numbers
// and DEALER socket and follows the probe's protocol (sim_probe.hpp). Reports
// records/s acknowledged (= stored: the collector acks only after commit or
// spool fsync), ack latency percentiles, the collector's spool use, the
// latency from export to the row being queryable, and then checks that every
// record is in the database exactly once. A bench, not a test: it asserts no
// timing; it exits 1 when a record is missing, doubled or never acknowledged.
//
//   collector_load --endpoint tcp://127.0.0.1:5556 [--probes 4] [--duration 30 | --batches N]
//                  [--batch-records 1000] [--window 8] [--rate BATCHES_PER_S] [--hosts 20000]
//                  [--ack-timeout-ms 5000]
//                  [--db CONNINFO] [--metrics HOST:PORT] [--drain-s 120] [--prefix loadgen] [--json FILE]
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "db_check.hpp"
#include "metrics_probe.hpp"
#include "sim_probe.hpp"

using namespace wireflow::bench;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
    std::string endpoint, db, metrics, json, prefix{"loadgen"};
    unsigned probes{4};
    double duration_s{30};
    std::uint64_t batches{0};
    unsigned batch_records{1000};
    // Unacknowledged batches per probe. Measured (docs/benchmarks.md): 8 and
    // 128 gave the same records/s into a busy collector, 128 with 27 s ack
    // latency and re-sends; 8 keeps acks prompt and the pipeline fed.
    unsigned window{8};
    double rate{0};
    std::uint32_t hosts{20000};
    double drain_s{120};
    unsigned long ack_timeout_ms{5000};
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "collector_load: %s\nusage: collector_load --endpoint tcp://HOST:PORT [--probes N] [--duration S | "
                 "--batches N] [--batch-records N] [--window N] [--rate BATCHES_PER_S] [--hosts N] [--db CONNINFO] "
                 "[--metrics HOST:PORT] [--ack-timeout-ms MS] [--drain-s S] [--prefix P] [--json FILE]\n",
                 why);
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) usage(("missing value for " + a).c_str());
        const char* v = argv[++i];
        if (a == "--endpoint") o.endpoint = v;
        else if (a == "--db") o.db = v;
        else if (a == "--metrics") o.metrics = v;
        else if (a == "--json") o.json = v;
        else if (a == "--prefix") o.prefix = v;
        else if (a == "--probes") o.probes = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
        else if (a == "--duration") o.duration_s = std::strtod(v, nullptr);
        else if (a == "--batches") o.batches = std::strtoull(v, nullptr, 10);
        else if (a == "--batch-records") o.batch_records = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
        else if (a == "--window") o.window = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
        else if (a == "--rate") o.rate = std::strtod(v, nullptr);
        else if (a == "--hosts") o.hosts = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else if (a == "--drain-s") o.drain_s = std::strtod(v, nullptr);
        else if (a == "--ack-timeout-ms") o.ack_timeout_ms = std::strtoul(v, nullptr, 10);
        else usage(("unknown option " + a).c_str());
    }
    if (o.endpoint.empty()) usage("--endpoint is required");
    if (o.probes == 0 || o.batch_records == 0 || o.window == 0) usage("--probes, --batch-records and --window must be > 0");

    return o;
}

struct percentiles {
    double p50{0}, p90{0}, p99{0}, max{0};
    std::size_t n{0};
};

percentiles summarize(std::vector<double> v) {
    percentiles p;
    p.n = v.size();
    if (v.empty()) return p;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
    p.p50 = at(0.50);
    p.p90 = at(0.90);
    p.p99 = at(0.99);
    p.max = v.back();
    return p;
}

std::string json_percentiles(const percentiles& p) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "{\"n\":%zu,\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f}", p.n, p.p50, p.p90,
                  p.p99, p.max);
    return buf;
}

std::uint64_t metric(const std::map<std::string, std::uint64_t>& m, const char* name) {
    const auto it = m.find(name);
    return it == m.end() ? 0 : it->second;
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    std::random_device rd;
    const std::uint64_t run_tag = (static_cast<std::uint64_t>(rd()) << 32) | rd();

    std::unique_ptr<visibility_poller> poller;
    if (!o.db.empty()) poller = std::make_unique<visibility_poller>(o.db);
    const auto before = o.metrics.empty() ? std::map<std::string, std::uint64_t>{} : scrape_metrics(o.metrics);
    spool_watch spool(o.metrics);

    std::vector<probe_settings> settings(o.probes);
    for (unsigned i = 0; i < o.probes; ++i) {
        auto& s = settings[i];
        s.endpoint = o.endpoint;
        char id[80];
        std::snprintf(id, sizeof id, "%s-%02u", o.prefix.c_str(), i + 1);
        s.probe_id = id;
        // Random per run, as a probe process draws one per start; the top bit
        // is kept clear only to make the bigint column easy to read.
        s.boot_id = (run_tag ^ (0x9e3779b97f4a7c15ull * (i + 1))) >> 1;
        s.seed = run_tag + i;
        s.hosts = o.hosts;
        s.batch_records = o.batch_records;
        s.window = o.window;
        s.max_batches = o.batches;
        s.batches_per_s = o.rate;
        s.ack_timeout = std::chrono::milliseconds(o.ack_timeout_ms);
    }
    std::function<void(visibility_sample)> sample;
    if (poller) sample = [&](visibility_sample v) { poller->add(std::move(v)); };

    const std::atomic<bool> stop{false};
    const auto start = clock_type::now();
    const auto produce_until =
        o.batches ? clock_type::time_point::max() - std::chrono::hours(24)
                  : start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration_s));
    std::vector<probe_result> results(o.probes);
    {
        std::vector<std::thread> threads;
        for (unsigned i = 0; i < o.probes; ++i)
            threads.emplace_back([&, i] {
                // The drain deadline counts from when production ends, per probe.
                const auto drain = std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.drain_s));
                const auto until = o.batches ? clock_type::time_point::max() - std::chrono::hours(24) : produce_until + drain;
                try {
                    results[i] = run_probe(settings[i], produce_until, until, stop, sample);
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "collector_load: probe %s: %s\n", settings[i].probe_id.c_str(), e.what());
                    std::exit(2);
                }
            });
        for (auto& t : threads) t.join();
    }
    const double wall_s = std::chrono::duration<double>(clock_type::now() - start).count();

    probe_result total;
    std::vector<double> ack_ms;
    auto first = clock_type::time_point::max();
    auto last = clock_type::time_point::min();
    std::string reject_reason;
    for (const auto& r : results) {
        total.records_made += r.records_made;
        total.records_acked += r.records_acked;
        total.batches_sent += r.batches_sent;
        total.batches_resent += r.batches_resent;
        total.acks_stored += r.acks_stored;
        total.acks_duplicate += r.acks_duplicate;
        total.acks_busy += r.acks_busy;
        total.acks_rejected += r.acks_rejected;
        total.unacked_at_end += r.unacked_at_end;
        if (reject_reason.empty()) reject_reason = r.first_reject_reason;
        ack_ms.insert(ack_ms.end(), r.ack_latency_ms.begin(), r.ack_latency_ms.end());
        if (r.records_acked) {
            first = std::min(first, r.first_send);
            last = std::max(last, r.last_ack);
        }
    }
    const double active_s = total.records_acked ? std::chrono::duration<double>(last - first).count() : 0;
    const double rate = active_s > 0 ? static_cast<double>(total.records_acked) / active_s : 0;
    const auto ack = summarize(std::move(ack_ms));

    std::size_t unseen = 0;
    percentiles vis;
    if (poller) vis = summarize(poller->finish(30, unseen));
    const auto after = o.metrics.empty() ? std::map<std::string, std::uint64_t>{} : scrape_metrics(o.metrics);
    const std::uint64_t spooled =
        metric(after, "wireflow_batches_spooled_total") - metric(before, "wireflow_batches_spooled_total");

    std::printf("collector_load: %u probes, %u records/batch, window %u, %.1f s\n", o.probes, o.batch_records, o.window,
                wall_s);
    std::printf("  records made %" PRIu64 ", acknowledged %" PRIu64 " in %.2f s: %.0f records/s stored\n",
                total.records_made, total.records_acked, active_s, rate);
    std::printf("  batches sent %" PRIu64 ", re-sent %" PRIu64 ", STORED %" PRIu64 ", DUPLICATE %" PRIu64
                ", BUSY %" PRIu64 ", REJECTED %" PRIu64 ", unacknowledged at end %" PRIu64 "\n",
                total.batches_sent, total.batches_resent, total.acks_stored, total.acks_duplicate, total.acks_busy,
                total.acks_rejected, total.unacked_at_end);
    std::printf("  ack latency ms (first send to ack): p50 %.1f p90 %.1f p99 %.1f max %.1f (%zu batches)\n", ack.p50,
                ack.p90, ack.p99, ack.max, ack.n);
    if (!o.metrics.empty())
        std::printf("  collector spool: max %" PRIu64 " bytes / %" PRIu64 " batches waiting, %" PRIu64
                    " batches spooled during the run (%" PRIu64 " scrapes)\n",
                    spool.max_spool_bytes(), spool.max_spool_batches(), spooled, spool.scrapes());
    if (poller)
        std::printf("  export to queryable ms: p50 %.1f p90 %.1f p99 %.1f max %.1f (%zu samples, %zu never seen)\n",
                    vis.p50, vis.p90, vis.p99, vis.max, vis.n, unseen);
    if (!reject_reason.empty()) std::printf("  first rejection: %s\n", reject_reason.c_str());

    bool ok = total.acks_rejected == 0 && total.unacked_at_end == 0;
    std::uint64_t rows = 0;
    if (!o.db.empty()) {
        const auto checks = verify_exactly_once(o.db, results, o.batch_records);
        std::uint64_t bad = 0;
        for (const auto& c : checks) {
            rows += c.rows;
            if (!c.ok) {
                ++bad;
                std::printf("  FAIL %s: %s\n", c.probe_id.c_str(), c.problem.c_str());
            }
        }
        ok = ok && bad == 0;
        std::printf("  database: %" PRIu64 " rows for %" PRIu64 " records made: %s\n", rows, total.records_made,
                    bad == 0 ? "every record exactly once" : "NOT exactly once");
    }
    if (!o.json.empty()) {
        if (FILE* f = std::fopen(o.json.c_str(), "w")) {
            std::fprintf(f,
                         "{\"probes\":%u,\"batch_records\":%u,\"window\":%u,\"wall_s\":%.3f,\"active_s\":%.3f,"
                         "\"records_made\":%" PRIu64 ",\"records_acked\":%" PRIu64 ",\"records_per_s\":%.1f,"
                         "\"resent\":%" PRIu64 ",\"busy\":%" PRIu64 ",\"duplicate\":%" PRIu64 ",\"rejected\":%" PRIu64
                         ",\"unacked\":%" PRIu64 ",\"ack_ms\":%s,\"visible_ms\":%s,\"visible_unseen\":%zu,"
                         "\"spool_max_bytes\":%" PRIu64 ",\"spool_max_batches\":%" PRIu64 ",\"batches_spooled\":%" PRIu64
                         ",\"db_rows\":%" PRIu64 ",\"verified\":%s,\"ok\":%s}\n",
                         o.probes, o.batch_records, o.window, wall_s, active_s, total.records_made, total.records_acked,
                         rate, total.batches_resent, total.acks_busy, total.acks_duplicate, total.acks_rejected,
                         total.unacked_at_end, json_percentiles(ack).c_str(), json_percentiles(vis).c_str(), unseen,
                         spool.max_spool_bytes(), spool.max_spool_batches(), spooled, rows,
                         o.db.empty() ? "false" : "true", ok ? "true" : "false");
            std::fclose(f);
        }
    }
    std::printf("collector_load: %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
