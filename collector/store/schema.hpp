#pragma once
// The schema as an ordered list of migrations (internal to collector/store).
// A migration is never edited once released: changes are new versions.

#include <span>
#include <string_view>

namespace wireflow::collector::schema {

struct migration {
    int version;
    std::string_view description;
    std::string_view sql;
};

// Versions ascending from 1, without gaps.
[[nodiscard]] std::span<const migration> migrations() noexcept;

// pg_advisory_xact_lock key that serializes schema changes (migrations and
// partition maintenance) between collectors started at the same time.
inline constexpr long long advisory_lock_key = 0x77666c6f77L;  // "wflow"

}  // namespace wireflow::collector::schema
