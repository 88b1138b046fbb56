#pragma once
// An immutable longest-prefix-match set of IPv4 and IPv6 prefixes, each with a
// small value. Built once from a prefix list (build again to change it), then
// read by any number of threads without synchronisation.
//
// Layout after DXR (Zec, Rizzo, Mikuc, "DXR: towards a billion routing lookups
// per second in software", SIGCOMM CCR 2012): the nested prefixes are flattened
// into sorted, disjoint address ranges, each carrying the value of its longest
// covering prefix; a direct table indexed by the top bits of the address points
// at the few ranges that can hold it, and a short binary search finishes. One
// million IPv4 prefixes take about 8 bytes per range plus a 4 MiB index, where a
// DIR-24-8 table would need 64 MiB before the first /25.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "blacklist/ip_key.hpp"
#include "net/ip_prefix.hpp"

namespace wireflow::collector::blacklist {

namespace detail {

template <class Key>
class range_table {
public:
    static constexpr std::uint32_t no_value = 0xFFFFFFFFu;

    struct range {
        Key first;              // the range runs to the next range's first - 1
        std::uint32_t value;    // no_value: no prefix covers it
    };

    // `ranges` sorted by first, ranges[0].first == 0, neighbours differ in value.
    explicit range_table(std::vector<range> ranges);
    range_table() : range_table(std::vector<range>{{Key{0}, no_value}}) {}

    [[nodiscard]] std::uint32_t lookup(Key key) const noexcept {
        if (key < base_) return ranges_[0].value;
        const Key offset = static_cast<Key>((key - base_) >> shift_);
        const std::size_t bucket = offset < last_bucket_ ? static_cast<std::size_t>(offset) : last_bucket_;
        const range* lo = ranges_.data() + index_[bucket];
        const range* hi = ranges_.data() + index_[bucket + 1];
        // Every range before lo starts below this bucket, so lo - 1 is valid
        // (index entries are >= 1) and covers the bucket's first addresses.
        const range* it = std::upper_bound(lo, hi, key, [](Key k, const range& r) { return k < r.first; });
        return (it - 1)->value;
    }

    [[nodiscard]] std::span<const range> ranges() const noexcept { return ranges_; }
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return ranges_.capacity() * sizeof(range) + index_.capacity() * sizeof(std::uint32_t);
    }

private:
    std::vector<range> ranges_;
    std::vector<std::uint32_t> index_;
    Key base_{0};
    unsigned shift_{0};
    std::size_t last_bucket_{0};
};

}  // namespace detail

class prefix_set {
public:
    struct entry {
        net::ip_prefix prefix;
        std::uint32_t value;   // any value but 0xFFFFFFFF
    };

    prefix_set() = default;

    // When the same prefix appears more than once, the last entry wins.
    // Throws std::invalid_argument for the reserved value (setup only).
    [[nodiscard]] static prefix_set build(std::vector<entry> entries);

    [[nodiscard]] std::optional<std::uint32_t> lookup_v4(std::uint32_t host_order) const noexcept {
        return wrap(v4_.lookup(host_order));
    }
    [[nodiscard]] std::optional<std::uint32_t> lookup_v6(const std::uint8_t* network_order16) const noexcept {
        return wrap(v6_.lookup(detail::v6_key(network_order16)));
    }
    [[nodiscard]] std::optional<std::uint32_t> lookup(const net::ip_address& address) const noexcept {
        return address.family == net::ip_family::v4 ? lookup_v4(address.v4_host_order())
                                               : lookup_v6(address.bytes.data());
    }

    // Visits the disjoint covered ranges of one family in address order,
    // merging neighbours that carry the same value.
    void for_each_range(net::ip_family family,
                        const std::function<void(const net::ip_address& first, const net::ip_address& last,
                                                 std::uint32_t value)>& visit) const;

    [[nodiscard]] std::size_t prefix_count() const noexcept { return prefix_count_; }
    [[nodiscard]] std::size_t range_count() const noexcept { return v4_.ranges().size() + v6_.ranges().size(); }
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return v4_.memory_bytes() + v6_.memory_bytes(); }

private:
    static std::optional<std::uint32_t> wrap(std::uint32_t v) noexcept {
        if (v == detail::range_table<std::uint32_t>::no_value) return std::nullopt;
        return v;
    }

    detail::range_table<std::uint32_t> v4_;
    detail::range_table<detail::u128> v6_;
    std::size_t prefix_count_{0};
};

}  // namespace wireflow::collector::blacklist
