#include "collector_config.hpp"

#include <charconv>
#include <stdexcept>

namespace wireflow::collector {

namespace {

constexpr option_spec specs[] = {
    {"listen", 0, true, false, "ZeroMQ endpoint probes connect to (default tcp://127.0.0.1:5556)"},
    {"db", 0, true, false, "PostgreSQL connection string (libpq), e.g. 'host=/run/postgresql dbname=wireflow'"},
    {"data-dir", 0, true, false, "folder for the spool used while PostgreSQL is unreachable"},
    {"spool-max-mb", 0, true, false, "spool size bound in MiB; beyond it batches are answered BUSY (default 1024)"},
    {"retention-days", 0, true, false, "days of flows kept; older daily partitions are dropped (default 30)"},
    {"flow-segment-rows", 0, true, false, "rows of a segment of the flows table being written, without host index (default 250000)"},
    {"flow-segment-min-seconds", 0, true, false, "shortest time range of a segment, whatever the rate (default 300)"},
    {"flow-merge-rows", 0, true, false, "sealed segments are merged into leaves of at most this many rows, today's 8 at a time; 0: never (default 32000000)"},
    {"max-message-mb", 0, true, false, "largest ZeroMQ message accepted, in MiB (default 64)"},
    {"ingest-buffer-mb", 0, true, false, "messages read and not yet stored, in MiB; beyond, reading pauses (default 256)"},
    {"peer-queue-messages", 0, true, false, "messages ZeroMQ queues per probe connection while reading pauses (default 16)"},
    {"max-probes", 0, true, false, "probe ids remembered; batches and stats of a new one beyond are refused (default 256)"},
    {"max-probe-ports", 0, true, false, "ports in one probe statistics message; more are refused (default 64)"},
    {"record-max-future-s", 0, true, false, "refuse batches with records dated this far after the collector's clock (default 600)"},
    {"record-max-age-days", 0, true, false, "refuse batches with records older than this (default: --retention-days)"},
    {"curve-secret-key-file", 0, true, false, "collector CURVE secret key (Z85); enables encryption and auth"},
    {"curve-allow-keys-file", 0, true, false, "probe CURVE public keys (Z85) allowed to connect, one per line"},
    {"http", 'w', true, false, "HTTP listen address ADDR:PORT for the REST API and dashboard (default 127.0.0.1:3005)"},
    {"tls-cert", 0, true, false, "PEM certificate chain: serve HTTPS (with --tls-key)"},
    {"tls-key", 0, true, false, "PEM private key of --tls-cert"},
    {"http-threads", 0, true, false, "HTTP server threads (default 2)"},
    {"disable-login", 0, false, false, "no authentication: every HTTP client is admin (lab use only)"},
    {"disable-autologout", 0, false, false, "browser sessions never time out when idle"},
    {"session-idle-s", 0, true, false, "seconds of inactivity that end a browser session (default 1800)"},
    {"ui-dir", 0, true, false, "folder of the static dashboard (default: the source tree's ui-static/)"},
    {"oui-dir", 0, true, false, "IEEE registries for MAC vendors, Debian's ieee-data (default /usr/share/ieee-data; empty: none)"},
    {"geoip-country", 0, true, false, "MaxMind DB file (GeoLite2/GeoIP2 Country or City, DB-IP country) giving hosts and flows a country"},
    {"geoip-asn", 0, true, false, "MaxMind DB file (GeoLite2-ASN, DB-IP asn) giving hosts and flows an AS number and name"},
    {"geoip-legacy-dir", 0, true, false, "Debian's geoip-database, countries when no --geoip-country (default /usr/share/GeoIP; empty: none)"},
    {"blacklist", 0, true, true, "IP blacklist [FORMAT:]FILE_OR_URL (repeatable; FORMAT plain, drop, dshield, csv:COLUMN)"},
    {"nft-file", 0, true, false, "write the blacklists as an nftables table to this file after each change"},
    {"nft-command", 0, true, false, "then run this command (split on blanks, no shell), e.g. \"nft -f FILE\""},
    {"notify", 0, true, true, "alert notification endpoint \"KIND TARGET [key=value...]\" (repeatable; see the user guide)"},
    {"notify-test", 0, false, false, "send a test message to every --notify endpoint, print each result and exit"},
    {"alert-window-s", 0, true, false, "seconds over which scans, floods and volumes are measured (default 60)"},
    {"local-networks", 0, true, true, "comma-separated CIDRs of local networks"},
    {"local-host-idle-s", 0, true, false, "seconds without traffic before a local host leaves memory (default 300)"},
    {"remote-host-idle-s", 0, true, false, "seconds without traffic before a remote host leaves memory (default 60)"},
    {"host-persist-s", 0, true, false, "seconds between writes of host totals and time series to PostgreSQL (default 60)"},
    {"timeseries-rollup-days", 0, true, false, "days of 1-minute time series kept before the hourly roll-up (default 7)"},
    {"max-active-flows", 0, true, false, "flows in progress (probes' interim reports) held in memory at most (default 500000)"},
    {"db-pool-size", 0, true, false, "PostgreSQL connections for the REST API and maintenance (default 4)"},
    {"http-host", 0, true, true, "host name the dashboard is reached by (repeatable, comma-separated); other Host headers get 421"},
    {"http-max-connections", 0, true, false, "open HTTP connections at most; more are closed at once (default 256)"},
    {"admin-password-file", 0, true, false, "the first admin's password: first line of this file (else admin/admin on loopback, random beyond)"},
    {"blacklist-min-prefix-v4", 0, true, false, "IPv4 blacklist entries broader than this prefix length are refused (default 8)"},
    {"blacklist-min-prefix-v6", 0, true, false, "IPv6 blacklist entries broader than this prefix length are refused (default 32)"},
    {"notify-allow-internal", 0, false, false, "webhooks may target loopback, link-local and cloud metadata addresses"},
    {"db-statement-timeout-ms", 0, true, false, "PostgreSQL statement_timeout of REST queries and maintenance (default 10000)"},
    {"user", 'U', true, false, "run as this user once the HTTP socket is bound (started as root, like ntopng)"},
    {"init-db", 0, false, false, "create or migrate the schema in --db, then exit (see wireflow-collector-init-db)"},
    {"gen-curve-keypair", 0, false, false, "print a new CURVE key pair (Z85) and exit"},
    {"help", 'h', false, false, "show this help"},
};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

[[noreturn]] void bad(std::string_view option, std::string_view what) {
    throw std::invalid_argument("--" + std::string(option) + ": " + std::string(what));
}

void check_endpoint(const std::string& e) {
    // ZeroMQ accepts more transports; the collector serves probes over TCP
    // and tests may use ipc://.
    if (!(e.rfind("tcp://", 0) == 0 || e.rfind("ipc://", 0) == 0) || e.size() < 8)
        bad("listen", "expects tcp://ADDR:PORT, got '" + e.substr(0, 80) + "'");
}

void check_host_port(const std::string& v) {
    const auto colon = v.rfind(':');
    int port = 0;
    if (colon == std::string::npos) bad("http", "expects ADDR:PORT or PORT, got '" + v.substr(0, 80) + "'");
    const char* b = v.data() + colon + 1;
    const char* e = v.data() + v.size();
    auto [p, ec] = std::from_chars(b, e, port);
    if (ec != std::errc{} || p != e || port < 1 || port > 65535)
        bad("http", "expects ADDR:PORT with a port from 1 to 65535, got '" + v.substr(0, 80) + "'");
}

// Repeatable, comma-separated option values: fn(item) for each non-empty item.
template <class Fn>
void for_each_item(const std::vector<std::string>& values, Fn&& fn) {
    for (const auto& list : values) {
        std::string_view rest = list;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto item = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            if (!item.empty()) fn(item);
        }
    }
}

}  // namespace

