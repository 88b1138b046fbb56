// decode_aggregate_bench (issue #11): the collector's own work per record,
// without PostgreSQL, on one core. The messages are the load generator's
// (tests/bench/loadgen/record_maker: an office mix, a tenth of the hosts
// making half of the flows), encoded before the clock starts; then, each
// timed by this thread's CPU time:
//   decode     the message read into a flow_batch from a batch_recycler
//              (given back after use, as the database thread gives it back
//              after the commit), then the time-window check, as
//              ingest_service does. The reader is the wire-format fast path
//              (read_lone_batch, what ingest_service tries first), or with
//              --reader generated the generated parser into one reused
//              FlowBatch + decode_batch (the path before it, and the
//              fallback): run both for a reference from the same machine.
//   aggregate  aggregator::ingest of the decoded batches (one lock per batch)
//   both       decode and aggregate, message after message
// With --geo-legacy-dir DIR (Debian's /usr/share/GeoIP) the collector's
// geolocation work is included as it runs in production: the host table
// locates each new host, and in the "both" stage every batch goes through
// the geolocation stage (geo/batch_marker) before the aggregator.
// A bench, not a test: it prints records per CPU second and asserts nothing
// but that every record was accepted.
//
//   decode_aggregate_bench [--records N] [--batch N] [--hosts N] [--both-only 1] [--geo-legacy-dir DIR]
//                          [--reader wire|generated]
// --both-only 1 runs only the last stage (for perf record: no set-up of the
// aggregate stage's input in the profile).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "aggregate/aggregator.hpp"
#include "geo/batch_marker.hpp"
#include "geo/geo_locator.hpp"
#include "ingest/batch_decoder.hpp"
#include "ingest/batch_recycler.hpp"
#include "ingest/record_window.hpp"
#include "ingest/wire_batch_reader.hpp"
#include "loadgen/record_maker.hpp"

using namespace wireflow::collector;

namespace {

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::uint64_t wall_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "decode_aggregate_bench: %s\n", what);
    std::exit(1);
}

aggregate::host_table_config config(const geo::geo_locator& geo) {
    aggregate::host_table_config c;
    c.locals = *wireflow::net::local_networks::parse("10.0.0.0/8,2001:db8::/32");
    if (geo.enabled()) c.locate = [&geo](const wireflow::net::ip_address& a) { return geo.locate(a); };
    return c;
}

bool generated_reader = false;  // --reader generated

bool decode_one(const std::string& message, std::uint64_t now, wireflow::v1::FlowBatch& lone, flow_batch& out) {
    const auto bytes = std::as_bytes(std::span{message.data(), message.size()});
    if (!generated_reader) {
        if (!ingest::read_lone_batch(bytes, out)) return false;
    } else {
        if (ingest::parse_lone_batch(bytes, lone) != ingest::lone_batch::parsed) return false;
        if (ingest::decode_batch(lone, out)) return false;
    }
    return ingest::records_in_window(out.records, now, ingest::record_window{});
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t records = 1'000'000, batch = 1000;
    std::uint32_t hosts = 20'000;
    bool both_only = false;
    std::string geo_dir;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--geo-legacy-dir") {
            geo_dir = argv[i + 1];
            continue;
        }
        if (k == "--reader") {
            const std::string r = argv[i + 1];
            if (r != "wire" && r != "generated") fail("--reader is wire or generated");
            generated_reader = r == "generated";
            continue;
        }
        const auto v = std::strtoull(argv[i + 1], nullptr, 10);
        if (k == "--records") records = v;
        else if (k == "--batch") batch = v;
        else if (k == "--hosts") hosts = static_cast<std::uint32_t>(v);
        else if (k == "--both-only") both_only = v != 0;
        else fail("usage: decode_aggregate_bench [--records N] [--batch N] [--hosts N] [--both-only 1] [--geo-legacy-dir DIR] [--reader wire|generated]");
    }
    if (batch == 0 || records < batch) fail("--records must be at least --batch > 0");
    geo::geo_settings gs;
    gs.legacy_dir = geo_dir;
    const geo::geo_locator geo(gs);
    if (!geo_dir.empty() && !geo.enabled()) fail("no legacy GeoIP files in --geo-legacy-dir");
    if (geo.enabled()) std::printf("%s\n", geo.describe().c_str());

    // Encoded as the load generator's simulated probes encode them.
    wireflow::bench::record_maker maker(42, hosts);
    std::vector<std::string> messages;
    const std::uint64_t now = wall_ns();
    std::uint64_t flow_id = 0;
    for (std::size_t seq = 1; seq * batch <= records; ++seq) {
        wireflow::v1::Envelope env;
        auto* b = env.mutable_batch();
        b->set_schema_version(wireflow::v1::SCHEMA_VERSION_1);
        b->set_probe_id("bench-probe");
        b->set_boot_id(7);
        b->set_sequence(seq);
        for (std::size_t i = 0; i < batch; ++i) maker.fill(*b->add_records(), ++flow_id, now);
        b->set_send_time_ns(now);
        messages.push_back(env.SerializeAsString());
    }
    const double n = static_cast<double>(flow_id);
    std::size_t bytes = 0;
    for (const auto& m : messages) bytes += m.size();
    std::printf("%zu messages of %zu records (%.0f bytes per record on the wire), %u hosts, %s reader\n",
                messages.size(), batch, static_cast<double>(bytes) / n, hosts,
                generated_reader ? "generated" : "wire");

    wireflow::v1::FlowBatch lone;
    double decode_s = 0, aggregate_s = 0, t = 0;
    if (!both_only) {
        ingest::batch_recycler recycler;
        t = cpu_seconds();
        for (const auto& m : messages) {
            flow_batch b = recycler.take();
            if (!decode_one(m, now, lone, b)) fail("a message did not decode");
            recycler.give(std::move(b));
        }
        decode_s = cpu_seconds() - t;

        // The aggregate stage's input, decoded untimed.
        std::vector<flow_batch> decoded(messages.size());
        for (std::size_t i = 0; i < messages.size(); ++i)
            if (!decode_one(messages[i], now, lone, decoded[i])) fail("a message did not decode");
        aggregate::aggregator agg(config(geo));
        t = cpu_seconds();
        std::size_t accepted = 0;
        for (const auto& b : decoded) accepted += agg.ingest(b);
        aggregate_s = cpu_seconds() - t;
        if (accepted != flow_id) fail("the aggregator refused records");
        std::printf("live hosts after the run: %zu\n", agg.hosts());
    }

    double both_s = 0;
    {
        aggregate::aggregator agg(config(geo));
        geo::batch_marker marker(geo);
        ingest::batch_recycler recycler;
        t = cpu_seconds();
        std::size_t accepted = 0;
        for (const auto& m : messages) {
            flow_batch b = recycler.take();
            if (!decode_one(m, now, lone, b)) fail("a message did not decode");
            marker.mark(b);  // a no-op without a database
            accepted += agg.ingest(b);
            recycler.give(std::move(b));
        }
        both_s = cpu_seconds() - t;
        if (accepted != flow_id) fail("the aggregator refused records");
    }
    if (!both_only) {
        std::printf("decode (parse + validate + window):  %6.2f M records per CPU second\n", n / decode_s / 1e6);
        std::printf("aggregate (host table, pools, apps): %6.2f M records per CPU second\n", n / aggregate_s / 1e6);
    }
    std::printf("decode + aggregate:                  %6.2f M records per CPU second\n", n / both_s / 1e6);
    return 0;
}
