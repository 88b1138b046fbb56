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
#include "net/curve_key_file.hpp"
#include "app/collector_app.hpp"
#include "alert/alert_engine.hpp"
#include "alert/notifier.hpp"
#include "blacklist/blacklist_manager.hpp"
#include "store/blacklist_source_store.hpp"
#include "store/store.hpp"
#include "http/web_server.hpp"
#include "privileges.hpp"

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

    // Alerts and blacklists (collector/alert, collector/blacklist): flows are
    // marked before they are stored, checked once stored; alert windows close
    // on the maintenance thread; lists load on their own thread (downloads block).
    alert::notifier notifier;
    alert_store alert_rows(collector.db());
    preference_store preferences(collector.db());
    blacklist_source_store list_rows(collector.db());
    alert::alert_engine_settings alert_settings;
    alert_settings.local_networks = cfg.local_networks;
    alert_settings.window = std::chrono::seconds(cfg.alert_window_s);
    alert_settings.pool_of = [&collector, names = std::map<std::uint32_t, std::string>{},
                              refreshed = std::chrono::steady_clock::time_point{}](
                                 std::string_view ip, std::uint16_t vlan, std::string_view) mutable -> std::string {
        const auto address = net::ip_address::parse(ip);
        const auto host = address ? collector.aggregator().host(*address, vlan) : std::nullopt;
        if (!host || host->pool == aggregate::no_pool) return {};
        if (std::chrono::steady_clock::now() - refreshed > std::chrono::seconds(10)) {
            names.clear();
            for (const auto& p : collector.aggregator().pools_snapshot()) names[p.id] = p.name;
            refreshed = std::chrono::steady_clock::now();
        }
        const auto it = names.find(host->pool);
        return it == names.end() ? std::string() : it->second;
    };
    alert::alert_engine alerts(alert_settings, alert_rows, preferences, &notifier);
    blacklist::manager_settings list_settings;
    list_settings.blacklist_options = cfg.blacklists;
    list_settings.nft_file = cfg.nft_file;
    list_settings.nft_command = cfg.nft_command;
    blacklist::blacklist_manager blacklists(list_settings, &list_rows);
    blacklists.on_status([&alerts](std::string_view s, bool ok, std::string_view e) { alerts.on_blacklist_status(s, ok, e); });
    collector.attach(alerts);
    collector.attach(blacklists);
    collector.add_before_store([&blacklists](flow_batch& b) { blacklists.mark(b); });
    collector.add_stored_listener([&alerts](const flow_batch& b) { alerts.on_stored(b); });
    // Preferences and engaged alerts before the first batch can arrive (a
    // database not migrated yet has neither: the task retries).
    bool alerts_restored = false;
    try {
        alerts.restore();
        alerts_restored = true;
    } catch (const std::exception&) {
    }
    collector.schedule("alerts", std::chrono::seconds(1), [&alerts, restored = alerts_restored](auto now) mutable {
        if (!restored) alerts.restore();   // throws while PostgreSQL is away: retried next second
        restored = true;
        alerts.tick(now);
    });
    collector.schedule("probe-health", std::chrono::seconds(5), [&collector, &alerts](auto now) {
        std::vector<alert::probe_health> health;
        const auto now_ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
        for (const auto& p : collector.probes().list())
            health.push_back({p.probe_id, p.boot_id, p.up,
                              now_ns > p.last_seen_ns ? (now_ns - p.last_seen_ns) / 1'000'000'000 : 0, p.packets,
                              p.nic_drops, p.export_drops, p.sequence_gaps});
        alerts.on_probe_health(health);
    });
    std::atomic<bool> lists_stop{false};
    std::thread lists_thread([&] {
        bool restored = false;
        while (!lists_stop.load()) {
            if (!restored) restored = blacklists.restore().empty();
            try {
                blacklists.tick(std::chrono::system_clock::now());
            } catch (const std::exception& e) {
                std::fprintf(stderr, "wireflow-collector: blacklists: %s\n", e.what());
            }
            for (int i = 0; i < 20 && !lists_stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    });
    struct lists_joiner {
        std::atomic<bool>& stop;
        std::thread& t;
        ~lists_joiner() {
            stop = true;
            t.join();
        }
    } join_lists{lists_stop, lists_thread};
    http::web_server web(collector);  // REST API + dashboard; stops before collector is destroyed
    web.start();
    wireflow::drop_privileges(cfg.user, std::array{std::filesystem::path(cfg.data_dir)});  // HTTP socket bound
    collector.run(stop);
    print_summary(collector.stats());
    const auto& as = alerts.stats();
    std::fprintf(stderr,
                 "wireflow-collector: alerts engaged=%llu released=%llu one_shot=%llu suppressed_quiet=%llu "
                 "db_errors=%llu pending_dropped=%llu untracked_hosts=%llu\n",
                 static_cast<unsigned long long>(as.engaged.load()), static_cast<unsigned long long>(as.released.load()),
                 static_cast<unsigned long long>(as.one_shot.load()),
                 static_cast<unsigned long long>(as.suppressed_quiet.load()),
                 static_cast<unsigned long long>(as.db_errors.load()),
                 static_cast<unsigned long long>(as.pending_dropped.load()),
                 static_cast<unsigned long long>(as.untracked_hosts.load()));
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
            std::fputs(net::curve_keypair_text(net::generate_curve_keypair()).c_str(), stdout);
            return 0;
        }
        if (cfg.init_db) {  // wireflow-collector-init-db's last step
            std::printf("wireflow-collector: schema version %d in place\n", store(cfg.db).migrate());
            return 0;
        }
        return run(cfg);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wireflow-collector: %s\n", e.what());
        return 1;
    }
}
