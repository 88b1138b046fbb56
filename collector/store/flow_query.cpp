#include "flow_query.hpp"

#include "flow_dpi_columns.hpp"
#include "flow_geo_columns.hpp"
#include "partitions.hpp"
#include "pg_time.hpp"

#include <optional>
#include <string>
#include <utility>

namespace wireflow::collector {

namespace {

using pg_time::instant_literal;
using pg_time::to_us;

// The health columns of schema v4 as read back (NULL: unknown), from column
// `at` on: 6 counts, 2 RTT parts, 4 TTLs, DSCP.
constexpr const char* health_columns =
    ", c2s_retransmissions, s2c_retransmissions, c2s_out_of_order, s2c_out_of_order, c2s_zero_windows,"
    " s2c_zero_windows, client_rtt_ns, server_rtt_ns, c2s_ttl_min, c2s_ttl_max, s2c_ttl_min, s2c_ttl_max, dscp";

flow_health read_health(const pqxx::row& r, int at) {
    flow_health h;
    const auto u32 = [&](int i) { return static_cast<std::uint32_t>(r[at + i].as<long long>()); };
    const auto u8 = [&](int i) { return static_cast<std::uint8_t>(r[at + i].as<int>()); };
    if (!r[at].is_null()) {
        tcp_health& t = h.tcp.emplace();
        t.c2s_retransmissions = u32(0);
        t.s2c_retransmissions = u32(1);
        t.c2s_out_of_order = u32(2);
        t.s2c_out_of_order = u32(3);
        t.c2s_zero_windows = u32(4);
        t.s2c_zero_windows = u32(5);
        if (!r[at + 6].is_null() && !r[at + 7].is_null()) {
            t.client_rtt_ns = static_cast<std::uint64_t>(r[at + 6].as<long long>());
            t.server_rtt_ns = static_cast<std::uint64_t>(r[at + 7].as<long long>());
        }
    }
    if (!r[at + 8].is_null()) h.c2s_ttl = ttl_range{u8(8), u8(9)};
    if (!r[at + 10].is_null()) h.s2c_ttl = ttl_range{u8(10), u8(11)};
    if (!r[at + 12].is_null()) h.dscp = u8(12);
    return h;
}

// The tunnel columns of schema v6 (NULL: not tunnelled), from column `at` on.
constexpr const char* tunnel_columns = ", tunnel_type, tunnel_id, host(tunnel_client_ip), host(tunnel_server_ip)";

std::optional<flow_tunnel> read_tunnel(const pqxx::row& r, int at) {
    if (r[at].is_null()) return std::nullopt;
    const auto client_side = net::ip_address::parse(r[at + 2].as<std::string>());
    const auto server_side = net::ip_address::parse(r[at + 3].as<std::string>());
    if (!client_side || !server_side) return std::nullopt;
    return flow_tunnel{static_cast<tunnel_type>(r[at].as<int>()), static_cast<std::uint32_t>(r[at + 1].as<long long>()),
                       *client_side, *server_side};
}

// Parameters $1..$13, the same for the count and the page. The time bounds
// are timestamptz literals (pg_time::instant_literal): constants when the
// query is planned, so the CASE folds away and the planner keeps only the
// partitions of the range, or, live, those from the live bound on ($13,
// live_window), instead of planning all of them.
constexpr const char* time_clause =
    " WHERE (CASE WHEN $1::timestamptz IS NULL"
    "   THEN ingested_at >= now() - $3::bigint * interval '1 second'"
    "    AND ($13::timestamptz IS NULL OR first_seen >= $13::timestamptz)"
    "   ELSE first_seen >= $1::timestamptz AND first_seen < $2::timestamptz END)";

// The same rows as time_clause for a statement planned once for all its
// parameters (exec_planned_once): no CASE to fold, so the bounds on
// first_seen are what the executor prunes the days by, and what the host
// b-trees of each leaf are read with. The live window is then a filter
// (a host's rows are few), the live bound ($13) still prunes the days.
constexpr const char* time_clause_any_plan =
    " WHERE first_seen >= coalesce($1::timestamptz, $13::timestamptz, '-infinity')"
    " AND first_seen < coalesce($2::timestamptz, 'infinity')"
    " AND ($1::timestamptz IS NOT NULL OR ingested_at >= now() - $3::bigint * interval '1 second')";

// A host's flows (schema v10, flow_segments.hpp): per leaf partition, its
// two host b-trees once sealed, or the Bloom filter of both addresses of
// the segment being written; either side, a BitmapOr.
constexpr const char* host_clause = " AND (client_ip = $4::inet OR server_ip = $4::inet)";
constexpr const char* any_host_clause = " AND ($4::inet IS NULL OR client_ip = $4::inet OR server_ip = $4::inet)";

// The other filters ($5..$12): no index, within the rows the time and the host select.
constexpr const char* filter_clause =
    " AND ($5::bigint IS NULL OR vlan = $5::bigint)"
    " AND ($6::text IS NULL OR lower(app_name) = lower($6::text))"
    " AND ($7::integer IS NULL OR client_port = $7::integer OR server_port = $7::integer)"
    " AND ($8::smallint IS NULL OR protocol = $8::smallint)"
    " AND ($9::boolean IS NULL OR ((client_blacklist <> '' OR server_blacklist <> '') = $9::boolean))"
    // A TLS client or server fingerprint: either side's handshake.
    " AND ($10::text IS NULL OR ja3_client = $10::text OR ja3_server = $10::text)"
    // Geolocation (schema v8): either side's country or AS. No index: like
    // app, within the time range's partitions.
    " AND ($11::text IS NULL OR client_country = $11::text OR server_country = $11::text)"
    " AND ($12::bigint IS NULL OR client_asn = $12::bigint OR server_asn = $12::bigint)";

// Every view's conditions, planned for its parameters' values (exec_params).
const std::string where_clause = std::string(time_clause) + any_host_clause + filter_clause;

// A page chosen by address (a `page` CTE of leaf = tableoid, row_at = ctid)
// read back from flows; the view's WHERE clause follows it, so the planner
// keeps only the range's leaves there too (it cannot prune by tableoid).
constexpr const char* read_back_page =
    " FROM page JOIN flows ON flows.tableoid = page.leaf AND flows.ctid = page.row_at";

// What the batches stored in the last `window_s` seconds say of the live
// views' rows. A row's ingested_at is its batch's stored_at (one
// transaction's now()), so:
// - `none`: no batch with records was stored in the window, so no row was
//   received in it, and the view is empty without reading `flows` (an idle
//   collector's live page read every partition: 150-670 ms for no row,
//   docs/benchmarks.md, "An idle live window");
// - `bound`: the oldest first_seen of those batches (schema v9), in
//   microseconds since 1970: every row received in the window is at or after
//   it, and the planner leaves out the partitions before (a replayed
//   capture's old timestamps widen it: more partitions read, never fewer
//   rows). Nothing when a batch stored before v9 has no bound: then every
//   partition is read, as before.
// Run in the transaction of the query it bounds, at repeatable read, so both
// see the same batches.
struct live_rows {
    bool none{false};
    std::optional<std::int64_t> bound;

