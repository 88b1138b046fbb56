#pragma once
// The collector's internal, protobuf-free flow batch. Ingest decodes
// wireflow.v1 messages into it (protobuf stays at the edge); the blacklist
// stage marks it; the store writes it; the aggregator and the alert checks
// read it. Addresses and MACs are binary values: text appears only at the
// edges (the store's COPY, the JSON views, alert text).
//
// It differs from the probe's flow_record (probe/flow), which is packed into
// a fixed-size, trivially copyable object for a DPDK ring with bounded char
// arrays; here names are std::string (they arrive as protobuf strings) and the
// record carries what only the collector knows (blacklist labels). Both share
// flow_counters (common/records).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/flow_dpi.hpp"
#include "model/flow_geo.hpp"
#include "model/flow_health.hpp"
#include "model/flow_tunnel.hpp"
#include "net/ip_address.hpp"
#include "net/mac_address.hpp"
#include "records/end_reason.hpp"
#include "records/flow_counters.hpp"

namespace wireflow::collector {

// Identity of a batch: a re-sent batch has the same identity and is stored once.
struct batch_id {
    std::string probe_id;
    std::uint64_t boot_id{0};
    std::uint64_t sequence{0};
    friend bool operator==(const batch_id&, const batch_id&) = default;
};

// Index into flow_batch::blacklist_labels; 0 is "not listed".
using blacklist_label = std::uint32_t;

struct flow_record : flow_counters {
    std::uint64_t flow_id{0};
    std::uint64_t flow_risk{0};               // nDPI risk bitmap
    net::ip_address client_ip;                // v4 or v6, both the same family
    net::ip_address server_ip;
    std::optional<net::mac_address> client_mac;  // absent when the link layer had none
    std::optional<net::mac_address> server_mac;
    std::uint16_t client_port{0};
    std::uint16_t server_port{0};
    std::uint16_t vlan{0};                    // 0..4095
    std::uint8_t protocol{0};
    std::uint8_t c2s_tcp_flags{0};
    std::uint8_t s2c_tcp_flags{0};
    end_reason reason{end_reason::unspecified};  // an unknown value from a newer probe is kept as is
    std::uint8_t payload_seen{0};             // FlowRecord.payload_seen bits (records/payload_seen.hpp); not stored
    std::uint32_t app_protocol{0};
    std::uint32_t master_protocol{0};
    std::string app_name;                     // bounded, valid UTF-8 (ingest checks)
    std::string app_category;
    std::string server_name;                  // packet-derived: bounded, valid UTF-8
    // DNS flows (dns_query_type != 0): server_name is the query name and
    // names dns_answer (the first A/AAAA answered), never the server.
    std::optional<net::ip_address> dns_answer;
    std::uint16_t dns_query_type{0};          // 0: not a DNS flow (or an older probe)
    std::uint8_t dns_reply_code{0};
    flow_health health;                       // TCP health, TTL ranges, DSCP; each part optional
    std::optional<flow_tunnel> tunnel;        // tunnelled flows only
    dpi_confidence confidence{dpi_confidence::unknown};  // how nDPI reached app_protocol
    std::optional<flow_tls> tls;              // a TLS/DTLS/QUIC handshake nDPI read
    std::optional<flow_http> http;            // a plain-HTTP exchange nDPI read
    std::optional<flow_name_claim> name_claim;  // a name service flow's claim: names claim->address
    // Set by the blacklist stage before storing.
    blacklist_label client_blacklist{0};
    blacklist_label server_blacklist{0};
    // Set by the geolocation stage before storing (and for active flows).
    endpoint_geo client_geo;
    endpoint_geo server_geo;

    // Field by field (tests, and the fast reader's equivalence check).
    friend bool operator==(const flow_record&, const flow_record&) = default;

    [[nodiscard]] std::uint8_t ip_version() const noexcept { return client_ip.is_v4() ? 4 : 6; }
    [[nodiscard]] bool is_dns() const noexcept { return dns_query_type != 0; }
    // nDPI 4.2's ids of DHCP and DHCPv6 (ndpi_protocol_ids.h; collector/alert
    // checks them against the header): their server_name is the client's
    // host name (option 12 / 39), which names the client, not the server.
    static constexpr std::uint32_t ndpi_dhcp = 18, ndpi_dhcpv6 = 103;
    [[nodiscard]] bool is_dhcp() const noexcept {
        return app_protocol == ndpi_dhcp || master_protocol == ndpi_dhcp || app_protocol == ndpi_dhcpv6 ||
               master_protocol == ndpi_dhcpv6;
    }
    // mDNS, NetBIOS and LLMNR: nDPI's server_name is whatever name a message
    // carried, a query's as well as an answer's, so it names no end of the
    // flow (the flow's name_claim says whom a name belongs to).
    static constexpr std::uint32_t ndpi_mdns = 8, ndpi_netbios = 10, ndpi_llmnr = 154;
    [[nodiscard]] bool is_name_service() const noexcept {
        for (const std::uint32_t id : {app_protocol, master_protocol})
            if (id == ndpi_mdns || id == ndpi_netbios || id == ndpi_llmnr) return true;
        return false;
    }
};

struct flow_batch {
    batch_id id;
    std::uint64_t send_time_ns{0};
    std::vector<flow_record> records;
    // What a record's blacklist label means: "name,name" of the sources that
    // listed the address when the batch was marked. Index 0 is "" (clean);
    // a batch has one entry per distinct combination, usually none or a few,
    // so a record carries two small indexes instead of two strings.
    std::vector<std::string> blacklist_labels;

    friend bool operator==(const flow_batch&, const flow_batch&) = default;

    [[nodiscard]] std::string_view blacklist_text(blacklist_label label) const noexcept {
        return label < blacklist_labels.size() ? std::string_view(blacklist_labels[label]) : std::string_view();
    }
    // The label for `text` (empty: 0), added when new. Off the common path:
    // only for listed addresses, and the marking caches it per source set.
    blacklist_label label_for(std::string_view text) {
        if (text.empty()) return 0;
        if (blacklist_labels.empty()) blacklist_labels.emplace_back();
        for (std::size_t i = 1; i < blacklist_labels.size(); ++i)
            if (blacklist_labels[i] == text) return static_cast<blacklist_label>(i);
        blacklist_labels.emplace_back(text);
        return static_cast<blacklist_label>(blacklist_labels.size() - 1);
    }
};

}  // namespace wireflow::collector
