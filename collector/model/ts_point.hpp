#pragma once
// One point of a time series as read back (collector/store/timeseries_store).

#include <cstdint>

namespace wireflow::collector {

struct ts_point {
    std::int64_t ts_s{0};  // bucket start, unix seconds (a multiple of step from the epoch)
    double value{0};
    friend bool operator==(const ts_point&, const ts_point&) = default;
};

// The most points one query returns.
inline constexpr std::int64_t ts_max_points = 10000;

}  // namespace wireflow::collector
