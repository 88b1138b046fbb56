#pragma once
// The probe's options table and the validated configuration it produces.
//
// Two command-line forms:
//   wireflow-probe [EAL args] -- [CONFIG_FILE] [probe options]   (the DPDK way)
//   wireflow-probe [CONFIG_FILE] [probe options]                 (the probe builds EAL args)
// A configuration file holds one `--name=value` per line (common/options.hpp).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::probe {

struct probe_config {
    // Packet sources: exactly one kind in the convenience form; in the DPDK
    // form none may be given and every port the EAL probed is captured.
    std::vector<std::string> pcaps;     // --pcap (repeatable) and the lines of --pcap-list, in order
    bool pcap_loop{false};              // --pcap-loop: replay forever (net_pcap infinite_rx)
    std::string interface;              // --interface: net_af_packet
    std::vector<std::string> ports;     // --port PCI address (repeatable)

    unsigned workers{1};                // --workers, or the size of --cores
    std::vector<unsigned> cores;        // --cores: worker CPU ids, empty: chosen by the probe
    bool no_huge{false};
    unsigned memory_mb{0};              // --memory, 0: EAL default (1024 with --no-huge)

    std::string probe_id;               // default: host name; [A-Za-z0-9._-], 1..64 like the collector
    std::string collector;              // tcp://HOST:PORT or "none"
    // CURVE (RFC 26): all three set or all empty. --curve-server-key[-file]
    // is the collector's public key, --curve-key-file the probe's key pair.
    std::string curve_server_key;       // Z85
    std::string curve_public_key;       // Z85
    std::string curve_secret_key;       // Z85
    std::uint32_t max_flows{1u << 18};  // per worker
    bool no_dpi{false};                 // --no-dpi: no nDPI at all
    std::uint32_t dpi_states{65536};    // --dpi-states: nDPI states per worker (flows inspected at once)
    std::uint32_t mbufs{0};             // --mbufs, 0: sized from the devices (and an in-memory capture)
    double idle_timeout_s{30};
    double active_timeout_s{120};
    unsigned batch_records{1000};
    unsigned batch_ms{1000};
    std::string spool_dir;
    std::uint64_t spool_max_mb{1024};
    unsigned buffer_batches{4096};
    double stats_interval_s{10};
    std::optional<double> linger_s;     // default: 10, 0 with --collector none
    unsigned ring_records{1u << 14};    // per-worker export ring
    double flow_update_s{5};            // interim updates of live flows (issue 15); 0: off
    std::uint32_t flow_update_max_rate{100'000};  // flows reported per second at most (whole probe)
    std::string dump_flows;
    std::string summary_json;
    double duration_s{0};               // 0: until end of capture or a signal

    std::string user;                   // --user: run as this user after EAL init and port setup
    bool help{false};
    bool gen_curve_keypair{false};      // print a new key pair and exit

    // Arguments for rte_eal_init (argv[0] included). The DPDK form's EAL
    // arguments verbatim; otherwise built from the options above.
    std::vector<std::string> eal_args;
    bool eal_args_given{false};
};

// Parses argv (argv[0] included). Throws std::invalid_argument with a one-line
// message for unknown options and bad values.
[[nodiscard]] probe_config parse_probe_config(std::span<const std::string> argv);

// Builds the EAL argument vector for the convenience form. `unique` makes the
// runtime file prefix unique so several probes (and tests) run at once;
// `cpu_count` is the number of CPUs the process may use.
[[nodiscard]] std::vector<std::string> build_eal_args(const probe_config& cfg, std::string_view program,
                                                      std::string_view unique, unsigned cpu_count);

[[nodiscard]] std::string probe_usage(std::string_view program);

}  // namespace wireflow::probe
