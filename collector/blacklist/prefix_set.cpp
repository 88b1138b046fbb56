#include "blacklist/prefix_set.hpp"

#include <bit>
#include <stdexcept>

namespace wireflow::collector::blacklist {

namespace detail {

template <class Key>
range_table<Key>::range_table(std::vector<range> ranges) : ranges_(std::move(ranges)) {
    // Aim for about two ranges per bucket, with at most 2^20 buckets (4 MiB).
    const std::size_t n = ranges_.size();
    if (n > 1) base_ = ranges_[1].first;
    const Key span = n > 1 ? static_cast<Key>(ranges_.back().first - base_) : Key{0};
    unsigned span_bits = 0;
    for (Key s = span; s != 0; s >>= 1) ++span_bits;
    const unsigned index_bits = std::min(20u, static_cast<unsigned>(std::bit_width(n / 2 + 1)));
    shift_ = span_bits > index_bits ? span_bits - index_bits : 0;
    last_bucket_ = static_cast<std::size_t>(span >> shift_);
    index_.resize(last_bucket_ + 2);
    // index_[b] = first range (>= 1) whose bucket is >= b.
    std::size_t i = 1;
    for (std::size_t b = 0; b <= last_bucket_; ++b) {
        while (i < n && static_cast<std::size_t>(static_cast<Key>(ranges_[i].first - base_) >> shift_) < b) ++i;
        index_[b] = static_cast<std::uint32_t>(i);
    }
    index_[last_bucket_ + 1] = static_cast<std::uint32_t>(n);
}

template class range_table<std::uint32_t>;
template class range_table<u128>;

}  // namespace detail

namespace {

template <class Key>
struct span_entry {
    Key first;
    Key last;
    std::uint32_t value;
};

// Flattens nested prefixes (sorted by first address, then outer before inner)
// into disjoint ranges carrying the value of the innermost prefix. Aligned
// prefixes are either nested or disjoint, so a stack of open prefixes suffices.
template <class Key>
std::vector<typename detail::range_table<Key>::range> flatten(const std::vector<span_entry<Key>>& spans) {
    using table = detail::range_table<Key>;
    std::vector<typename table::range> out;
    const auto emit = [&out](Key at, std::uint32_t value) {
        if (!out.empty() && out.back().first == at) {
            out.back().value = value;
            if (out.size() >= 2 && out[out.size() - 2].value == value) out.pop_back();
        } else if (out.empty() || out.back().value != value) {
            out.push_back({at, value});
        }
    };
    std::vector<const span_entry<Key>*> open;
    const auto close_before = [&](Key first, bool all) {
        while (!open.empty() && (all || open.back()->last < first)) {
            const Key end = open.back()->last;
            open.pop_back();
            if (end == static_cast<Key>(~Key{0})) continue;
            emit(static_cast<Key>(end + 1), open.empty() ? table::no_value : open.back()->value);
        }
    };
    emit(Key{0}, table::no_value);
    for (const auto& s : spans) {
        close_before(s.first, false);
        emit(s.first, s.value);
        open.push_back(&s);
    }
    close_before(Key{0}, true);
    return out;
}

template <class Key, class ToKey>
detail::range_table<Key> build_family(std::vector<prefix_set::entry>& entries, net::ip_family family, ToKey to_key) {
    std::vector<span_entry<Key>> spans;
    for (const auto& e : entries) {
        if (e.prefix.address.family != family) continue;
        const net::ip_prefix p = net::ip_prefix::of(e.prefix.address, e.prefix.length);
        spans.push_back({to_key(p.address), to_key(p.last()), e.value});
    }
    // Outer prefixes first; among equal prefixes keep the order given, then
    // drop all but the last.
    std::stable_sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.last > b.last;
    });
    std::vector<span_entry<Key>> unique;
    unique.reserve(spans.size());
    for (const auto& s : spans) {
        if (!unique.empty() && unique.back().first == s.first && unique.back().last == s.last) {
            unique.back().value = s.value;
        } else {
            unique.push_back(s);
        }
    }
    return detail::range_table<Key>(flatten(unique));
}

}  // namespace

prefix_set prefix_set::build(std::vector<entry> entries) {
    for (const auto& e : entries) {
        if (e.value == detail::range_table<std::uint32_t>::no_value) {
            throw std::invalid_argument("prefix_set: value 0xFFFFFFFF is reserved");
        }
    }
    prefix_set s;
    s.prefix_count_ = entries.size();
    s.v4_ = build_family<std::uint32_t>(entries, net::ip_family::v4, [](const net::ip_address& a) { return a.v4_host_order(); });
    s.v6_ = build_family<detail::u128>(entries, net::ip_family::v6,
                                       [](const net::ip_address& a) { return detail::v6_key(a.bytes.data()); });
    return s;
}

namespace {

template <class Key, class ToAddress>
void visit_ranges(const detail::range_table<Key>& t, ToAddress to_address,
                  const std::function<void(const net::ip_address&, const net::ip_address&, std::uint32_t)>& visit) {
    const auto r = t.ranges();
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (r[i].value == detail::range_table<Key>::no_value) continue;
        const Key last = i + 1 < r.size() ? static_cast<Key>(r[i + 1].first - 1) : static_cast<Key>(~Key{0});
        visit(to_address(r[i].first), to_address(last), r[i].value);
    }
}

}  // namespace

void prefix_set::for_each_range(
    net::ip_family family,
    const std::function<void(const net::ip_address&, const net::ip_address&, std::uint32_t)>& visit) const {
    if (family == net::ip_family::v4) {
        visit_ranges(v4_, [](std::uint32_t k) { return net::ip_address::v4(k); }, visit);
    } else {
        visit_ranges(v6_, [](detail::u128 k) { return detail::v6_address(k); }, visit);
    }
}

}  // namespace wireflow::collector::blacklist
