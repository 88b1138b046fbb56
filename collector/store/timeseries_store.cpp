#include "timeseries_store.hpp"

#include "pg_array.hpp"

#include <map>
#include <stdexcept>
#include <tuple>

namespace wireflow::collector {

ts_aggregation default_aggregation(std::string_view metric) noexcept {
    for (const std::string_view amount : {"bytes", "packets", "flows", "drops"}) {
        if (metric.starts_with(amount)) return ts_aggregation::sum;
        if (metric.size() > amount.size() && metric.ends_with(amount) &&
            metric[metric.size() - amount.size() - 1] == '_')
            return ts_aggregation::sum;
    }
    return ts_aggregation::avg;
}

void timeseries_store::write(std::span<const ts_sample> samples) {
    if (samples.empty()) return;
    // ON CONFLICT DO UPDATE may not touch one row twice in a statement: merge first.
    std::map<std::tuple<std::string_view, std::string_view, std::string_view, std::int64_t>, double> merged;
    for (const auto& s : samples) {
        if (s.minute_s % 60 != 0) throw std::invalid_argument("timeseries: sample time not on a minute");
        merged[{s.metric, s.scope, s.scope_id, s.minute_s}] += s.value;
    }
    pg::array_builder metric, scope, id, ts, value;
    for (const auto& [k, v] : merged) {
        metric.add_text(std::get<0>(k));
        scope.add_text(std::get<1>(k));
        id.add_text(std::get<2>(k));
        ts.add_int(std::get<3>(k));
        value.add_double(v);
    }
    db_.run("write time series", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params0(
            "INSERT INTO timeseries AS t (metric, scope, scope_id, ts, value)"
            " SELECT m, s, i, to_timestamp(ts), v"
            " FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[]) AS x(m, s, i, ts, v)"
            " ON CONFLICT (metric, scope, scope_id, ts) DO UPDATE SET value = t.value + EXCLUDED.value",
            metric.str(), scope.str(), id.str(), ts.str(), value.str());
        tx.commit();
    });
}

std::uint64_t timeseries_store::rollup_before(std::int64_t cutoff_s) {
    const std::int64_t hour = cutoff_s >= 0 ? cutoff_s / 3600 * 3600 : (cutoff_s - 3599) / 3600 * 3600;
    return db_.run("roll up time series", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params1(
            "WITH moved AS (DELETE FROM timeseries WHERE ts < to_timestamp($1) RETURNING *),"
            " merged AS ("
            "  INSERT INTO timeseries_hourly AS h (metric, scope, scope_id, ts, samples, sum_value, min_value, max_value)"
            "  SELECT metric, scope, scope_id, date_trunc('hour', ts), count(*), sum(value), min(value), max(value)"
            "  FROM moved GROUP BY 1, 2, 3, 4"
            "  ON CONFLICT (metric, scope, scope_id, ts) DO UPDATE SET"
            "   samples = h.samples + EXCLUDED.samples, sum_value = h.sum_value + EXCLUDED.sum_value,"
            "   min_value = least(h.min_value, EXCLUDED.min_value), max_value = greatest(h.max_value, EXCLUDED.max_value)"
            "  RETURNING 1)"
            " SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM merged)",
            hour);
        tx.commit();
        return static_cast<std::uint64_t>(r[0].as<long long>());
    });
}

std::vector<ts_point> timeseries_store::query(const std::string& metric, const std::string& scope,
                                              const std::string& scope_id, std::int64_t from_s, std::int64_t to_s,
                                              std::int64_t step_s, ts_aggregation agg) {
    if (step_s < 60) throw std::invalid_argument("step must be at least 60 seconds");
    step_s = step_s / 60 * 60;
    if (from_s > to_s) throw std::invalid_argument("from is after to");
    if ((to_s - from_s) / step_s > max_points)
        throw std::invalid_argument("more than " + std::to_string(max_points) + " points: use a larger step");
    return db_.run("query time series", [&](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        const auto r = tx.exec_params(
            "SELECT floor(extract(epoch FROM ts) / $6)::bigint * $6 AS b, sum(v), sum(n) FROM ("
            "  SELECT ts, value AS v, 1 AS n FROM timeseries"
            "  WHERE metric = $1 AND scope = $2 AND scope_id = $3 AND ts >= to_timestamp($4) AND ts < to_timestamp($5)"
            "  UNION ALL"
            "  SELECT ts, sum_value, samples FROM timeseries_hourly"
            "  WHERE metric = $1 AND scope = $2 AND scope_id = $3 AND ts >= to_timestamp($4) AND ts < to_timestamp($5)"
            ") x GROUP BY b ORDER BY b",
            metric, scope, scope_id, from_s, to_s, step_s);
        std::vector<ts_point> out;
        out.reserve(r.size());
        for (const auto& row : r) {
            const double sum = row[1].as<double>();
            const double n = row[2].as<double>();
            out.push_back({row[0].as<std::int64_t>(), agg == ts_aggregation::sum || n == 0 ? sum : sum / n});
        }
        return out;
    });
}

}  // namespace wireflow::collector