std::span<const option_spec> collector_option_specs() { return specs; }

collector_config make_collector_config(const options& o) {
    collector_config c;
    c.help = o.has("help");
    c.gen_curve_keypair = o.has("gen-curve-keypair");
    c.init_db = o.has("init-db");
    c.listen = o.get_or("listen", c.listen);
    check_endpoint(c.listen);
    c.db = o.get_or("db", c.db);
    c.data_dir = o.get_or("data-dir", c.data_dir);
    if (c.data_dir.empty()) bad("data-dir", "must not be empty");
    c.spool_max_bytes = static_cast<std::uint64_t>(o.get_int("spool-max-mb", 1024, 1, 1 << 20)) << 20;
    c.retention_days = static_cast<int>(o.get_int("retention-days", 30, 1, 36500));
    c.flow_segment_rows = static_cast<std::uint64_t>(o.get_int("flow-segment-rows", 250'000, 10'000, 1'000'000'000));
    c.flow_segment_min_seconds = static_cast<int>(o.get_int("flow-segment-min-seconds", 300, 5, 3600));
    c.flow_merge_rows = static_cast<std::uint64_t>(o.get_int("flow-merge-rows", 32'000'000, 0, 10'000'000'000));
    c.max_message_bytes = static_cast<std::uint64_t>(o.get_int("max-message-mb", 64, 1, 1024)) << 20;
    c.ingest_buffer_bytes = static_cast<std::uint64_t>(o.get_int("ingest-buffer-mb", 256, 16, 1 << 16)) << 20;
    c.peer_queue_messages = static_cast<int>(o.get_int("peer-queue-messages", c.peer_queue_messages, 1, 100000));
    c.max_probes = static_cast<std::size_t>(o.get_int("max-probes", 256, 1, 1'000'000));
    c.max_probe_ports = static_cast<std::size_t>(o.get_int("max-probe-ports", 64, 1, 4096));
    c.record_max_future_s = static_cast<int>(o.get_int("record-max-future-s", c.record_max_future_s, 1, 86400 * 366));
    c.record_max_age_days = static_cast<int>(o.get_int("record-max-age-days", c.retention_days, 1, 36500));
    c.curve_secret_key_file = o.get_or("curve-secret-key-file", "");
    c.curve_allow_keys_file = o.get_or("curve-allow-keys-file", "");
    if (c.curve_secret_key_file.empty() != c.curve_allow_keys_file.empty())
        bad(c.curve_secret_key_file.empty() ? "curve-allow-keys-file" : "curve-secret-key-file",
            "CURVE needs both --curve-secret-key-file and --curve-allow-keys-file");
    c.http = o.get_or("http", c.http);
    if (c.http.find(':') == std::string::npos) c.http = "0.0.0.0:" + c.http;  // ntopng's "-w 3000"
    check_host_port(c.http);
    c.tls_cert = o.get_or("tls-cert", "");
    c.tls_key = o.get_or("tls-key", "");
    if (c.tls_cert.empty() != c.tls_key.empty())
        bad(c.tls_cert.empty() ? "tls-cert" : "tls-key", "HTTPS needs both --tls-cert and --tls-key");
    c.http_threads = static_cast<int>(o.get_int("http-threads", c.http_threads, 1, 64));
    c.disable_login = o.has("disable-login");
    c.disable_autologout = o.has("disable-autologout");
    c.session_idle_s = static_cast<int>(o.get_int("session-idle-s", c.session_idle_s, 10, 86400 * 30));
    c.ui_dir = o.get_or("ui-dir", "");
    c.oui_dir = o.get_or("oui-dir", "/usr/share/ieee-data");
    // Files named here must open (checked when the collector starts: geo/geo_locator.hpp).
    c.geoip_country = o.get_or("geoip-country", "");
    c.geoip_asn = o.get_or("geoip-asn", "");
    c.geoip_legacy_dir = o.get_or("geoip-legacy-dir", c.geoip_legacy_dir);
    c.blacklists = o.all("blacklist");
    c.nft_file = o.get_or("nft-file", "");
    c.nft_command = o.get_or("nft-command", "");
    if (!c.nft_command.empty() && c.nft_file.empty()) bad("nft-command", "needs --nft-file");
    c.notify = o.all("notify");
    c.notify_test = o.has("notify-test");
    if (c.notify_test && c.notify.empty()) bad("notify-test", "needs at least one --notify");
    c.alert_window_s = static_cast<int>(o.get_int("alert-window-s", c.alert_window_s, 1, 3600));
    for_each_item(o.all("local-networks"), [&c](std::string_view item) {
        std::string why;
        const auto n = net::parse_prefix(item, &why);
        if (!n) bad("local-networks", why);
        c.local_networks.push_back(n->prefix);
    });
    c.local_host_idle_s = static_cast<int>(o.get_int("local-host-idle-s", c.local_host_idle_s, 1, 86400 * 7));
    c.remote_host_idle_s = static_cast<int>(o.get_int("remote-host-idle-s", c.remote_host_idle_s, 1, 86400 * 7));
    c.host_persist_s = static_cast<int>(o.get_int("host-persist-s", c.host_persist_s, 1, 3600));
    c.timeseries_rollup_days = static_cast<int>(o.get_int("timeseries-rollup-days", c.timeseries_rollup_days, 1, 3650));
    c.db_pool_size = static_cast<int>(o.get_int("db-pool-size", c.db_pool_size, 1, 256));
    c.max_active_flows = static_cast<std::size_t>(o.get_int("max-active-flows", static_cast<long long>(c.max_active_flows), 0, 100'000'000));
    c.user = o.get_or("user", "");
    for_each_item(o.all("http-host"), [&c](std::string_view item) {
        if (item.size() > 253 || item.find_first_of(" /:@[]") != std::string_view::npos)
            bad("http-host", "expects a host name without port, got '" + std::string(item.substr(0, 80)) + "'");
        c.http_hosts.emplace_back(item);
    });
    c.http_max_connections = static_cast<int>(o.get_int("http-max-connections", c.http_max_connections, 4, 65536));
    c.admin_password_file = o.get_or("admin-password-file", "");
    c.blacklist_min_prefix_v4 = static_cast<int>(o.get_int("blacklist-min-prefix-v4", c.blacklist_min_prefix_v4, 0, 32));
    c.blacklist_min_prefix_v6 = static_cast<int>(o.get_int("blacklist-min-prefix-v6", c.blacklist_min_prefix_v6, 0, 128));
    c.notify_allow_internal = o.has("notify-allow-internal");
    c.db_statement_timeout_ms =
        static_cast<int>(o.get_int("db-statement-timeout-ms", c.db_statement_timeout_ms, 100, 3'600'000));
    return c;
}

bool collector_config::listen_is_loopback() const {
    const std::string_view e = listen;
    if (starts_with(e, "ipc://")) return true;
    if (!starts_with(e, "tcp://")) return false;
    const std::string_view host = e.substr(6, e.rfind(':') - 6);
    if (host == "[::1]" || host == "localhost") return true;
    const auto a = net::ip_address::parse(host);
    return a && a->is_v4() && a->bytes[0] == 127;
}

}  // namespace wireflow::collector
