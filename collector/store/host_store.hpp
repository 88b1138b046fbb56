#pragma once
// Host history in PostgreSQL (table hosts): the live host table forgets idle
// hosts, this keeps their totals. Written from the per-minute deltas of the
// aggregator (collector/app), so a host purged from memory and seen again
// keeps adding to the same row, and totals survive restarts.

#include "db_pool.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wireflow::collector {

// One host's increments since the previous write, plus what is known now.
struct host_update {
    std::string ip;     // inet text
    std::uint16_t vlan{0};
    std::string mac;    // "aa:bb:cc:dd:ee:ff" or empty (keeps the stored one)
    std::string name;   // packet-derived, bounded valid UTF-8; empty keeps the stored one
    bool local{false};
    std::uint64_t first_seen_ns{0}, last_seen_ns{0};
    std::uint64_t bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0};  // added
    // Flow counts are live totals (the deltas do not split client/server):
    // the row keeps the larger of stored and given.
    std::uint64_t flows_client{0}, flows_server{0};
};

struct stored_host {
    std::string ip;
    std::uint16_t vlan{0};
    std::string mac;  // empty when unknown
    std::string name;
    bool local{false};
    std::uint64_t first_seen_ns{0}, last_seen_ns{0};  // microsecond precision (timestamptz)
    std::uint64_t bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0};
    std::uint64_t flows_client{0}, flows_server{0};
};

class host_store {
public:
    explicit host_store(db_pool& db) : db_(db) {}

    // Upserts all rows in one statement and one transaction (arrays + unnest):
    // counters add up, first_seen keeps the earliest, last_seen the latest.
    // Rows must have distinct (ip, vlan). Throws store_error.
    void upsert(std::span<const host_update> rows);

    [[nodiscard]] std::optional<stored_host> find(const std::string& ip, std::uint16_t vlan);
    // Every row ordered by ip, vlan (tests, tools).
    [[nodiscard]] std::vector<stored_host> all();

private:
    db_pool& db_;
};

}  // namespace wireflow::collector
