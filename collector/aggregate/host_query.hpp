#pragma once
// Top-N host queries: filter, order, page. Built for the REST layer with a
// million live hosts: one linear pass builds (sort key, slot) pairs for the
// matching hosts, then std::nth_element + std::partial_sort order only the
// requested page, O(hosts + limit log limit) instead of a full sort.
//
// Order is total and deterministic: by the sort key, ties by slot index
// (ascending, for both orders), so consecutive pages never overlap while the
// table is unchanged.

#include "host_table.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wireflow::collector::aggregate {

enum class host_sort { bytes, bytes_sent, bytes_rcvd, packets, flows, throughput, last_seen };
enum class sort_order { asc, desc };
enum class locality { any, local, remote };

struct host_query {
    host_sort by{host_sort::bytes};
    sort_order order{sort_order::desc};
    std::size_t offset{0};
    std::size_t limit{50};
    std::optional<pool_id> pool;   // no_pool (0) selects unassigned hosts
    locality where{locality::any};
    std::string q;                 // substring of the address text (any case) or of the host name (exact case); empty = all
    std::optional<std::uint16_t> vlan;
    geo::country_code country;     // hosts located in this country; empty = all
    std::uint32_t asn{0};          // hosts in this autonomous system; 0 = all
    std::uint64_t now_ns{0};       // for throughput; 0 = the table's record clock
};

struct host_page {
    std::size_t total{0};  // hosts matching the filters
    std::vector<host_view> items;
};

// Parses "bytes", "bytes_sent", "bytes_rcvd", "packets", "flows", "throughput", "last_seen".
[[nodiscard]] std::optional<host_sort> parse_host_sort(std::string_view s) noexcept;

[[nodiscard]] host_page query_hosts(const host_table& table, const host_query& query);

// The sort key of one host (throughput in milli-bytes per second).
[[nodiscard]] std::uint64_t host_sort_key(const host_entry& h, host_sort by, std::uint64_t now_ns) noexcept;

}  // namespace wireflow::collector::aggregate
