#include "config/probe_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "net/curve_key_file.hpp"
#include "net/probe_id.hpp"
#include "options.hpp"

namespace wireflow::probe {

namespace {

const option_spec specs[] = {
    {"pcap", 'r', true, true, "replay a pcap/pcapng file (repeatable: files run one after another)"},
    {"pcap-list", 0, true, false, "file naming one capture per line, replayed one after another"},
    {"pcap-loop", 0, false, false, "replay the capture forever (wall-clock timestamps); stop with --duration"},
    {"interface", 'i', true, false, "capture a kernel interface through net_af_packet"},
    {"port", 0, true, true, "capture a DPDK port by PCI address (repeatable)"},
    {"workers", 'w', true, false, "number of worker lcores, one RX queue each (default 1)"},
    {"cores", 0, true, false, "worker CPU list, e.g. 1,2 or 1-3 (sets --workers)"},
    {"no-huge", 0, false, false, "run without hugepages (EAL --no-huge)"},
    {"memory", 'm', true, false, "EAL memory in MB (default 1024 with --no-huge)"},
    {"probe-id", 0, true, false, "name of this probe in exported records (default: host name)"},
    {"collector", 'c', true, false, "collector endpoint tcp://HOST:PORT, or none"},
    {"curve-server-key", 0, true, false, "collector CURVE public key (Z85); enables encryption, needs --curve-key-file"},
    {"curve-server-key-file", 0, true, false, "file holding the collector CURVE public key (Z85)"},
    {"curve-key-file", 0, true, false, "this probe's CURVE key pair file (as --gen-curve-keypair prints)"},
    {"max-flows", 0, true, false, "flow table capacity per worker (default 262144)"},
    {"no-dpi", 0, false, false, "no nDPI: flows only, no application protocol (fastest)"},
    {"dpi-states", 0, true, false, "flows under nDPI inspection at once per worker, allocated as needed (default 65536)"},
    {"mbufs", 0, true, false, "mbufs in the packet pool (default: sized from the ports, and from the file with --pcap-loop)"},
    {"idle-timeout", 0, true, false, "seconds without a packet before a flow is exported (default 30)"},
    {"active-timeout", 0, true, false, "seconds after which a long flow is exported (default 120)"},
    {"batch-records", 0, true, false, "records per batch sent to the collector (default 1000)"},
    {"batch-ms", 0, true, false, "longest wait in ms before a partial batch is sent (default 1000)"},
    {"spool-dir", 0, true, false, "directory for batches the collector has not acknowledged"},
    {"spool-max-mb", 0, true, false, "spool size limit in MB (default 1024)"},
    {"buffer-batches", 0, true, false, "unacknowledged batches kept in memory (default 4096)"},
    {"stats-interval", 0, true, false, "seconds between ProbeStats messages (default 10)"},
    {"linger-s", 0, true, false, "seconds to wait for acknowledgements at exit (default 10)"},
    {"ring-records", 0, true, false, "records in each worker's export ring (default 16384)"},
    {"flow-update-s", 0, true, false, "seconds between interim counters of each live flow sent to the collector (live capture; default 5, 0: off)"},
    {"flow-update-max-rate", 0, true, false, "interim flow updates sent per second at most (default 100000)"},
    {"dump-flows", 0, true, false, "write every exported record as a JSON line to FILE"},
    {"summary-json", 0, true, false, "write run counters as one JSON object to FILE at exit"},
    {"duration", 0, true, false, "stop after this many seconds"},
    {"user", 'U', true, false, "run as this user after EAL init and port setup (started as root, like ntopng)"},
    {"gen-curve-keypair", 0, false, false, "print a new CURVE key pair (Z85) and exit"},
    {"help", 'h', false, false, "show this help"},
};

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

unsigned parse_uint(std::string_view s, std::string_view what) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty())
        fail(std::string(what) + ": '" + std::string(s) + "' is not a number");
    return v;
}

// "1,2" or "1-3" or "0,2-3": CPU ids, each at most once.
std::vector<unsigned> parse_cpu_list(std::string_view s) {
    std::vector<unsigned> out;
    while (!s.empty()) {
        const auto comma = s.find(',');
        std::string_view item = s.substr(0, comma);
        s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
        const auto dash = item.find('-');
        const unsigned lo = parse_uint(item.substr(0, dash), "--cores");
        const unsigned hi = dash == std::string_view::npos ? lo : parse_uint(item.substr(dash + 1), "--cores");
        if (hi < lo || hi >= 1024) fail("--cores: bad range '" + std::string(item) + "'");
        for (unsigned c = lo; c <= hi; ++c) {
            if (std::find(out.begin(), out.end(), c) != out.end())
                fail("--cores: CPU " + std::to_string(c) + " listed twice");
            out.push_back(c);
        }
    }
    if (out.empty()) fail("--cores: empty list");
    return out;
}

std::vector<std::string> read_list_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) fail("--pcap-list: cannot read '" + path + "'");
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        out.push_back(line);
    }
    return out;
}

