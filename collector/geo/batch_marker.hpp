#pragma once
// The geolocation stage of a batch: sets each record's client_geo and
// server_geo (country, AS number) before the batch is stored, and likewise
// for the probes' interim reports (active flows).
//
// Per record it costs a cache probe, not a database lookup: a direct-mapped
// cache of recent addresses (keyed hash, common/hash.hpp: addresses come
// from traffic and a sender must not pick the slots they collide in).
// Addresses repeat heavily (a tenth of the hosts make half of the flows),
// and the databases do not change while the collector runs, so an entry
// never goes stale. Private and special-purpose addresses skip it
// (public_address.hpp): they are never located.
//
// Not thread-safe: one marker per thread that marks (the database thread,
// the ingest thread); the locator behind them is shared.

#include "geo_locator.hpp"
#include "hash.hpp"
#include "model/flow_batch.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wireflow::collector::geo {

class batch_marker {
public:
    static constexpr std::size_t default_slots = 16384;  // x 28 bytes: 448 KiB per marking thread

    // `locator` must outlive the marker. `slots` is rounded up to a power of two.
    explicit batch_marker(const geo_locator& locator, std::size_t slots = default_slots,
                          hash_key key = process_hash_key());

    void mark(flow_batch& b);
    [[nodiscard]] endpoint_geo lookup(const net::ip_address& a);

    [[nodiscard]] std::uint64_t hits() const noexcept { return hits_; }
    [[nodiscard]] std::uint64_t misses() const noexcept { return misses_; }

private:
    struct slot {
        net::ip_address ip;  // family none: empty
        endpoint_geo geo;
    };
    static constexpr std::size_t no_slot = ~std::size_t{0};
    // The slot of a public address, no_slot for one never located.
    [[nodiscard]] std::size_t slot_of(const net::ip_address& a) const noexcept;
    [[nodiscard]] endpoint_geo lookup_in(std::size_t index, const net::ip_address& a);
    const geo_locator* locator_;
    std::vector<slot> slots_;
    hash_key key_;
    std::uint64_t hits_{0}, misses_{0};
};

}  // namespace wireflow::collector::geo