    // The bound as the statements take it: a timestamptz literal (pg_time).
    [[nodiscard]] std::optional<std::string> bound_literal() const {
        return bound ? std::optional<std::string>(instant_literal(*bound)) : std::nullopt;
    }
};

live_rows live_window(pqxx::transaction_base& tx, long long window_s) {
    const auto r = tx.exec_params1(
        "SELECT (extract(epoch FROM min(first_seen_min)) * 1000000)::bigint,"
        " count(*) FILTER (WHERE first_seen_min IS NULL AND records > 0), count(*) FILTER (WHERE records > 0)"
        " FROM ingested_batches WHERE stored_at >= now() - $1::bigint * interval '1 second'",
        window_s);
    live_rows out;
    out.none = r[2].as<long long>() == 0;
    if (!r[0].is_null() && r[1].as<long long>() == 0) out.bound = r[0].as<std::int64_t>();
    return out;
}

// A host's rows are few, found in each leaf through its host index (a
// sealed leaf's two b-trees, the open segment's Bloom filter), but the
// planner's estimate for a Bloom filter is tens of thousands of rows, and it
// then starts parallel workers whose start-up is most of the time: a host's
// 24 h page took 75 ms with two workers, 21 ms without (schema v10,
// docs/benchmarks.md). The open segment's statistics are kept by the
// collector (flow_segments::analyze_open_segments).
//
// `planned_once`: the transaction's prepared statements (exec_planned_once)
// use their generic plan, and so does every other statement with parameters
// it runs until plan_each_time().
enum class host_plans { each_time, planned_once };

void plan_for_one_host(pqxx::transaction_base& tx, host_plans plans) {
    tx.exec0(plans == host_plans::planned_once
                 ? "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL plan_cache_mode = force_generic_plan"
                 : "SET LOCAL max_parallel_workers_per_gather = 0");
}

// Back to a plan for each statement's values: the statements built on
// where_clause need theirs (its CASE and its optional host fold away only
// when the values are known; planned for any value, every leaf would be
// read whole).
void plan_each_time(pqxx::transaction_base& tx) { tx.exec0("SET LOCAL plan_cache_mode = auto"); }

// The days a statement planned once may read, written into its text as
// constants: [the day of `from`, the day after `to`'s), either side open
// when not given. Its plan is then made for those days' leaves only, as a
// plan for the values is (a generic plan of a statement with only
// parameters would plan every leaf of `flows`: 30 days' and the segments of
// today, and would be made again each time a partition changes).
std::string planned_days(std::optional<std::int64_t> from_us, std::optional<std::int64_t> to_us) {
    std::string out;
    if (from_us)
        out += " AND first_seen >= timestamptz '" +
               partitions::start_literal(partitions::day_of(pg_time::from_us(*from_us))) + "'";
    if (to_us)
        out += " AND first_seen < timestamptz '" +
               partitions::start_literal(partitions::day_of(pg_time::from_us(*to_us)) + 1) + "'";
    return out;
}

// A host's lookups, planned once per connection and range of days: a week
// of a host's flows plans ~22 leaves (each day's, today's segments, the
// next days'), 2.5 ms of a 5 ms statement, for a plan that is the same for
// every host. The statement is prepared on the connection (libpqxx
// keeps it, and prepares it again on a new connection) and PostgreSQL keeps
// its generic plan, made for the leaves of planned_days() and reused until
// a partition of those days changes (a segment opened, sealed, merged or
// analyzed) or the days do (the next day, a host idle since another week:
// the name is kept, the text replaced, the plan made again). Each leaf is
// read through its host index as before (docs/benchmarks.md, "A host's plan
// made once"). Run after plan_for_one_host(tx, host_plans::planned_once).
template <typename... Args>
pqxx::result exec_planned_once(pqxx::transaction_base& tx, const std::string& name, const std::string& sql,
                               Args&&... args) {
    try {
        tx.conn().prepare(name, sql);
    } catch (const pqxx::argument_error&) {  // the name's text for other days: replaced
        tx.conn().unprepare(name);
        tx.conn().prepare(name, sql);
    }
    return tx.exec_prepared(name, std::forward<Args>(args)...);
}

// Both queries of a view see one snapshot (live_window).
using snapshot_read = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

const char* order_by(flow_sort s, bool desc) {
    // Ties broken by identity so pages do not overlap.
    switch (s) {
    case flow_sort::first_seen: return desc ? " ORDER BY first_seen_ns DESC, probe_id, flow_id" : " ORDER BY first_seen_ns ASC, probe_id, flow_id";
    case flow_sort::last_seen: return desc ? " ORDER BY last_seen_ns DESC, probe_id, flow_id" : " ORDER BY last_seen_ns ASC, probe_id, flow_id";
    case flow_sort::bytes: return desc ? " ORDER BY c2s_bytes + s2c_bytes DESC, probe_id, flow_id" : " ORDER BY c2s_bytes + s2c_bytes ASC, probe_id, flow_id";
    case flow_sort::packets: return desc ? " ORDER BY c2s_packets + s2c_packets DESC, probe_id, flow_id" : " ORDER BY c2s_packets + s2c_packets ASC, probe_id, flow_id";
    }
    return " ORDER BY last_seen_ns DESC, probe_id, flow_id";
}

// The page's own columns, formatted; health_columns, tunnel_columns and the
// DPI and geolocation columns follow, in read_item's order.
constexpr const char* page_columns =
    "probe_id, flow_id, first_seen_ns, last_seen_ns, vlan, protocol, host(client_ip), client_port, host(server_ip),"
    " server_port, c2s_packets, c2s_bytes, s2c_packets, s2c_bytes, app_name, app_category, server_name, flow_risk,"
    " client_blacklist, server_blacklist, end_reason, dns_query_type, dns_reply_code, host(dns_answer)";

flow_item read_item(const pqxx::row& r) {
    flow_item it;
    it.probe_id = r[0].as<std::string>();
    // uint64 values are stored bit-for-bit in bigint (schema.cpp): read the
    // signed value back and keep its bits.
    it.flow_id = static_cast<std::uint64_t>(r[1].as<long long>());
    it.first_seen_ns = r[2].as<std::uint64_t>();
    it.last_seen_ns = r[3].as<std::uint64_t>();
    it.vlan = static_cast<std::uint16_t>(r[4].as<int>());
    it.protocol = static_cast<std::uint8_t>(r[5].as<int>());
    it.client_ip = r[6].as<std::string>();
    it.client_port = static_cast<std::uint16_t>(r[7].as<int>());
    it.server_ip = r[8].as<std::string>();
    it.server_port = static_cast<std::uint16_t>(r[9].as<int>());
    it.c2s_packets = r[10].as<std::uint64_t>();
    it.c2s_bytes = r[11].as<std::uint64_t>();
    it.s2c_packets = r[12].as<std::uint64_t>();
    it.s2c_bytes = r[13].as<std::uint64_t>();
    it.app_name = r[14].as<std::string>();
    it.app_category = r[15].as<std::string>();
    it.server_name = r[16].as<std::string>();
    it.flow_risk = static_cast<std::uint64_t>(r[17].as<long long>());
    it.client_blacklist = r[18].as<std::string>();
    it.server_blacklist = r[19].as<std::string>();
    it.end_reason = static_cast<std::uint8_t>(r[20].as<int>());
    it.dns_query_type = static_cast<std::uint16_t>(r[21].as<int>());
    it.dns_reply_code = static_cast<std::uint8_t>(r[22].as<int>());
    if (!r[23].is_null()) it.dns_answer = r[23].as<std::string>();
    it.health = read_health(r, 24);
    it.tunnel = read_tunnel(r, 37);
    auto dpi = flow_dpi_columns::read(r, 41);
    it.confidence = dpi.confidence;
    it.tls = std::move(dpi.tls);
    it.http = std::move(dpi.http);
    const auto geo = flow_geo_columns::read(r, 41 + flow_dpi_columns::count);
    it.client_geo = geo.client;
    it.server_geo = geo.server;
    return it;
}

// Every column read_item reads, in its order.
std::string item_columns() {
    return std::string(page_columns) + health_columns + tunnel_columns + std::string(flow_dpi_columns::select) +
           std::string(flow_geo_columns::select);
}

}  // namespace

flow_page flow_query::find(const flow_filter& f) {
    const std::optional<std::string> from =
        f.from ? std::optional<std::string>(instant_literal(to_us(*f.from))) : std::nullopt;
    const std::optional<std::string> to = f.to ? std::optional<std::string>(instant_literal(to_us(*f.to))) : std::nullopt;
    const long long window = f.live_window.count();
    const std::optional<std::string> host = f.host.empty() ? std::nullopt : std::optional<std::string>(f.host);
    const std::optional<long long> vlan = f.vlan ? std::optional<long long>(*f.vlan) : std::nullopt;
    const std::optional<std::string> app = f.app.empty() ? std::nullopt : std::optional<std::string>(f.app);
    const std::optional<int> port = f.port ? std::optional<int>(*f.port) : std::nullopt;
    const std::optional<int> proto = f.protocol ? std::optional<int>(*f.protocol) : std::nullopt;
    const std::optional<bool> bl = f.blacklisted;
    const std::optional<std::string> ja3 = f.ja3.empty() ? std::nullopt : std::optional<std::string>(f.ja3);
    const std::optional<std::string> country =
        f.country.empty() ? std::nullopt : std::optional<std::string>(std::string(f.country.view()));
    const std::optional<long long> asn = f.asn ? std::optional<long long>(*f.asn) : std::nullopt;
    return db_.run("query flows", [&](pqxx::connection& c) {
        snapshot_read tx{c};
        // The pool's sessions run without JIT (db_pool.cpp); a page of a time
        // range with no host reads every row of the range through one or two
        // partitions, where compiled tuple deforming pays for itself: 24 h of
        // 50M rows took 7.3-7.6 s with JIT, 7.9-10 s without
        // (docs/benchmarks.md, "JIT and the dashboard"). A host's flows are
        // few rows through many partitions: there compiling was the cost.
        if (!host) tx.exec0("SET LOCAL jit = on");
        const live_rows live = from ? live_rows{} : live_window(tx, window);
        flow_page page;
        if (live.none) return page;
        if (host) plan_for_one_host(tx, host_plans::planned_once);
        const std::optional<std::string> bound = live.bound_literal();
        const char* order = order_by(f.sort, f.descending);
        // The page's rows are chosen first and only they are formatted
        // (host(), the DPI and geolocation columns): formatted in the same
        // SELECT, every row of the range was, before the sort kept 50 (a 24 h
        // page of 7.9M rows: 7.2 s with, 1.9 s without, measured).
        const std::string columns = item_columns();
        const auto read_items = [&](const pqxx::result& rows) {
            for (const auto& r : rows) page.items.push_back(read_item(r));
        };
        // A host's flows in one pass when they are few: its matching rows
        // (at most one_pass_rows_ + 1) are read once, counted and paged
        // together. Counted and paged apart, each statement looked the host
        // up again in every leaf, and in the segment being written that
        // lookup reads its whole Bloom filter: two thirds of a typical host's
        // page (docs/benchmarks.md, "One pass for a host's flows"). More rows
        // than that (a busy server): the page is not among the first rows
        // read, so it is counted and sorted as every other view is, below.
        if (host) {
            // One statement per order (the ORDER BY is not a parameter).
            const auto rows = exec_planned_once(
                tx, "wf_host_flows_" + std::to_string(static_cast<int>(f.sort)) + (f.descending ? "_desc" : "_asc"),
                "SELECT " + columns + ", total FROM (SELECT *, count(*) OVER () AS total FROM (SELECT * FROM flows" +
                    time_clause_any_plan +
                    planned_days(f.from ? std::optional<std::int64_t>(to_us(*f.from)) : live.bound,
                                 f.to ? std::optional<std::int64_t>(to_us(*f.to)) : std::nullopt) +
                    host_clause + filter_clause + " LIMIT $16) AS m" + order +
                    " LIMIT $14 OFFSET $15) AS page" + order,
                from, to, window, host, vlan, app, port, proto, bl, ja3, country, asn, bound,
                static_cast<long long>(f.limit), static_cast<long long>(f.offset),
                static_cast<long long>(one_pass_rows_ + 1));
            const std::uint64_t matched = rows.empty() ? 0 : rows[0][rows.columns() - 1].as<std::uint64_t>();
            // No row: nothing matched, unless the offset is past the end
            // (then the count below says how many did).
            if (matched <= one_pass_rows_ && (!rows.empty() || f.offset == 0)) {
                page.total = matched;
                read_items(rows);
                return page;
            }
            plan_each_time(tx);
            // A busy host: its rows are read once more, narrow (address and
            // sort keys), counted and sorted together, and the page read back
            // by address. Counted and paged apart, the count read up to
            // count_cap of them again through the host indexes: a host with
            // 1 % of the flows took 380 ms to count and 600 to page, 510 so
            // (docs/benchmarks.md, "A busy host counted and paged at once").
            const auto busy = tx.exec_params(
                "WITH page AS MATERIALIZED (SELECT leaf, row_at, total FROM (SELECT tableoid AS leaf, ctid AS row_at,"
                " first_seen_ns, last_seen_ns, c2s_bytes, s2c_bytes, c2s_packets, s2c_packets, probe_id, flow_id,"
                " least(count(*) OVER (), " + std::to_string(count_cap) + ") AS total FROM flows" + where_clause +
                    ") AS m" + order + " LIMIT $14 OFFSET $15) SELECT " + columns +
                    ", total" + read_back_page + where_clause + order,
                from, to, window, host, vlan, app, port, proto, bl, ja3, country, asn, bound,
                static_cast<long long>(f.limit), static_cast<long long>(f.offset));
            // No row: the offset is past the end (the count below says where).
            if (!busy.empty()) {
                page.total = busy[0][busy.columns() - 1].as<std::uint64_t>();
                read_items(busy);
                return page;
            }
        }
        page.total = tx.exec_params(std::string("SELECT count(*) FROM (SELECT 1 FROM flows") + where_clause +
                                        " LIMIT " + std::to_string(count_cap) + ") AS m",
                                    from, to, window, host, vlan, app, port, proto, bl, ja3, country, asn, bound)[0][0]
                         .as<std::uint64_t>();
        // The page is chosen by its rows' addresses alone (tableoid, ctid:
        // the sort reads its keys, not every column of every row of the
        // range), then its rows are read back by address (a TID scan per
        // leaf). Chosen with every column, the sort carried ~770 bytes a
        // row: a 24 h page of 12M rows took 7.0-7.5 s, JIT or not, against
        // 3.4 s so (docs/benchmarks.md, "The page by address"). One
        // statement, one snapshot: the addresses are those it reads. The
        // view's conditions again on the read-back: the planner keeps only
        // the range's leaves there too (it cannot prune by tableoid, and
        // would look each address up in every leaf of flows).
        read_items(tx.exec_params(std::string("WITH page AS MATERIALIZED (SELECT tableoid AS leaf, ctid AS row_at"
                                                  " FROM flows") +
                                      where_clause + order + " LIMIT $14 OFFSET $15) SELECT " + columns +
                                      read_back_page + where_clause + order,
                                  from, to, window, host, vlan, app, port, proto, bl, ja3, country, asn, bound,
                                  static_cast<long long>(f.limit), static_cast<long long>(f.offset)));
        return page;
    });
}

std::vector<peer_total> flow_query::top_peers(const std::string& ip, std::uint16_t vlan,
                                              std::chrono::system_clock::time_point since, std::size_t limit) {
    return db_.run("top peers", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        plan_for_one_host(tx, host_plans::each_time);
        std::vector<peer_total> out;
        // Two lookups (client side, server side: each leaf's b-tree, or the
        // open segment's Bloom filter), merged per peer.
        const auto rows = tx.exec_params(
            "SELECT host(peer), sum(bytes)::bigint AS b, count(*) FROM ("
            "  SELECT server_ip AS peer, c2s_bytes + s2c_bytes AS bytes FROM flows"
            "   WHERE client_ip = $1::inet AND vlan = $2"
            "    AND first_seen >= $3::timestamptz"
            "  UNION ALL"
            "  SELECT client_ip, c2s_bytes + s2c_bytes FROM flows"
            "   WHERE server_ip = $1::inet AND vlan = $2"
            "    AND first_seen >= $3::timestamptz"
            ") AS p GROUP BY peer ORDER BY b DESC, host(peer) LIMIT $4",
            ip, static_cast<long long>(vlan), instant_literal(to_us(since)), static_cast<long long>(limit));
        for (const auto& r : rows)
            out.push_back({r[0].as<std::string>(), r[1].as<std::uint64_t>(), r[2].as<std::uint64_t>()});
        return out;
    });
}

