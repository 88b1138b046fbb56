#pragma once
// Time series in PostgreSQL at 1-minute resolution (table timeseries) with an
// hourly roll-up for older data (timeseries_hourly).
//
// A series is (metric, scope, scope_id): e.g. ("bytes", "probe", "probe-1"),
// ("bytes_sent", "host", "10.0.0.1@0"), ("bytes", "pool", "3"),
// ("bytes", "app", "TLS"). Values are per-minute amounts (bytes in that
// minute), so writing the same minute twice adds up (a collector restart
// inside a minute loses nothing).

#include "model/ts_point.hpp"
#include "db_pool.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace wireflow::collector {

struct ts_sample {
    std::string metric;
    std::string scope;
    std::string scope_id;
    std::int64_t minute_s{0};  // unix seconds, a multiple of 60
    double value{0};
};

// How a bucket of several minutes becomes one value: amounts (bytes,
// packets, flows, drops) add up; levels (e.g. hosts, active_flows) average.
enum class ts_aggregation : std::uint8_t { sum, avg };
// sum for metrics named bytes*, packets*, flows*, drops*, *_bytes, *_packets,
// *_flows, *_drops; avg otherwise.
[[nodiscard]] ts_aggregation default_aggregation(std::string_view metric) noexcept;

class timeseries_store {
public:
    explicit timeseries_store(db_pool& db) : db_(db) {}

    // One multi-row statement (arrays + unnest) in one transaction; samples
    // of the same (metric, scope, scope_id, minute) are added together first.
    // Throws store_error.
    void write(std::span<const ts_sample> samples);

    // Moves minutes of whole hours older than cutoff_s into timeseries_hourly
    // (count, sum, min, max per hour; merged with an existing hour row) and
    // deletes them from timeseries, in one transaction. Returns the minute
    // rows moved. Throws store_error.
    std::uint64_t rollup_before(std::int64_t cutoff_s);

    // Points of one series in [from_s, to_s), buckets of `step_s` seconds
    // (>= 60; rounded down to a multiple of 60) aligned on the epoch; minute
    // and hourly rows both count (an hourly row falls in the bucket of its
    // hour start). avg divides the bucket's sum by the minutes present.
    // Buckets without data are absent. At most 10000 points: a larger range
    // or a smaller step throws std::invalid_argument, as does from > to.
    [[nodiscard]] std::vector<ts_point> query(const std::string& metric, const std::string& scope,
                                              const std::string& scope_id, std::int64_t from_s, std::int64_t to_s,
                                              std::int64_t step_s, ts_aggregation agg);
    [[nodiscard]] std::vector<ts_point> query(const std::string& metric, const std::string& scope,
                                              const std::string& scope_id, std::int64_t from_s, std::int64_t to_s,
                                              std::int64_t step_s) {
        return query(metric, scope, scope_id, from_s, to_s, step_s, default_aggregation(metric));
    }

    static constexpr std::int64_t max_points = ts_max_points;

private:
    db_pool& db_;
};

}  // namespace wireflow::collector
