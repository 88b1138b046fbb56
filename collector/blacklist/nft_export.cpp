#include "blacklist/nft_export.hpp"

#include <algorithm>
#include <optional>
#include <vector>
#include <stdexcept>
#include <utility>

namespace wireflow::collector::blacklist {

namespace {

bool valid_identifier(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

// True when b is the address right after a.
bool adjacent(const net::ip_address& a, const net::ip_address& b) {
    net::ip_address next = a;
    for (int i = static_cast<int>(a.bit_width() / 8) - 1; i >= 0; --i) {
        if (++next.bytes[static_cast<std::size_t>(i)] != 0) return next == b;
    }
    return false;   // a was the last address
}

// a + 1 / a - 1; nothing past the end of the family's space.
std::optional<net::ip_address> step(net::ip_address a, bool up) {
    for (int i = static_cast<int>(a.bit_width() / 8) - 1; i >= 0; --i) {
        auto& b = a.bytes[static_cast<std::size_t>(i)];
        if (up ? b++ != 0xff : b-- != 0) return a;
    }
    return std::nullopt;
}

void write_set(std::string& out, const blacklist_set& set, net::ip_family family,
               std::span<const net::ip_prefix> spared, std::vector<net::ip_prefix>* cut) {
    const bool v4 = family == net::ip_family::v4;
    out += v4 ? "\tset blacklist_v4 {\n\t\ttype ipv4_addr\n" : "\tset blacklist_v6 {\n\t\ttype ipv6_addr\n";
    out += "\t\tflags interval\n\t\tauto-merge\n";
    std::string elements;
    // Ranges come disjoint and sorted; neighbours are joined before being cut
    // into prefixes so each covered block is written once.
    std::optional<std::pair<net::ip_address, net::ip_address>> pending;
    const auto emit = [&](const net::ip_address& first, const net::ip_address& last) {
        for (const auto& p : range_to_prefixes(first, last)) {
            elements += elements.empty() ? "\t\telements = {\n\t\t\t" : ",\n\t\t\t";
            elements += p.to_string();
        }
    };
    const auto flush = [&] {
        if (!pending) return;
        // The range minus the spared prefixes (sorted: first addresses ascending).
        std::optional<net::ip_address> lo = pending->first;
        const net::ip_address hi = pending->second;
        for (const auto& s : spared) {
            if (!lo || s.address.family != family) continue;
            const auto s_last = s.last();
            if (s_last < *lo || hi < s.address) continue;
            if (cut && (cut->empty() || cut->back() != s)) cut->push_back(s);
            if (*lo < s.address) emit(*lo, *step(s.address, false));
            lo = hi < s_last || hi == s_last ? std::nullopt : step(s_last, true);
        }
        if (lo) emit(*lo, hi);
        pending.reset();
    };
    set.prefixes().for_each_range(family, [&](const net::ip_address& first, const net::ip_address& last, std::uint32_t) {
        if (pending && adjacent(pending->second, first)) {
            pending->second = last;
            return;
        }
        flush();
        pending.emplace(first, last);
    });
    flush();
    if (!elements.empty()) out += elements + "\n\t\t}\n";
    out += "\t}\n";
}

}  // namespace

std::string to_nft_set(const blacklist_set& set, const nft_options& options, std::span<const net::ip_prefix> spared,
                       std::vector<net::ip_prefix>* cut) {
    std::vector<net::ip_prefix> sorted(spared.begin(), spared.end());
    std::sort(sorted.begin(), sorted.end());
    if (!valid_identifier(options.table)) throw std::invalid_argument("nft: invalid table name " + options.table);
    const std::string table = "inet " + options.table;
    std::string out;
    out += "#!/usr/sbin/nft -f\n";
    out += "# wireflow blacklist, version " + std::to_string(set.version()) + ". Generated: edits are overwritten.\n";
    // Declaring then deleting makes the file load whether or not the table
    // exists; the whole file is one transaction.
    out += "table " + table + "\ndelete table " + table + "\n\n";
    out += "table " + table + " {\n";
    write_set(out, set, net::ip_family::v4, sorted, cut);
    write_set(out, set, net::ip_family::v6, sorted, cut);
    if (cut) {
        std::sort(cut->begin(), cut->end());
        cut->erase(std::unique(cut->begin(), cut->end()), cut->end());
    }
    if (options.drop_rules) {
        const std::string prio = std::to_string(options.priority);
        const auto chain = [&](const char* name, bool from, bool to) {
            out += std::string("\tchain ") + name + " {\n\t\ttype filter hook " + name + " priority " + prio +
                   "; policy accept;\n";
            if (from) out += "\t\tip saddr @blacklist_v4 counter drop\n\t\tip6 saddr @blacklist_v6 counter drop\n";
            if (to) out += "\t\tip daddr @blacklist_v4 counter drop\n\t\tip6 daddr @blacklist_v6 counter drop\n";
            out += "\t}\n";
        };
        chain("input", true, false);
        chain("forward", true, true);
        chain("output", false, true);
    }
    out += "}\n";
    return out;
}

}  // namespace wireflow::collector::blacklist