host_activity flow_query::activity(const std::string& ip, std::uint16_t vlan, std::chrono::system_clock::time_point since,
                                  std::chrono::system_clock::time_point to, std::size_t peers, std::size_t flows) {
    flow_filter f;
    f.host = ip;
    f.vlan = vlan;
    f.from = since;
    f.to = to;
    f.sort = flow_sort::first_seen;
    f.limit = flows;
    // The host's rows are read once for both (m: at most one_pass_rows_ + 1
    // of them): its peers (p) and its latest flows (r), side by side in one
    // result, row i of each; with top_peers() and find() apart, each read the
    // open segment's Bloom filters again (docs/benchmarks.md, "One pass for
    // a host's flows"). More rows than that: those two, as before.
    std::optional<host_activity> one_pass = db_.run("host activity", [&](pqxx::connection& c) {
        snapshot_read tx{c};
        plan_for_one_host(tx, host_plans::planned_once);
        const std::string columns = item_columns();
        const char* order = order_by(f.sort, f.descending);
        const auto rows = exec_planned_once(tx, "wf_host_activity",
            "WITH m AS MATERIALIZED (SELECT * FROM flows WHERE (client_ip = $1::inet OR server_ip = $1::inet)"
            "   AND vlan = $2 AND first_seen >= $3::timestamptz" +
                planned_days(to_us(since), std::nullopt) + " LIMIT $5),"
            " r AS (SELECT row_number() OVER (" + std::string(order) + ") AS i, * FROM m"
            "   WHERE first_seen < $4::timestamptz" + order + " LIMIT $6),"
            " p AS (SELECT row_number() OVER (ORDER BY b DESC, host(peer)) AS i, host(peer) AS peer_ip, b, n FROM ("
            "   SELECT peer, sum(bytes)::bigint AS b, count(*) AS n FROM ("
            "     SELECT server_ip AS peer, c2s_bytes + s2c_bytes AS bytes FROM m WHERE client_ip = $1::inet"
            "     UNION ALL SELECT client_ip, c2s_bytes + s2c_bytes FROM m WHERE server_ip = $1::inet) AS x"
            "   GROUP BY peer) AS g ORDER BY b DESC, host(peer) LIMIT $7)"
            " SELECT " + columns + ", peer_ip, b, n, (SELECT count(*) FROM m) FROM r FULL JOIN p USING (i) ORDER BY i",
            ip, static_cast<long long>(vlan), instant_literal(to_us(since)), instant_literal(to_us(to)),
            static_cast<long long>(one_pass_rows_ + 1), static_cast<long long>(flows), static_cast<long long>(peers));
        std::optional<host_activity> out;
        const int at = static_cast<int>(rows.columns()) - 4;
        if (!rows.empty() && rows[0][at + 3].as<std::uint64_t>() > one_pass_rows_) return out;
        out.emplace();
        for (const auto& r : rows) {
            if (!r[0].is_null()) out->recent_flows.push_back(read_item(r));
            if (!r[at].is_null())
                out->top_peers.push_back({r[at].as<std::string>(), r[at + 1].as<std::uint64_t>(), r[at + 2].as<std::uint64_t>()});
        }
        return out;
    });
    if (one_pass) return std::move(*one_pass);
    host_activity out;
    out.top_peers = top_peers(ip, vlan, since, peers);
    out.recent_flows = find(f).items;
    return out;
}

