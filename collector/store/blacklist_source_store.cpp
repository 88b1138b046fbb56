#include "blacklist_source_store.hpp"

#include <pqxx/pqxx>

namespace wireflow::collector {
namespace {

using clock = std::chrono::system_clock;

std::optional<std::int64_t> to_us(const std::optional<clock::time_point>& t) {
    if (!t) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::microseconds>(t->time_since_epoch()).count();
}
std::optional<clock::time_point> opt_time(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return clock::time_point(
        std::chrono::duration_cast<clock::duration>(std::chrono::microseconds(f.as<std::int64_t>())));
}

}  // namespace

void blacklist_source_store::upsert(const stored_blacklist_source& s) {
    db_.run("write blacklist source", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params(
            "INSERT INTO blacklist_sources (name, url, format, category, enabled, refresh_interval_s, "
            "last_fetch_at, last_success_at, last_error, entries, hits) VALUES ($1, $2, $3, $4, $5, $6, "
            "timestamptz 'epoch' + $7 * interval '1 microsecond', "
            "timestamptz 'epoch' + $8 * interval '1 microsecond', $9, $10, $11) "
            "ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url, format = EXCLUDED.format, "
            "category = EXCLUDED.category, enabled = EXCLUDED.enabled, "
            "refresh_interval_s = EXCLUDED.refresh_interval_s, last_fetch_at = EXCLUDED.last_fetch_at, "
            "last_success_at = EXCLUDED.last_success_at, last_error = EXCLUDED.last_error, "
            "entries = EXCLUDED.entries, hits = EXCLUDED.hits",
            s.name, s.url, s.format, s.category, s.enabled, s.refresh_interval_s > 0 ? s.refresh_interval_s : 86400,
            to_us(s.last_fetch_at), to_us(s.last_success_at), s.last_error, s.entries, s.hits);
        tx.commit();
    });
}

std::vector<stored_blacklist_source> blacklist_source_store::all() {
    return db_.run("read blacklist sources", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        std::vector<stored_blacklist_source> out;
        for (const auto& r : tx.exec(
                 "SELECT name, url, format, category, enabled, refresh_interval_s, "
                 "(extract(epoch FROM last_fetch_at) * 1000000)::bigint, "
                 "(extract(epoch FROM last_success_at) * 1000000)::bigint, last_error, entries, hits "
                 "FROM blacklist_sources ORDER BY name")) {
            stored_blacklist_source s;
            s.name = r[0].as<std::string>();
            s.url = r[1].as<std::string>();
            s.format = r[2].as<std::string>();
            s.category = r[3].as<std::string>();
            s.enabled = r[4].as<bool>();
            s.refresh_interval_s = r[5].as<std::int64_t>();
            s.last_fetch_at = opt_time(r[6]);
            s.last_success_at = opt_time(r[7]);
            s.last_error = r[8].as<std::string>();
            s.entries = r[9].as<std::int64_t>();
            s.hits = r[10].as<std::int64_t>();
            out.push_back(std::move(s));
        }
        return out;
    });
}

}  // namespace wireflow::collector
