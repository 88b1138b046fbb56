#pragma once
// Instants travel between the collector and PostgreSQL as integer
// microseconds since the epoch (timestamptz's resolution), never as text in a
// session time zone: `to_timestamp($1 / 1e6)` one way,
// `(extract(epoch FROM col) * 1000000)::bigint` the other.

#include <pqxx/pqxx>

#include <chrono>
#include <cstdint>
#include <optional>

namespace wireflow::collector::pg_time {

using clock = std::chrono::system_clock;

inline std::int64_t to_us(clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

inline clock::time_point from_us(std::int64_t us) {
    return clock::time_point(std::chrono::duration_cast<clock::duration>(std::chrono::microseconds(us)));
}

inline std::optional<clock::time_point> opt_time(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return from_us(f.as<std::int64_t>());
}

}  // namespace wireflow::collector::pg_time
