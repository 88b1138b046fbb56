#pragma once
// One complete, immutable version of the union of all enabled blacklist
// sources: address -> the set of sources listing it (through any covering
// prefix, not only the longest). Built off the ingest path, then published
// whole by published_blacklist, so a reader never sees half a list.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/ip_prefix.hpp"
#include "blacklist/prefix_set.hpp"

namespace wireflow::collector::blacklist {

// Sources are numbered 0..63 so a match is one word, whatever the nesting.
inline constexpr std::size_t max_sources = 64;

struct blacklist_match {
    std::uint64_t sources{0};   // bit i: source i lists the address

    [[nodiscard]] explicit operator bool() const noexcept { return sources != 0; }
    [[nodiscard]] bool has(std::size_t source) const noexcept { return source < 64 && ((sources >> source) & 1u) != 0; }
    [[nodiscard]] int count() const noexcept { return std::popcount(sources); }
    friend bool operator==(const blacklist_match&, const blacklist_match&) = default;
};

struct source_label {
    std::string name;
    std::string category;
};

class blacklist_set {
public:
    struct source_list {
        std::size_t source;                  // index into the labels
        std::span<const net::ip_prefix> prefixes;
    };

    blacklist_set() = default;   // matches nothing

    // Throws std::invalid_argument for more than max_sources labels or a list
    // naming a source without a label (setup errors).
    [[nodiscard]] static std::shared_ptr<const blacklist_set> build(std::vector<source_label> labels,
                                                                   std::span<const source_list> lists,
                                                                   std::uint64_t version);

    [[nodiscard]] blacklist_match lookup(const net::ip_address& address) const noexcept {
        const auto id = prefixes_.lookup(address);
        return id ? blacklist_match{masks_[*id]} : blacklist_match{};
    }
    [[nodiscard]] blacklist_match lookup_v4(std::uint32_t host_order) const noexcept {
        const auto id = prefixes_.lookup_v4(host_order);
        return id ? blacklist_match{masks_[*id]} : blacklist_match{};
    }

    [[nodiscard]] const std::vector<source_label>& sources() const noexcept { return labels_; }
    // "name (category)" of each matching source, for alerts and the REST API.
    [[nodiscard]] std::vector<std::string> describe(blacklist_match match) const;

    // Covered ranges are those with a value; the value is internal.
    [[nodiscard]] const prefix_set& prefixes() const noexcept { return prefixes_; }
    [[nodiscard]] std::uint64_t version() const noexcept { return version_; }

private:
    prefix_set prefixes_;
    std::vector<std::uint64_t> masks_;   // prefix_set value -> source bits
    std::vector<source_label> labels_;
    std::uint64_t version_{0};
};

}  // namespace wireflow::collector::blacklist
