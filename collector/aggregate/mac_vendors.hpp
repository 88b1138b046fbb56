#pragma once
// Who made a device, from its MAC address: the IEEE registration authority's
// public listings as Debian's ieee-data ships them (/usr/share/ieee-data:
// oui.csv for MA-L, 24-bit prefixes; mam.csv for MA-M, 28 bits; oui36.csv
// for MA-S, 36 bits), longest prefix first. Loaded once at start (a few MB,
// ~42,000 names); lookups never allocate. Nothing here is packet-derived:
// the names come from a file the operator's package manager installed.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/mac_address.hpp"

namespace wireflow::collector::aggregate {

class mac_vendors {
public:
    // The registries in `dir` (the files that exist; none: an empty table,
    // every vendor unknown). An empty path is an empty table.
    [[nodiscard]] static mac_vendors load(const std::filesystem::path& dir);

    // Adds the records of one IEEE CSV text ("Registry,Assignment,
    // Organization Name,Organization Address", quoted fields, addresses that
    // run over several lines). Lines that are no record are skipped; returns
    // how many records were added.
    std::size_t add_csv(std::string_view text);

    // The organisation that registered the longest prefix of `mac`; "" when
    // none did, and always for a locally administered address (RFC 7042
    // 2.1: the U/L bit; randomised phone MACs) or a group address.
    [[nodiscard]] std::string_view vendor(const net::mac_address& mac) const noexcept;

    // The U/L bit of the first octet: not assigned by the IEEE.
    [[nodiscard]] static bool locally_administered(const net::mac_address& mac) noexcept {
        return (mac.bytes[0] & 0x02) != 0;
    }

    [[nodiscard]] std::size_t size() const noexcept { return prefixes_.size(); }

private:
    // (bits << 48 | prefix left-aligned in 48 bits) -> index into names_.
    std::unordered_map<std::uint64_t, std::uint32_t> prefixes_;
    std::vector<std::string> names_;
};

}  // namespace wireflow::collector::aggregate
