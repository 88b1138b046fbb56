#pragma once
// The vocabulary of alerts: severities, the checks that raise them, and the
// preferences that switch them on and set their thresholds. Shared by the
// engine, the notifier and the REST layer (one JSON shape, built here).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "alert/allowed_servers.hpp"
#include "alert/threshold_override.hpp"

namespace wireflow::collector::alert {

// Syslog's order (RFC 5424 section 6.2.1), the five the schema accepts.
enum class severity : std::uint8_t { info, notice, warning, error, critical };
[[nodiscard]] std::string_view to_string(severity s) noexcept;
[[nodiscard]] std::optional<severity> parse_severity(std::string_view text) noexcept;

// One switch, one severity and one threshold per check.
enum class check : std::uint8_t {
    blacklisted_contact,      // flow with a blacklisted client or server (one-shot)
    syn_scan,                 // distinct destination ports of unanswered SYNs per window (attacker, victim)
    host_scan,                // distinct destination hosts of unanswered flows per window (attacker)
    flow_flood,               // new flows per second from (attacker) or to (victim) a host
    icmp_flood,               // ICMP packets per second from (attacker) or to (victim) a host
    host_volume,              // bytes per minute of a host (sent + received)
    pool_volume,              // bytes per minute of a host pool
    new_device,               // a MAC never seen before on a local network (one-shot)
    probe_packet_drops,       // NIC drops as a percentage of packets, per window
    probe_export_drops,       // records the probe dropped or batch sequence gaps, per window
    probe_silent,             // no statistics from a probe: threshold in seconds
    blacklist_update_failed,  // a source's download or parse failed (engaged until it succeeds)
    flow_risk,                // nDPI flow risks (one-shot)
    syn_flood,                // SYNs left unanswered or refused per second, from (attacker) or to (victim) a host
    dns_flood,                // DNS queries (packets to port 53) per second, from (attacker) or to (victim) a host
    long_lived_flow,          // a flow open for at least the threshold in seconds (one-shot)
    elephant_flow,            // a flow record carrying at least the threshold in bytes (one-shot)
    insecure_protocol,        // a remote client reaching a local server over telnet, FTP, TFTP, rsh/rlogin/rexec (one-shot)
    host_packets,             // packets per minute of a host (sent + received)
    pool_packets,             // packets per minute of a host pool
    pool_flows,               // new flows per minute of a host pool (opened or received by its hosts)
    probe_spool_growing,      // a probe's unacknowledged batches above the threshold and growing, per window
    nft_sync_failed,          // writing or applying the nftables blacklist set failed (engaged until it succeeds)
    unexpected_server,        // a DNS/NTP/SMTP/DHCP server not on its allow-list answered (one-shot)
    ip_mac_change,            // a local address seen behind another MAC than before (one-shot)
    tcp_no_data,              // a TCP connection established and ended without payload either way (one-shot)
};
inline constexpr std::size_t check_count = 26;
[[nodiscard]] std::string_view to_string(check c) noexcept;
[[nodiscard]] std::optional<check> parse_check(std::string_view text) noexcept;

// One nDPI flow risk (by bit) under the flow_risk check: its own switch and,
// when set, a severity replacing nDPI's (flow_risk_names.hpp).
struct risk_setting {
    bool enabled{true};
    std::optional<severity> level;

    friend bool operator==(const risk_setting&, const risk_setting&) = default;
};
inline constexpr std::size_t risk_bits = 64;

struct check_settings {
    bool enabled{true};
    severity level{severity::warning};
    double threshold{0};   // unit per check: see default_preferences() and docs
};

// Alerts are OFF by default (like ntopng): monitoring a network must not start
// flooding syslog or a webhook before the operator chose the thresholds.
struct alert_preferences {
    bool enabled{false};                           // the global "enable alerts" switch
    std::array<check_settings, check_count> checks{};
    std::vector<threshold_override> overrides;     // per host, pool, network (threshold_override.hpp)
    std::array<risk_setting, risk_bits> risks{};   // per nDPI risk bit, under check::flow_risk
    allowed_servers servers;                       // the unexpected_server check's allow-lists
    std::chrono::seconds quiet_period{300};        // one-shot alerts: one per (type, entity) per period
    // Notifications (alerts are stored whatever these say).
    bool syslog{false};
    severity syslog_min{severity::warning};
    std::string webhook_url;                       // empty: no webhook; http(s) only
    severity webhook_min{severity::warning};

    [[nodiscard]] const check_settings& operator[](check c) const noexcept { return checks[static_cast<std::size_t>(c)]; }
    [[nodiscard]] check_settings& operator[](check c) noexcept { return checks[static_cast<std::size_t>(c)]; }
};

// Defaults: every check switched on (under the global switch, off), with
//   syn_scan 100 ports, host_scan 50 hosts (per window), flow_flood 50 flows/s,
//   icmp_flood 100 packets/s, host_volume 1e9 B/min, pool_volume 1e10 B/min,
//   probe_packet_drops 5 %, probe_export_drops 0 (any), probe_silent 60 s,
//   syn_flood 100 SYNs/s, dns_flood 100 queries/s, long_lived_flow 3600 s,
//   elephant_flow 1e9 bytes, host_packets 1e7 packets/min, pool_packets 1e8
//   packets/min, pool_flows 1e5 flows/min, probe_spool_growing 100 batches.
[[nodiscard]] alert_preferences default_preferences();

// The REST/preferences JSON shape:
//   {"enabled": false, "quiet_period_s": 300,
//    "checks": {"syn_scan": {"enabled": true, "severity": "warning", "threshold": 100}, ...},
//    "overrides": [{"check": "host_volume", "host": "10.0.0.5", "threshold": 5e10}, ...],
//    "allowed_servers": {"dns": ["10.0.0.53"], "ntp": [], "smtp": [], "dhcp": []},
//    "flow_risks": {"ndpi_tls_selfsigned_certificate": {"enabled": true, "severity": "warning",
//                   "description": "Self-signed Certificate"}, ...},   (description: output only)
//    "notifications": {"syslog": false, "syslog_min_severity": "warning",
//                      "webhook_url": "", "webhook_min_severity": "warning"}}
[[nodiscard]] boost::json::object to_json(const alert_preferences& p);
// A partial document changes only the keys it names (on top of `base`).
// Unknown keys, wrong types, negative thresholds or a non-http(s) webhook URL
// give nothing and a one-line error.
[[nodiscard]] std::optional<alert_preferences> apply_json(const alert_preferences& base, const boost::json::value& v,
                                                          std::string& error);

}  // namespace wireflow::collector::alert
