#pragma once
// Traffic by application, per host, in 48 bytes: the K largest applications
// seen (by bytes) in slots, every other byte folded into "Other".
//
// Folding policy: a new application takes a free slot; when the slots are
// full it replaces the smallest slot only if its own bytes already exceed
// that slot's (the displaced bytes go to "Other"), otherwise its bytes go to
// "Other". So the sum of slots plus "Other" always equals the host's bytes,
// and an application that dominates a host's traffic lands in a slot.
//
// Applications are small ids interned by app_names (one table per host table).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wireflow::collector::aggregate {

using app_id = std::uint16_t;

// Interns application names ("TLS.YouTube") into small ids. Id 0 is "Other":
// it is also what every name beyond the table's capacity maps to, so hostile
// or churning names cannot grow it without bound.
class app_names {
public:
    static constexpr app_id other = 0;
    static constexpr std::size_t capacity = 65535;

    app_names();
    [[nodiscard]] app_id intern(std::string_view name);
    [[nodiscard]] const std::string& name(app_id id) const noexcept { return names_[id < names_.size() ? id : 0]; }
    [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }

private:
    // Transparent: a record's name (a string_view) is looked up without
    // building a std::string per record.
    struct name_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    // The few names a link carries, remembered by a cheap hash of their
    // first and last 8 bytes and length (checked against the name itself, so
    // a collision, crafted or not, only falls back to ids_): the map's hash
    // of the whole string per record was 3 % of decode + aggregate.
    static constexpr std::size_t memo_slots = 256;
    [[nodiscard]] static std::size_t memo_slot(std::string_view name) noexcept;
    std::vector<std::string> names_;
    std::unordered_map<std::string, app_id, name_hash, std::equal_to<>> ids_;
    std::array<app_id, memo_slots> memo_{};  // 0: nothing remembered ("Other" never is)
};

class app_traffic {
public:
    static constexpr unsigned slots = 4;

    void add(app_id app, std::uint64_t bytes) noexcept;
    struct entry {
        app_id app;
        std::uint64_t bytes;
    };
    // Slots by bytes, largest first, then "Other" (app id 0) when non-zero.
    [[nodiscard]] std::vector<entry> entries() const;
    [[nodiscard]] std::uint64_t other_bytes() const noexcept { return other_; }

private:
    std::array<app_id, slots> ids_{};  // 0 = free slot
    std::array<std::uint64_t, slots> bytes_{};
    std::uint64_t other_{0};
};
static_assert(sizeof(app_traffic) == 48);

}  // namespace wireflow::collector::aggregate
