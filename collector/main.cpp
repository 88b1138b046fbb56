// wireflow-collector: receives flow batches from probes over ZeroMQ, stores
// them in PostgreSQL (spooling to disk while it is unreachable) and acks each
// batch once durable; keeps live hosts and pools (collector/app wires it all).
//
//   wireflow-collector [CONFIG_FILE] [--listen=tcp://ADDR:PORT] [--db=CONNINFO] ...
//   wireflow-collector --gen-curve-keypair
//
// SIGINT/SIGTERM: stop receiving, store or spool what was received, exit 0.

#include <google/protobuf/stubs/logging.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "collector_config.hpp"
#include "ingest/curve_auth.hpp"
#include "app/collector_app.hpp"

namespace {

using namespace wireflow::collector;

void print_summary(const ingest::collector_stats& s) {
    std::fprintf(stderr,
                 "wireflow-collector: stopped; batches received %llu stored %llu duplicate %llu spooled %llu "
                 "busy %llu rejected %llu; records received %llu stored %llu; spool %llu batches\n",
                 static_cast<unsigned long long>(s.batches_received.load()),
                 static_cast<unsigned long long>(s.batches_stored.load()),
                 static_cast<unsigned long long>(s.batches_duplicate.load()),
                 static_cast<unsigned long long>(s.batches_spooled.load()),
                 static_cast<unsigned long long>(s.batches_busy.load()),
                 static_cast<unsigned long long>(s.rejected_total()),
                 static_cast<unsigned long long>(s.records_received.load()),
                 static_cast<unsigned long long>(s.records_stored.load()),
                 static_cast<unsigned long long>(s.spool_batches.load()));
    // One line of every counter, machine-readable (tests and scripts parse it).
    std::string line = "wireflow-collector: counters";
    const auto add = [&line](std::string_view name, std::uint64_t v) {
        line += ' ';
        line += name;
        line += '=';
        line += std::to_string(v);
    };
    add("messages_received", s.messages_received);
    add("batches_received", s.batches_received);
    add("records_received", s.records_received);
    add("batches_stored", s.batches_stored);
    add("records_stored", s.records_stored);
    add("batches_duplicate", s.batches_duplicate);
    add("batches_spooled", s.batches_spooled);
    add("batches_replayed", s.batches_replayed);
    add("batches_busy", s.batches_busy);
    add("rejected_unacked", s.rejected_unacked);
    for (std::size_t i = 0; i < ingest::reject_reason_count; ++i)
        add("rejected_" + std::string(ingest::to_string(static_cast<ingest::reject_reason>(i))), s.rejected[i]);
    add("sequence_gaps", s.sequence_gaps);
    add("sequence_missing", s.sequence_missing);
    add("sequence_repeats", s.sequence_repeats);
    add("probe_stats_received", s.probe_stats_received);
    add("probe_stats_stored", s.probe_stats_stored);
    add("probe_stats_dropped", s.probe_stats_dropped);
    add("spool_bytes", s.spool_bytes);
    add("spool_batches", s.spool_batches);
    add("spool_truncated_bytes", s.spool_truncated_bytes);
    add("db_writes", s.db_writes);
    add("db_last_write_us", s.db_last_write_us);
    add("db_avg_write_us", s.db_writes ? s.db_total_write_us / s.db_writes : 0);
    add("db_reconnects", s.db_reconnects);
    add("db_errors", s.db_errors);
    add("db_up", s.db_up ? 1 : 0);
    std::fprintf(stderr, "%s\n", line.c_str());
}

int run(const collector_config& cfg) {
    // Signals are taken by one thread with sigwait; every other thread
    // (ZeroMQ's, the database and maintenance threads) inherits the blocked mask.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
    std::atomic<bool> stop{false};
    std::atomic<bool> done{false};
    std::thread signals([&] {
        const timespec tick{0, 200'000'000};
        while (!done.load()) {
            if (sigtimedwait(&sigs, nullptr, &tick) > 0) stop = true;
        }
    });
    struct joiner {
        std::atomic<bool>& done;
        std::thread& t;
        ~joiner() {
            done = true;
            t.join();
        }
    } join_signals{done, signals};

    app::collector_app collector(cfg);
    collector.run(stop);
    print_summary(collector.stats());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Hostile messages make protobuf log about invalid UTF-8; ingest counts
    // and logs rejects itself, rate-limited.
    google::protobuf::SetLogHandler(nullptr);
    const std::vector<std::string> args(argv + 1, argv + argc);
    collector_config cfg;
    try {
        cfg = make_collector_config(wireflow::parse_options(collector_option_specs(), args));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wireflow-collector: %s\n", e.what());
        return 2;
    }
    if (cfg.help) {
        std::printf("%s", wireflow::usage("wireflow-collector", collector_option_specs()).c_str());
        return 0;
    }
    try {
        if (cfg.gen_curve_keypair) {
            const auto kp = ingest::generate_curve_keypair();
            std::printf("# public key: give it to the other side (probe allow list, or the probes' collector key)\n"
                        "%s\n"
                        "# secret key: keep it private, in this side's key file\n"
                        "%s\n",
                        kp.public_key.c_str(), kp.secret_key.c_str());
            return 0;
        }
        return run(cfg);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wireflow-collector: %s\n", e.what());
        return 1;
    }
}
