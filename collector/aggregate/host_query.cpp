#include "host_query.hpp"

#include <algorithm>
#include <cmath>

namespace wireflow::collector::aggregate {

std::optional<host_sort> parse_host_sort(std::string_view s) noexcept {
    if (s == "bytes") return host_sort::bytes;
    if (s == "bytes_sent") return host_sort::bytes_sent;
    if (s == "bytes_rcvd") return host_sort::bytes_rcvd;
    if (s == "packets") return host_sort::packets;
    if (s == "flows") return host_sort::flows;
    if (s == "throughput") return host_sort::throughput;
    if (s == "last_seen") return host_sort::last_seen;
    return std::nullopt;
}

std::uint64_t host_sort_key(const host_entry& h, host_sort by, std::uint64_t now_ns) noexcept {
    switch (by) {
        case host_sort::bytes: return h.bytes();
        case host_sort::bytes_sent: return h.bytes_sent;
        case host_sort::bytes_rcvd: return h.bytes_rcvd;
        case host_sort::packets: return h.packets();
        case host_sort::flows: return h.flows();
        case host_sort::throughput: return static_cast<std::uint64_t>(std::llround(h.throughput(now_ns) * 1000.0));
        case host_sort::last_seen: return h.last_seen_ns;
    }
    return 0;
}

namespace {
struct ranked {
    std::uint64_t key;  // already inverted for descending order
    std::uint32_t slot;
    friend bool operator<(const ranked& a, const ranked& b) noexcept {
        return a.key != b.key ? a.key < b.key : a.slot < b.slot;
    }
};
}  // namespace

host_page query_hosts(const host_table& table, const host_query& query) {
    const std::uint64_t now = query.now_ns != 0 ? query.now_ns : table.clock_ns();
    const auto slots = table.slots();
    const bool desc = query.order == sort_order::desc;
    const bool search = !query.q.empty();
    // Addresses as text are at most 45 bytes: a longer needle can only match names.
    const bool search_address = search && query.q.size() <= 45;
    // Address text is lower case (inet_ntop); fold the needle for it only.
    std::string needle = query.q;
    for (auto& ch : needle)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');

    std::vector<ranked> keys;
    keys.reserve(table.size());
    char text[46];
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const host_entry& h = slots[i];
        if (!h.live()) continue;
        if (query.pool && h.pool != *query.pool) continue;
        if (query.where == locality::local && !h.local()) continue;
        if (query.where == locality::remote && h.local()) continue;
        if (query.vlan && h.key.vlan != *query.vlan) continue;
        if (!query.country.empty() && h.country != query.country) continue;
        if (query.asn != 0 && h.asn != query.asn) continue;
        if (search) {
            bool hit = false;
            if (search_address) {
                const std::size_t n = h.key.ip.format(text);
                hit = std::string_view(text, n).find(needle) != std::string_view::npos;
            }
            if (!hit) hit = table.name_of(static_cast<std::uint32_t>(i)).find(query.q) != std::string_view::npos;
            if (!hit) continue;
        }
        const std::uint64_t k = host_sort_key(h, query.by, now);
        keys.push_back({desc ? ~k : k, static_cast<std::uint32_t>(i)});
    }

    host_page page;
    page.total = keys.size();
    if (query.offset >= keys.size() || query.limit == 0) return page;
    const auto first = keys.begin() + static_cast<std::ptrdiff_t>(query.offset);
    const auto last = keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), query.offset + query.limit));
    if (query.offset != 0) std::nth_element(keys.begin(), first, keys.end());
    std::partial_sort(first, last, keys.end());
    page.items.reserve(static_cast<std::size_t>(last - first));
    for (auto it = first; it != last; ++it) page.items.push_back(table.view(it->slot, now));
    return page;
}

}  // namespace wireflow::collector::aggregate
