#include "blacklist/blacklist_set.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

namespace wireflow::collector::blacklist {

std::shared_ptr<const blacklist_set> blacklist_set::build(std::vector<source_label> labels,
                                                         std::span<const source_list> lists,
                                                         std::uint64_t version) {
    if (labels.size() > max_sources) throw std::invalid_argument("blacklist: more than 64 sources");
    struct tagged {
        net::ip_prefix prefix;
        std::uint64_t mask;
    };
    std::vector<tagged> all;
    for (const auto& list : lists) {
        if (list.source >= labels.size()) throw std::invalid_argument("blacklist: list for an unknown source");
        for (const auto& p : list.prefixes) all.push_back({net::ip_prefix::of(p.address, p.length), std::uint64_t{1} << list.source});
    }
    // Address order with outer prefixes first; the same prefix from several
    // sources becomes one entry with all their bits.
    std::sort(all.begin(), all.end(), [](const tagged& a, const tagged& b) { return a.prefix < b.prefix; });
    std::vector<tagged> unique;
    unique.reserve(all.size());
    for (const auto& t : all) {
        if (!unique.empty() && unique.back().prefix == t.prefix) {
            unique.back().mask |= t.mask;
        } else {
            unique.push_back(t);
        }
    }
    // An address inside 10.1.0.0/16 (source A) inside 10.0.0.0/8 (source B) is
    // listed by both: give each prefix the bits of every prefix enclosing it.
    std::vector<const tagged*> open;
    for (auto& t : unique) {
        while (!open.empty() && !open.back()->prefix.contains(t.prefix.address)) open.pop_back();
        if (!open.empty()) t.mask |= open.back()->mask;
        open.push_back(&t);
    }

    auto set = std::make_shared<blacklist_set>();
    std::unordered_map<std::uint64_t, std::uint32_t> ids;
    std::vector<prefix_set::entry> entries;
    entries.reserve(unique.size());
    for (const auto& t : unique) {
        const auto [it, inserted] = ids.try_emplace(t.mask, static_cast<std::uint32_t>(set->masks_.size()));
        if (inserted) set->masks_.push_back(t.mask);
        entries.push_back({t.prefix, it->second});
    }
    set->prefixes_ = prefix_set::build(std::move(entries));
    set->labels_ = std::move(labels);
    set->version_ = version;
    return set;
}

std::vector<std::string> blacklist_set::describe(blacklist_match match) const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < labels_.size(); ++i) {
        if (match.has(i)) out.push_back(labels_[i].name + " (" + labels_[i].category + ")");
    }
    return out;
}

}  // namespace wireflow::collector::blacklist
