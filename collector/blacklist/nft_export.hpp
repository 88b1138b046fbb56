#pragma once
// The blacklist as an nftables ruleset for `nft -f`: table inet wireflow with
// interval sets blacklist_v4 / blacklist_v6 holding the union of all sources
// (merged, as CIDR prefixes), and optionally rules dropping traffic from and
// to them. The file replaces the whole table atomically: nft applies a file
// as one transaction.

#include <span>
#include <string>
#include <vector>

#include "blacklist/blacklist_set.hpp"

namespace wireflow::collector::blacklist {

struct nft_options {
    std::string table{"wireflow"};   // [A-Za-z_][A-Za-z0-9_]*, else std::invalid_argument
    bool drop_rules{true};           // input/forward/output chains using the sets
    int priority{-10};               // before the default filter chains (priority 0)
};

// Generated text, e.g.
//   table inet wireflow
//   delete table inet wireflow
//   table inet wireflow {
//     set blacklist_v4 { type ipv4_addr; flags interval; auto-merge; elements = { 192.0.2.0/24, ... } }
//     set blacklist_v6 { type ipv6_addr; flags interval; auto-merge; ... }
//     chain input { type filter hook input priority -10; policy accept;
//                   ip saddr @blacklist_v4 counter drop; ip6 saddr @blacklist_v6 counter drop }
//     chain forward { ... saddr and daddr ... }
//     chain output { ... daddr ... }
//   }
//
// `spared`: prefixes cut out of the sets whatever the lists say (issue 13,
// finding 7): the collector's own addresses, loopback, its database, its
// probes and its dashboard clients are never dropped. `cut`, when given,
// receives the spared prefixes that did overlap a listed range.
[[nodiscard]] std::string to_nft_set(const blacklist_set& set, const nft_options& options = {},
                                     std::span<const net::ip_prefix> spared = {},
                                     std::vector<net::ip_prefix>* cut = nullptr);

}  // namespace wireflow::collector::blacklist
