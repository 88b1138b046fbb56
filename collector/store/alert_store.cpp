#include "alert_store.hpp"

#include <pqxx/pqxx>

#include "pg_time.hpp"

#include <algorithm>

namespace wireflow::collector {
namespace {

using namespace pg_time;

constexpr const char* columns =
    "id, type, severity, entity_type, entity_id, "
    "(extract(epoch FROM started_at) * 1000000)::bigint, "
    "(extract(epoch FROM ended_at) * 1000000)::bigint, "
    "acknowledged, coalesce(acknowledged_by, ''), "
    "(extract(epoch FROM acknowledged_at) * 1000000)::bigint, message, details::text";

stored_alert from_row(const pqxx::row& r) {
    stored_alert a;
    a.id = r[0].as<std::int64_t>();
    a.type = r[1].as<std::string>();
    a.severity = r[2].as<std::string>();
    a.entity_type = r[3].as<std::string>();
    a.entity_id = r[4].as<std::string>();
    a.started_at = from_us(r[5].as<std::int64_t>());
    a.ended_at = opt_time(r[6]);
    a.acknowledged = r[7].as<bool>();
    a.acknowledged_by = r[8].as<std::string>();
    a.acknowledged_at = opt_time(r[9]);
    a.message = r[10].as<std::string>();
    a.details = r[11].as<std::string>();
    return a;
}


}  // namespace

std::int64_t alert_store::insert(const stored_alert& a) {
    return db_.run("insert alert", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const std::optional<std::int64_t> ended = a.ended_at ? std::optional(to_us(*a.ended_at)) : std::nullopt;
        const auto id = tx.exec_params1(
                              "INSERT INTO alerts (type, severity, entity_type, entity_id, started_at, ended_at, "
                              "message, details) VALUES ($1, $2, $3, $4, "
                              "timestamptz 'epoch' + $5 * interval '1 microsecond', "
                              "timestamptz 'epoch' + $6 * interval '1 microsecond', $7, $8::jsonb) RETURNING id",
                              a.type, a.severity, a.entity_type, a.entity_id, to_us(a.started_at), ended, a.message,
                              a.details.empty() ? std::string("{}") : a.details)[0]
                            .as<std::int64_t>();
        tx.commit();
        return id;
    });
}

bool alert_store::release(std::int64_t id, clock::time_point ended_at) {
    return db_.run("release alert", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params(
            "UPDATE alerts SET ended_at = greatest(started_at, timestamptz 'epoch' + $2 * interval '1 microsecond') "
            "WHERE id = $1 AND ended_at IS NULL",
            id, to_us(ended_at));
        tx.commit();
        return r.affected_rows() == 1;
    });
}

bool alert_store::update(std::int64_t id, const std::string& severity, const std::string& message,
                         const std::string& details) {
    return db_.run("update alert", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params(
            "UPDATE alerts SET severity = $2, message = $3, details = $4::jsonb WHERE id = $1 AND ended_at IS NULL", id,
            severity, message, details.empty() ? std::string("{}") : details);
        tx.commit();
        return r.affected_rows() == 1;
    });
}

bool alert_store::acknowledge(std::int64_t id, const std::string& user) {
    return db_.run("acknowledge alert", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params(
            "UPDATE alerts SET acknowledged = true, acknowledged_by = $2, acknowledged_at = now() WHERE id = $1", id,
            user);
        tx.commit();
        return r.affected_rows() == 1;
    });
}

alert_page alert_store::list(const alert_query& q) {
    // Every filter is a parameter; an empty/NULL one matches everything.
    static const std::string where =
        " WHERE ($1::boolean IS NULL OR (ended_at IS NULL) = $1)"
        " AND ($2 = '' OR type = $2)"
        " AND ($3 = '' OR array_position(ARRAY['info','notice','warning','error','critical'], severity)"
        "      >= array_position(ARRAY['info','notice','warning','error','critical'], $3))"
        " AND ($4 = '' OR entity_type = $4) AND ($5 = '' OR entity_id = $5)"
        " AND ($6::boolean IS NULL OR acknowledged = $6)"
        " AND ($7::bigint IS NULL OR started_at >= timestamptz 'epoch' + $7 * interval '1 microsecond')"
        " AND ($8::bigint IS NULL OR started_at < timestamptz 'epoch' + $8 * interval '1 microsecond')";
    const auto opt_us = [](const std::optional<clock::time_point>& t) -> std::optional<std::int64_t> {
        if (!t) return std::nullopt;
        return to_us(*t);
    };
    return db_.run("list alerts", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        alert_page page;
        page.total = tx.exec_params1("SELECT count(*) FROM alerts" + where, q.engaged, q.type, q.severity,
                                     q.entity_type, q.entity_id, q.acknowledged, opt_us(q.from), opt_us(q.to))[0]
                         .as<std::uint64_t>();
        const auto limit = static_cast<std::int64_t>(std::min<std::size_t>(q.limit, 1000));
        const auto rows = tx.exec_params(std::string("SELECT ") + columns + " FROM alerts" + where +
                                             " ORDER BY started_at DESC, id DESC LIMIT $9 OFFSET $10",
                                         q.engaged, q.type, q.severity, q.entity_type, q.entity_id, q.acknowledged,
                                         opt_us(q.from), opt_us(q.to), limit, static_cast<std::int64_t>(q.offset));
        for (const auto& r : rows) page.items.push_back(from_row(r));
        return page;
    });
}

std::optional<stored_alert> alert_store::find(std::int64_t id) {
    return db_.run("find alert", [&](pqxx::connection& c) -> std::optional<stored_alert> {
        pqxx::read_transaction tx{c};
        const auto rows = tx.exec_params(std::string("SELECT ") + columns + " FROM alerts WHERE id = $1", id);
        if (rows.empty()) return std::nullopt;
        return from_row(rows[0]);
    });
}

std::vector<stored_alert> alert_store::engaged() {
    return db_.run("engaged alerts", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        std::vector<stored_alert> out;
        for (const auto& r : tx.exec(std::string("SELECT ") + columns + " FROM alerts WHERE ended_at IS NULL ORDER BY id"))
            out.push_back(from_row(r));
        return out;
    });
}

std::vector<std::string> alert_store::known_macs() {
    return db_.run("known MACs", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        std::vector<std::string> out;
        for (const auto& r : tx.exec("SELECT mac::text FROM hosts WHERE mac IS NOT NULL "
                                     "UNION SELECT entity_id FROM alerts WHERE type = 'new_device'"))
            out.push_back(r[0].as<std::string>());
        return out;
    });
}

}  // namespace wireflow::collector
