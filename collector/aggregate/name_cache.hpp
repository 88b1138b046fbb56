#pragma once
// Names learnt from the wire that belong to something other than a flow's
// server (issue 14): the query name of a DNS flow names the address the
// resolver answered with, never the resolver (which would otherwise be named
// after whatever it was last asked); a DHCP client's host name (option 12)
// names the client's MAC, never the DHCP server, even before the client has
// an address of its own.
//
// Keyed by a plain value (host_key: address and VLAN; mac_address) and
// independent of a host's life: an answer usually comes before the first
// flow to the address, and a purged host that comes back keeps its name.
//
// Bounded: two generations of at most capacity/2 names each; when the
// current one is full it becomes the previous one and the oldest generation
// is dropped. A name refreshed moves to the current generation, so names
// still in use stay; O(1) per name. Keys come from traffic: the maps hash
// with the keyed hash.
//
// Not thread-safe: the host table owns them.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "hash.hpp"
#include "host_key.hpp"
#include "net/mac_address.hpp"

namespace wireflow::collector::aggregate {

template <class Key>
class name_cache {
    static_assert(std::has_unique_object_representations_v<Key>, "keys hash as bytes");

public:
    explicit name_cache(std::size_t capacity = 100'000, hash_key key = process_hash_key())
        : half_(std::max<std::size_t>(1, capacity / 2)), key_(key), current_(0, hasher{key}),
          previous_(0, hasher{key}) {}

    // `name` (bounded, valid UTF-8: ingest checks) now names `k`.
    void put(const Key& k, std::string_view name) {
        if (name.empty()) return;
        if (const auto it = current_.find(k); it != current_.end()) {
            if (it->second != name) it->second.assign(name);
            return;
        }
        if (current_.size() >= half_) {
            previous_ = std::move(current_);
            current_ = map(0, hasher{key_});
        }
        previous_.erase(k);  // refreshed: it lives in the current generation now
        current_.emplace(k, name);
    }

    // The name last put for `k`, or empty.
    [[nodiscard]] std::string_view find(const Key& k) const noexcept {
        if (const auto it = current_.find(k); it != current_.end()) return it->second;
        if (const auto it = previous_.find(k); it != previous_.end()) return it->second;
        return {};
    }

    [[nodiscard]] std::size_t size() const noexcept { return current_.size() + previous_.size(); }

    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        // One node (key, string, next pointer, cached hash) per name, heap
        // text beyond the small-string buffer, a bucket pointer per bucket.
        constexpr std::size_t node = sizeof(Key) + sizeof(std::string) + 2 * sizeof(void*);
        std::size_t bytes = (current_.bucket_count() + previous_.bucket_count()) * sizeof(void*);
        for (const map* m : {&current_, &previous_})
            for (const auto& [k, n] : *m) bytes += node + (n.size() > 15 ? n.capacity() : 0);
        return bytes;
    }

private:
    struct hasher {
        hash_key k;
        std::size_t operator()(const Key& x) const noexcept { return keyed_hash(&x, sizeof x, k); }
    };
    using map = std::unordered_map<Key, std::string, hasher>;

    std::size_t half_;
    hash_key key_;
    map current_, previous_;
};

// Names from DNS answers, by (address, VLAN).
using answer_names = name_cache<host_key>;
// DHCP clients' host names, by MAC.
using mac_names = name_cache<net::mac_address>;

}  // namespace wireflow::collector::aggregate
