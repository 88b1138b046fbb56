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

#include "alert/notifier.hpp"
#include "app/collector_app.hpp"
#include "app/counter_table.hpp"
#include "collector_config.hpp"
#include "net/curve_key_file.hpp"
#include "store/store.hpp"

namespace {

using namespace wireflow::collector;

// SIGINT/SIGTERM are taken by one thread with sigwait and turned into `stop`;
// every other thread (ZeroMQ's, the database thread, the scheduler's lanes,
// HTTP) is created after the mask is set and inherits it.
class signal_watch {
public:
    signal_watch() {
        sigemptyset(&sigs_);
        sigaddset(&sigs_, SIGINT);
        sigaddset(&sigs_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &sigs_, nullptr);
        thread_ = std::thread([this] {
            const timespec tick{0, 200'000'000};
            while (!done_.load())
                if (sigtimedwait(&sigs_, nullptr, &tick) > 0) stop_ = true;
        });
    }
    ~signal_watch() {
        done_ = true;
        thread_.join();
    }
    signal_watch(const signal_watch&) = delete;
    signal_watch& operator=(const signal_watch&) = delete;
    [[nodiscard]] const std::atomic<bool>& stop() const noexcept { return stop_; }

private:
    sigset_t sigs_{};
    std::atomic<bool> stop_{false}, done_{false};
    std::thread thread_;
};

int run(const collector_config& cfg) {
    const signal_watch signals;
    app::collector_app collector(cfg);
    collector.run(signals.stop());
    // One line of every counter, machine-readable (tests and scripts parse it).
    std::fprintf(stderr, "%s\n", app::counters_line(collector.counters()).c_str());
    for (const auto& e : collector.notify_endpoints())
        std::fprintf(stderr, "wireflow-collector: notify %s sent=%llu retries=%llu failed=%llu last_error=\"%s\"\n",
                     e.name.c_str(), static_cast<unsigned long long>(e.sent),
                     static_cast<unsigned long long>(e.retries), static_cast<unsigned long long>(e.failed),
                     e.last_error.c_str());
    return 0;
}

// --notify-test: a test message to every endpoint, one line each; 1 if any failed.
int send_test_messages(const collector_config& cfg) {
    alert::notifier n(app::notify_settings_of(cfg), alert::parse_endpoints(cfg.notify));
    int failed = 0;
    for (const auto& e : n.status()) {
        const auto r = n.send_test(e.name);
        failed += r && r->ok ? 0 : 1;
        std::printf("%s (%s %s): %s\n", e.name.c_str(), std::string(alert::to_string(e.kind)).c_str(),
                    e.target.c_str(), r && r->ok ? "delivered" : r ? r->error.c_str() : "unknown");
    }
    return failed == 0 ? 0 : 1;
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
            std::fputs(wireflow::net::curve_keypair_text(wireflow::net::generate_curve_keypair()).c_str(), stdout);
            return 0;
        }
        if (cfg.init_db) {  // wireflow-collector-init-db's last step
            std::printf("wireflow-collector: schema version %d in place\n", store(cfg.db).migrate());
            return 0;
        }
        if (cfg.notify_test) return send_test_messages(cfg);
        return run(cfg);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wireflow-collector: %s\n", e.what());
        return 1;
    }
}
