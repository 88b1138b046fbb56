#include "batch_marker.hpp"

#include "public_address.hpp"

#include <algorithm>
#include <bit>

namespace wireflow::collector::geo {

batch_marker::batch_marker(const geo_locator& locator, std::size_t slots, hash_key key)
    : locator_(&locator), slots_(locator.enabled() ? std::bit_ceil(std::max<std::size_t>(slots, 1)) : 0), key_(key) {}

endpoint_geo batch_marker::lookup(const net::ip_address& a) {
    if (slots_.empty() || !a.valid()) return {};
    slot& s = slots_[keyed_hash(&a, sizeof a, key_) & (slots_.size() - 1)];
    if (s.ip == a) {
        ++hits_;
        return s.geo;
    }
    ++misses_;
    const geo_info g = locator_->locate(a);
    s.ip = a;
    s.geo = endpoint_geo{g.country, g.asn};
    return s.geo;
}

void batch_marker::mark(flow_batch& b) {
    if (slots_.empty()) return;  // no database: every record stays unknown
    for (auto& r : b.records) {
        // Private and special addresses never reach the cache: local clients
        // outnumber remote servers and would evict them (measured with
        // decode_aggregate_bench).
        r.client_geo = lookup_address(r.client_ip) ? lookup(r.client_ip) : endpoint_geo{};
        r.server_geo = lookup_address(r.server_ip) ? lookup(r.server_ip) : endpoint_geo{};
    }
}

}  // namespace wireflow::collector::geo
