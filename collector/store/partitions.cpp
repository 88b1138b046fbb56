// Daily partitions of `flows`: creation ahead of time and retention. Their
// segments are flow_segments.cpp's.
#include "partitions.hpp"

#include "flow_segments.hpp"
#include "pg_time.hpp"
#include "schema.hpp"
#include "store_impl.hpp"

#include <cstdio>

namespace wireflow::collector {
namespace partitions {

using namespace std::chrono;

std::int64_t day_of(system_clock::time_point t) noexcept {
    return floor<days>(t).time_since_epoch().count();
}

namespace {
year_month_day ymd_of(std::int64_t day) { return year_month_day{sys_days{days{day}}}; }
}  // namespace

std::string name_of(std::int64_t day) {
    const auto d = ymd_of(day);
    char buf[32];
    std::snprintf(buf, sizeof buf, "flows_p%04d%02u%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
}

std::optional<std::int64_t> day_of_name(std::string_view name) noexcept {
    constexpr std::string_view prefix = "flows_p";
    if (name.size() != prefix.size() + 8 || !name.starts_with(prefix)) return std::nullopt;
    int v[3] = {0, 0, 0};
    const int width[3] = {4, 2, 2};
    std::size_t pos = prefix.size();
    for (int f = 0; f < 3; ++f) {
        for (int k = 0; k < width[f]; ++k, ++pos) {
            const char ch = name[pos];
            if (ch < '0' || ch > '9') return std::nullopt;
            v[f] = v[f] * 10 + (ch - '0');
        }
    }
    const year_month_day d{year{v[0]}, month{static_cast<unsigned>(v[1])}, day{static_cast<unsigned>(v[2])}};
    if (!d.ok()) return std::nullopt;
    return sys_days{d}.time_since_epoch().count();
}

std::string start_literal(std::int64_t day) { return pg_time::instant_literal(day * 86'400'000'000LL); }

}  // namespace partitions

int store::ensure_partitions(std::chrono::system_clock::time_point now, int days_ahead) {
    return guarded(*impl_, "ensure partitions", [&] {
        auto& c = impl_->connection();
        const std::int64_t first = partitions::day_of(now);
        int created = 0;
        for (std::int64_t day = first; day <= first + days_ahead; ++day) {
            const std::string name = partitions::name_of(day);
            pqxx::work tx{c};
            tx.exec_params("SELECT pg_advisory_xact_lock($1)", schema::advisory_lock_key);
            if (!tx.exec_params1("SELECT to_regclass($1) IS NULL", name)[0].as<bool>()) {
                tx.commit();
                continue;
            }
            const std::string from = partitions::start_literal(day);
            const std::string to = partitions::start_literal(day + 1);
            const std::string table = tx.quote_name(name);
            // DDL takes no parameters: the name and bounds are formatted from
            // integers above and quoted. The day is split by ingested_at into
            // segments (flow_segments.hpp, opened by the collector as the day
            // is written); its default partition takes the rows no segment
            // covers (late records, a stalled collector) and keeps its host
            // b-trees row by row. Records of that day that went to the
            // default partition of flows are moved first, or ATTACH would refuse.
            const std::string late = tx.quote_name(name + "_late");
            tx.exec0("CREATE TABLE " + table +
                     " (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (ingested_at)");
            tx.exec0("CREATE TABLE " + late + " PARTITION OF " + table + " DEFAULT");
            for (const auto& i : flow_segments::sealed_indexes)
                tx.exec0("CREATE INDEX " + tx.quote_name(name + "_late" + std::string(i.suffix)) + " ON " + late +
                         std::string(i.definition));
            tx.exec_params0("WITH moved AS (DELETE FROM flows_default WHERE first_seen >= $1::timestamptz"
                            " AND first_seen < $2::timestamptz RETURNING *) INSERT INTO " + table +
                                " SELECT * FROM moved",
                            from, to);
            tx.exec0("ALTER TABLE flows ATTACH PARTITION " + table + " FOR VALUES FROM (" + tx.quote(from) +
                     ") TO (" + tx.quote(to) + ")");
            tx.commit();
            ++created;
        }
        return created;
    });
}

int store::drop_partitions_before(std::chrono::system_clock::time_point cutoff) {
    return guarded(*impl_, "drop partitions", [&] {
        auto& c = impl_->connection();
        const std::int64_t cutoff_day = partitions::day_of(cutoff);
        int dropped = 0;
        pqxx::work tx{c};
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", schema::advisory_lock_key);
        const auto names = tx.exec(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'flows'::regclass");
        for (const auto& n : names) {
            const auto name = n[0].as<std::string>();
            const auto day = partitions::day_of_name(name);
            if (!day) continue;  // the default partition, or not ours
            // The day ends at midnight of day + 1, which is <= cutoff exactly when
            // day + 1 <= the day of cutoff.
            const bool ended = *day + 1 <= cutoff_day;
            if (!ended) continue;
            tx.exec0("DROP TABLE " + tx.quote_name(name));
            tx.exec_params0("DELETE FROM flow_segments WHERE day = $1 OR name = $1", name);
            ++dropped;
        }
        tx.commit();
        return dropped;
    });
}

}  // namespace wireflow::collector
