#pragma once
// Naming and bounds of the daily partitions of `flows` (UTC days), as pure
// functions: the SQL that uses them is in partitions.cpp.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wireflow::collector::partitions {

// Days since 1970-01-01 (UTC) of the day containing t (floor, also before 1970).
[[nodiscard]] std::int64_t day_of(std::chrono::system_clock::time_point t) noexcept;

// "flows_p20240131" for that day.
[[nodiscard]] std::string name_of(std::int64_t day);

// The day a partition name stands for, or nothing when it is not a daily
// partition name (e.g. "flows_default").
[[nodiscard]] std::optional<std::int64_t> day_of_name(std::string_view name) noexcept;

// "2024-01-31 00:00:00+00": the start of the day as a timestamptz literal.
[[nodiscard]] std::string start_literal(std::int64_t day);

}  // namespace wireflow::collector::partitions