// For error messages: bounded, one line, printable ASCII.
std::string printable(std::string_view s) {
    std::string out;
    for (const char c : s.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (s.size() > 80) out += "...";
    return out;
}

std::string read_text(const std::string& path, std::string_view option) {
    std::ifstream in(path);
    if (!in) fail(std::string(option) + ": cannot read '" + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Both sides or neither: a probe with only the server key could not
// authenticate, one with only its own keys has no server to trust.
void read_curve_options(const options& o, probe_config& cfg) {
    const auto key = o.get("curve-server-key");
    const auto key_file = o.get("curve-server-key-file");
    const auto pair_file = o.get("curve-key-file");
    if (key && key_file) fail("give --curve-server-key or --curve-server-key-file, not both");
    const bool server = key || key_file;
    if (server != pair_file.has_value())
        fail(server ? "CURVE needs --curve-key-file (this probe's key pair) too"
                    : "CURVE needs --curve-server-key or --curve-server-key-file (the collector's public key) too");
    if (!server) return;
    if (cfg.collector == "none") fail("CURVE options need a --collector tcp://HOST:PORT");
    cfg.curve_server_key = key ? net::parse_curve_public_key(*key, "--curve-server-key")
                               : net::parse_curve_public_key_file(read_text(*key_file, "--curve-server-key-file"),
                                                                  "--curve-server-key-file " + *key_file);
    const auto pair =
        net::parse_curve_keypair_file(read_text(*pair_file, "--curve-key-file"), "--curve-key-file " + *pair_file);
    cfg.curve_public_key = pair.public_key;
    cfg.curve_secret_key = pair.secret_key;
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "probe";
    return buf;
}

}  // namespace

probe_config parse_probe_config(std::span<const std::string> argv) {
    probe_config cfg;
    std::span<const std::string> args = argv.empty() ? argv : argv.subspan(1);
    const auto dd = std::find(args.begin(), args.end(), std::string("--"));
    if (dd != args.end()) {
        cfg.eal_args_given = true;
        cfg.eal_args.push_back(argv.empty() ? "wireflow-probe" : argv[0]);
        cfg.eal_args.insert(cfg.eal_args.end(), args.begin(), dd);
        args = std::span<const std::string>(dd + 1, args.end());
    }
    const options o = parse_options(specs, args);
    cfg.help = o.has("help");
    cfg.gen_curve_keypair = o.has("gen-curve-keypair");
    if (cfg.help || cfg.gen_curve_keypair) return cfg;

    cfg.pcaps = o.all("pcap");
    if (auto list = o.get("pcap-list")) {
        auto more = read_list_file(*list);
        if (more.empty()) fail("--pcap-list: '" + *list + "' names no capture");
        cfg.pcaps.insert(cfg.pcaps.end(), more.begin(), more.end());
    }
    cfg.pcap_loop = o.has("pcap-loop");
    cfg.interface = o.get_or("interface", "");
    cfg.ports = o.all("port");
    const int kinds = (cfg.pcaps.empty() ? 0 : 1) + (cfg.interface.empty() ? 0 : 1) + (cfg.ports.empty() ? 0 : 1);
    if (kinds > 1) fail("give only one kind of source: --pcap, --interface or --port");
    if (kinds == 0 && !cfg.eal_args_given)
        fail("no packet source: give --pcap FILE, --interface IF or --port PCI_ADDR");
    if (cfg.pcap_loop && cfg.pcaps.size() != 1) fail("--pcap-loop needs exactly one --pcap file");

    if (auto cores = o.get("cores")) {
        if (o.has("workers")) fail("give --workers or --cores, not both");
        cfg.cores = parse_cpu_list(*cores);
        cfg.workers = static_cast<unsigned>(cfg.cores.size());
    } else {
        cfg.workers = static_cast<unsigned>(o.get_int("workers", 1, 1, 64));
    }
    if (cfg.workers > 64) fail("--cores: at most 64 workers");
    cfg.no_huge = o.has("no-huge");
    cfg.memory_mb = static_cast<unsigned>(o.get_int("memory", cfg.no_huge ? 1024 : 0, 64, 1 << 20));

    if (auto id = o.get("probe-id")) {
        if (!net::valid_probe_id(*id))
            fail("--probe-id: '" + printable(*id) + "' is not 1..64 characters of A-Z a-z 0-9 . _ -");
        cfg.probe_id = *id;
    } else {
        cfg.probe_id = host_name();
        if (!net::valid_probe_id(cfg.probe_id))
            fail("host name '" + printable(cfg.probe_id) +
                 "' is not a valid probe id (1..64 characters of A-Z a-z 0-9 . _ -): give --probe-id");
    }
    auto collector = o.get("collector");
    if (!collector) fail("--collector is required: tcp://HOST:PORT, or none to only dump flows");
    cfg.collector = *collector;
    if (cfg.collector != "none" && cfg.collector.rfind("tcp://", 0) != 0)
        fail("--collector: expected tcp://HOST:PORT or none, got '" + cfg.collector + "'");
    if (cfg.collector != "none" && cfg.collector.find(':', 6) == std::string::npos)
        fail("--collector: '" + cfg.collector + "' has no port");
    read_curve_options(o, cfg);

    cfg.max_flows = static_cast<std::uint32_t>(o.get_int("max-flows", cfg.max_flows, 16, 1 << 26));
    cfg.no_dpi = o.has("no-dpi");
    if (cfg.no_dpi && o.has("dpi-states")) fail("--dpi-states has no use with --no-dpi");
    cfg.dpi_states = static_cast<std::uint32_t>(o.get_int("dpi-states", cfg.dpi_states, 1, 1 << 24));
    cfg.mbufs = static_cast<std::uint32_t>(o.get_int("mbufs", 0, 1023, 1 << 30));
    cfg.idle_timeout_s = o.get_double("idle-timeout", cfg.idle_timeout_s, 0.001, 86400);
    cfg.active_timeout_s = o.get_double("active-timeout", cfg.active_timeout_s, 0.001, 7 * 86400);
    if (cfg.active_timeout_s < cfg.idle_timeout_s)
        fail("--active-timeout must not be shorter than --idle-timeout");
    cfg.batch_records = static_cast<unsigned>(o.get_int("batch-records", cfg.batch_records, 1, 100000));
    cfg.batch_ms = static_cast<unsigned>(o.get_int("batch-ms", cfg.batch_ms, 1, 600000));
    cfg.spool_dir = o.get_or("spool-dir", "");
    cfg.user = o.get_or("user", "");
    cfg.spool_max_mb = static_cast<std::uint64_t>(o.get_int("spool-max-mb", 1024, 1, 1 << 24));
    cfg.buffer_batches = static_cast<unsigned>(o.get_int("buffer-batches", cfg.buffer_batches, 1, 1 << 20));
    cfg.stats_interval_s = o.get_double("stats-interval", cfg.stats_interval_s, 0, 86400);
    if (o.has("linger-s")) cfg.linger_s = o.get_double("linger-s", 10, 0, 3600);
    cfg.ring_records = static_cast<unsigned>(o.get_int("ring-records", cfg.ring_records, 64, 1 << 22));
    cfg.flow_update_s = o.get_double("flow-update-s", cfg.flow_update_s, 0, 3600);
    if (cfg.flow_update_s != 0 && cfg.flow_update_s < 1) fail("--flow-update-s expects 0 (off) or 1 to 3600 seconds");
    cfg.flow_update_max_rate =
        static_cast<std::uint32_t>(o.get_int("flow-update-max-rate", cfg.flow_update_max_rate, 1, 10'000'000));
    cfg.dump_flows = o.get_or("dump-flows", "");
    cfg.summary_json = o.get_or("summary-json", "");
    cfg.duration_s = o.get_double("duration", 0, 0, 10 * 365 * 86400.0);
    if (cfg.pcap_loop && cfg.duration_s == 0)
        fail("--pcap-loop replays forever: give --duration S");
    return cfg;
}

std::vector<std::string> build_eal_args(const probe_config& cfg, std::string_view program, std::string_view unique,
                                        unsigned cpu_count) {
    if (cfg.eal_args_given) return cfg.eal_args;
    if (cpu_count == 0) cpu_count = 1;
    std::vector<std::string> a{std::string(program)};
    // The main lcore (0) runs the control loop and floats over every CPU; each
    // worker lcore i is pinned to its CPU (--cores) or spread round-robin. More
    // workers than CPUs is allowed (tests), the OS then time-shares them.
    std::string lcores = "--lcores=0@(0-" + std::to_string(cpu_count - 1) + ")";
    for (unsigned i = 1; i <= cfg.workers; ++i) {
        const unsigned cpu = cfg.cores.empty() ? i % cpu_count : cfg.cores[i - 1];
        lcores += "," + std::to_string(i) + "@" + std::to_string(cpu);
    }
    a.push_back(lcores);
    // --no-huge implies legacy memory, which EAL refuses with --in-memory; a
    // unique prefix and no shared config keep concurrent probes apart instead.
    if (cfg.no_huge) {
        a.insert(a.end(), {"--no-huge", "-m", std::to_string(cfg.memory_mb), "--no-shconf"});
    } else {
        a.push_back("--in-memory");
        if (cfg.memory_mb != 0) a.insert(a.end(), {"-m", std::to_string(cfg.memory_mb)});
    }
    a.push_back("--file-prefix=wireflow-" + std::string(unique));
    if (cfg.ports.empty()) a.push_back("--no-pci");
    for (const auto& p : cfg.ports) a.insert(a.end(), {"-a", p});
    // One queue pair: af_packet spreads queues by the kernel's fanout hash,
    // which for packets this host sends is the socket's random txhash, not the
    // flow hash, so one flow could be split over two workers (measured on lo).
    if (!cfg.interface.empty()) a.push_back("--vdev=net_af_packet0,iface=" + cfg.interface + ",qpairs=1");
    a.push_back("--no-telemetry");
    // EAL's start-up chatter goes to stderr; keep it for warnings and errors.
    a.push_back("--log-level=warning");
    return a;
}

std::string probe_usage(std::string_view program) {
    return "usage: " + std::string(program) + " [EAL args] -- [CONFIG_FILE] [OPTIONS]\n   or: " +
           usage(program, specs).substr(7);
}

}  // namespace wireflow::probe
