#pragma once
// The collector's options: the table users see in --help and the typed
// configuration main() builds from it. Parsing itself is common/options.hpp
// (ntopng style: an optional config file with one --name=value per line).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "net/ip_prefix.hpp"
#include "options.hpp"

namespace wireflow::collector {

struct collector_config {
    // Loopback by default: without CURVE anyone who reaches the port can write
    // flows, so listening on other interfaces is an explicit choice
    // (--listen=tcp://0.0.0.0:5556 together with the --curve-* options).
    std::string listen{"tcp://127.0.0.1:5556"};
    std::string db{"dbname=wireflow"};                  // libpq connection string
    std::string data_dir{"/var/lib/wireflow/collector"}; // spool lives in DATA_DIR/spool
    std::uint64_t spool_max_bytes{1024ull << 20};
    int retention_days{30};
    std::uint64_t flow_segment_rows{250'000};           // store/flow_segments.hpp
    int flow_segment_min_seconds{300};                  // settings::min_span
    std::uint64_t flow_merge_rows{32'000'000};          // store/flow_segments.hpp, merge_next; 0: never
    std::uint64_t max_message_bytes{64ull << 20};       // ZMQ_MAXMSGSIZE
    std::uint64_t ingest_buffer_bytes{256ull << 20};    // message bytes in flight before reading pauses
    int peer_queue_messages{16};                        // ZMQ_RCVHWM: per probe connection
    std::size_t max_probes{256};
    std::size_t max_probe_ports{64};
    int record_max_future_s{600};                       // record time window around the collector's clock
    int record_max_age_days{30};                        // default: retention_days
    std::string curve_secret_key_file;                  // empty: no CURVE
    std::string curve_allow_keys_file;
    std::string http{"127.0.0.1:3005"};                 // REST API + dashboard (collector/http)
    std::string tls_cert, tls_key;                      // both or neither: HTTPS
    int http_threads{2};
    bool disable_login{false};                          // lab use: everyone is admin
    bool disable_autologout{false};
    int session_idle_s{1800};                           // idle timeout of browser sessions
    std::string ui_dir;                                 // empty: the build's ui-static/
    std::string oui_dir{"/usr/share/ieee-data"};        // MAC vendors (aggregate/mac_vendors.hpp); empty: none
    std::string geoip_country;                          // MaxMind DB file: countries (collector/geo); empty: none
    std::string geoip_asn;                              // MaxMind DB file: AS numbers and names; empty: none
    std::string geoip_legacy_dir{"/usr/share/GeoIP"};   // Debian's geoip-database: countries without geoip_country; empty: none
    std::vector<net::ip_prefix> local_networks;         // host bits cleared ("10.1.2.3/8" is 10.0.0.0/8)
    std::vector<std::string> blacklists;                // --blacklist [FORMAT:]FILE_OR_URL (collector/blacklist)
    std::vector<std::string> notify;                    // --notify endpoints (collector/alert/notify_endpoint.hpp)
    bool notify_test{false};                            // send a test message to each, print, exit
    std::string nft_file;                               // nftables set file rewritten after each blacklist change
    std::string nft_command;                            // run after writing it (argv split, no shell)
    int alert_window_s{60};                             // window of the scan/flood/volume checks
    int local_host_idle_s{300};                         // idle purge of hosts from memory
    int remote_host_idle_s{60};
    int host_persist_s{60};                             // hosts table + time series write period
    int timeseries_rollup_days{7};                      // minutes older than this go to timeseries_hourly
    std::size_t max_active_flows{500'000};              // flows in progress held in memory (issue 15)
    int db_pool_size{4};                                // db_pool connections (REST, maintenance)
    std::string user;                                   // --user: run as this user once the sockets are bound
    bool init_db{false};                                // create/migrate the schema in --db, then exit
    bool gen_curve_keypair{false};
    bool help{false};
    // HTTP, login, blacklists, notifications (issue 13, findings 5-12; docs/user-guide.md)
    std::vector<std::string> http_hosts;                // --http-host: names the dashboard is reached by
    int http_max_connections{256};
    std::string admin_password_file;                    // the first admin's password (first line)
    int blacklist_min_prefix_v4{8}, blacklist_min_prefix_v6{32};  // broader entries are refused
    bool notify_allow_internal{false};                  // webhooks may target loopback/link-local/metadata
    int db_statement_timeout_ms{10000};                 // statement_timeout of the REST/maintenance pool

    [[nodiscard]] bool curve_enabled() const { return !curve_secret_key_file.empty(); }
    // --listen reaches only this host: ipc://, or tcp:// on 127.0.0.0/8, [::1]
    // or localhost. Anything else (0.0.0.0, *, an interface, another address)
    // lets other hosts send flows.
    [[nodiscard]] bool listen_is_loopback() const;
};

[[nodiscard]] std::span<const option_spec> collector_option_specs();

// Builds the typed configuration; throws std::invalid_argument with a one-line
// message naming the option for a malformed or inconsistent value.
[[nodiscard]] collector_config make_collector_config(const options& o);

}  // namespace wireflow::collector
