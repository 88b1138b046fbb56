#pragma once
// Host names learnt from DNS answers seen on the wire (issue 14): the query
// name of a DNS flow names the address the resolver answered with, never the
// resolver (which would otherwise be named after whatever it was last asked).
//
// Keyed by (address, VLAN) like the host table, but independent of a host's
// life: an answer usually comes before the first flow to the address, and a
// purged host that comes back keeps its name.
//
// Bounded: two generations of at most capacity/2 names each; when the
// current one is full it becomes the previous one and the oldest generation
// is dropped. A name refreshed by a new answer moves to the current
// generation, so names of addresses still resolved stay; O(1) per answer.
// Addresses come from traffic: the maps hash with the keyed hash.
//
// Not thread-safe: the host table owns it.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hash.hpp"
#include "host_key.hpp"

namespace wireflow::collector::aggregate {

class answer_names {
public:
    explicit answer_names(std::size_t capacity = 100'000, hash_key key = process_hash_key());

    // `name` (bounded, valid UTF-8: ingest checks) now names `address`.
    void put(const host_key& address, std::string_view name);
    // The name last answered for `address`, or empty.
    [[nodiscard]] std::string_view find(const host_key& address) const noexcept;

    [[nodiscard]] std::size_t size() const noexcept { return current_.size() + previous_.size(); }
    [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
    struct key_hasher {
        hash_key k;
        std::size_t operator()(const host_key& x) const noexcept { return keyed_hash(&x, sizeof x, k); }
    };
    using map = std::unordered_map<host_key, std::string, key_hasher>;

    std::size_t half_;
    hash_key key_;
    map current_, previous_;
};

}  // namespace wireflow::collector::aggregate
