#pragma once
// Stored flows read back: the filter, one row, a page, and the per-host
// peer and per-application totals (plain data; collector/store/flow_query
// fills them, the REST API shows them).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/flow_dpi.hpp"
#include "model/flow_geo.hpp"
#include "model/flow_health.hpp"
#include "model/flow_tunnel.hpp"

namespace wireflow::collector {

enum class flow_sort : std::uint8_t { first_seen, last_seen, bytes, packets };

struct flow_filter {
    std::optional<std::chrono::system_clock::time_point> from, to;  // both or neither: historical
    std::chrono::seconds live_window{300};
    std::string host;                      // an address (validated by the caller): client or server side
    std::optional<std::uint16_t> vlan;
    std::string app;                       // app_name, case-insensitive exact match
    std::optional<std::uint16_t> port;     // client or server port
    std::optional<std::uint8_t> protocol;  // IP protocol number
    std::optional<bool> blacklisted;       // either side listed / neither
    std::string ja3;                       // 32 lower-case hex digits (validated by the caller): JA3 or JA3S
    geo::country_code country;             // either side located in this country; empty: any
    std::optional<std::uint32_t> asn;      // either side in this AS (1..2^32-1)
    flow_sort sort{flow_sort::last_seen};
    bool descending{true};
    std::size_t limit{50};
    std::size_t offset{0};
};

struct flow_item {
    std::string probe_id;
    std::uint64_t flow_id{0};
    std::uint64_t first_seen_ns{0}, last_seen_ns{0};
    std::uint16_t vlan{0};
    std::uint8_t protocol{0};
    std::string client_ip, server_ip;
    std::uint16_t client_port{0}, server_port{0};
    std::uint64_t c2s_packets{0}, c2s_bytes{0}, s2c_packets{0}, s2c_bytes{0};
    std::string app_name, app_category, server_name;
    std::uint64_t flow_risk{0};
    std::string client_blacklist, server_blacklist;
    std::uint8_t end_reason{0};
    // DNS flows: dns_query_type != 0 (server_name is then the query).
    std::uint16_t dns_query_type{0};
    std::uint8_t dns_reply_code{0};
    std::string dns_answer;  // first address answered, or empty
    flow_health health;                    // stored records; active flows: the latest report's
    std::optional<flow_tunnel> tunnel;     // tunnelled flows only
    dpi_confidence confidence{dpi_confidence::unknown};
    std::optional<flow_tls> tls;           // TLS handshake details, when nDPI read some
    std::optional<flow_http> http;         // plain-HTTP details, likewise
    endpoint_geo client_geo, server_geo;   // geolocation when stored (or reported); empty: unknown
    // Active flows (issue 15): counters so far, from the probe's interim
    // reports, and the rate between its last two reports. Stored rows: false,
    // and throughput the record's average over its span.
    bool active{false};
    double throughput_bps{0};
};

struct flow_page {
    std::uint64_t total{0};  // matching records, counted up to count_cap
    std::vector<flow_item> items;
};

struct peer_total {
    std::string ip;
    std::uint64_t bytes{0};
    std::uint64_t flows{0};
};

// What a host's page shows of its stored flows: its top peers and its most
// recent flows over one window.
struct host_activity {
    std::vector<peer_total> top_peers;
    std::vector<flow_item> recent_flows;
};

struct app_total {
    std::string app;
    std::uint64_t bytes{0}, packets{0}, flows{0};
};

}  // namespace wireflow::collector
