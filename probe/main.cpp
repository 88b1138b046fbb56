// wireflow-probe: DPDK capture -> dissector -> per-worker flow tables (+ nDPI)
// -> per-worker rings -> exporter thread (ZeroMQ to the collector, --dump-flows).
//
//   wireflow-probe [EAL args] -- [CONFIG_FILE] [options]
//   wireflow-probe [CONFIG_FILE] [options]       (EAL args built from the options)
//   wireflow-probe --gen-curve-keypair           (for --curve-key-file; see common/net/curve_key_file.hpp)
//
// Parse, construct, run (app/probe_app.hpp). Setup errors are exceptions
// caught here once: one line on stderr, exit 1; bad options exit 2.
// SIGINT/SIGTERM and --duration stop the workers, which export every live
// flow; the exporter drains and sends; exit 0.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/probe_app.hpp"
#include "net/curve_key_file.hpp"
#include "config/probe_options.hpp"

using namespace wireflow::probe;

namespace {

constexpr const char* program = "wireflow-probe";

std::atomic<bool> g_signalled{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_signal(int) { g_signalled.store(true, std::memory_order_relaxed); }

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    probe_config cfg;
    try {
        cfg = parse_probe_config(args);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s (see --help)\n", program, e.what());
        return 2;
    }
    if (cfg.help) {
        std::cout << probe_usage(program);
        return 0;
    }
    if (cfg.gen_curve_keypair) {
        try {
            std::cout << wireflow::net::curve_keypair_text(wireflow::net::generate_curve_keypair());
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s: %s\n", program, e.what());
            return 1;
        }
        return 0;
    }
    install_signal_handlers();
    try {
        probe_app app(std::move(cfg), g_signalled);
        return app.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
}