std::vector<app_total> flow_query::top_apps(std::chrono::seconds window, std::size_t limit, std::uint64_t& total) {
    return db_.run("top applications", [&](pqxx::connection& c) {
        snapshot_read tx{c};
        std::vector<app_total> out;
        const long long window_s = window.count();
        total = 0;
        const live_rows live = live_window(tx, window_s);
        if (live.none) return out;
        const auto rows = tx.exec_params(
            "SELECT app_name, sum(c2s_bytes + s2c_bytes)::bigint AS b, sum(c2s_packets + s2c_packets)::bigint,"
            " count(DISTINCT (probe_id, boot_id, flow_id)), count(*) OVER ()"
            " FROM flows WHERE ingested_at >= now() - $1 * interval '1 second'"
            " AND ($3::timestamptz IS NULL OR first_seen >= $3::timestamptz)"
            " GROUP BY app_name ORDER BY b DESC, app_name LIMIT $2",
            window_s, static_cast<long long>(limit), live.bound_literal());
        total = rows.empty() ? 0 : rows[0][4].as<std::uint64_t>();
        for (const auto& r : rows)
            out.push_back({r[0].as<std::string>(), r[1].as<std::uint64_t>(), r[2].as<std::uint64_t>(), r[3].as<std::uint64_t>()});
        return out;
    });
}

}  // namespace wireflow::collector
