// Segments of the day partitions: opened ahead of time, their Bloom filters
// kept summarized while written, sealed with their host b-trees once ended
// (flow_segments.hpp says why).
#include "flow_segments.hpp"

#include "partitions.hpp"
#include "pg_time.hpp"
#include "schema.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wireflow::collector::flow_segments {

namespace {

using namespace std::chrono;

constexpr std::int64_t us_per_s = 1'000'000;

// "flows_p20240131_s1706700000": the day partition and the segment's start.
std::string segment_name(std::int64_t day, std::int64_t start_s) {
    return partitions::name_of(day) + "_s" + std::to_string(start_s);
}

// Seconds of the next segment, so that it holds ~target_rows at the recent
// rate: the higher of the last minute's and the last ten minutes' (records
// of the batches stored then), so a rising rate shortens the next segment
// at once. Each is over the part of its window that has batches (at least
// 5 s): a collector that began storing 5 s ago under 100,000 records/s
// would otherwise see 8,000/s over the minute and open a segment of 120
// million rows. An overestimate costs only a shorter segment. With nothing
// stored lately the rate is unknown: the shortest span, or a collector
// starting under load would fill one segment of a day.
std::int64_t span_seconds(pqxx::work& tx, const settings& s) {
    const auto r = tx.exec1(
        "SELECT coalesce(sum(records) / greatest(extract(epoch FROM now() - min(stored_at)), 5), 0),"
        " coalesce(sum(records) FILTER (WHERE stored_at >= now() - interval '1 minute')"
        " / greatest(extract(epoch FROM now() - min(stored_at) FILTER (WHERE stored_at >= now() - interval '1 minute')), 5), 0)"
        " FROM ingested_batches WHERE stored_at >= now() - interval '10 minutes'");
    const double rate = std::max(r[0].as<double>(), r[1].as<double>());
    const double span = rate > 0 ? static_cast<double>(s.target_rows) / rate : static_cast<double>(s.min_span.count());
    return static_cast<std::int64_t>(
        std::clamp(std::ceil(span), static_cast<double>(s.min_span.count()), static_cast<double>(s.max_span.count())));
}

// The open segment's one index (schema v11): a BRIN of both times (minmax:
// the live views, time ranges) and of both addresses (Bloom: a host's
// flows), 4 pages of ~30 rows per range, room for 256 distinct values a
// range at 1 % false positives (the measured optimum, docs/benchmarks.md
// "Fifth attempt"). One index, because a BRIN costs the COPY per index, not
// per range ("Segments", the open segment's indexes).
// A leaf's ingested_at bound at whole second `s`, quoted for DDL.
std::string bound(pqxx::transaction_base& tx, std::int64_t s) {
    return tx.quote(pg_time::instant_literal(s * us_per_s));
}

void create_segment(pqxx::work& tx, const std::string& day_table, const std::string& name, std::int64_t start_s,
                    std::int64_t end_s) {
    const std::string table = tx.quote_name(name);
    // DDL takes no parameters: names and bounds are formatted from integers and quoted.
    tx.exec0("CREATE TABLE " + table + " (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
    tx.exec0("CREATE INDEX " + tx.quote_name(name + "_open") + " ON " + table +
             " USING brin (first_seen, ingested_at, client_ip inet_bloom_ops(n_distinct_per_range = 256),"
             " server_ip inet_bloom_ops(n_distinct_per_range = 256)) WITH (pages_per_range = 4)");
    // ATTACH (not CREATE ... PARTITION OF) takes SHARE UPDATE EXCLUSIVE on
    // the day, which the writer's COPY into it does not wait for; only a
    // COPY routing rows to the day's default partition waits, while ATTACH
    // checks that partition holds none of the new range (it is small).
    tx.exec0("ALTER TABLE " + tx.quote_name(day_table) + " ATTACH PARTITION " + table + " FOR VALUES FROM (" +
             bound(tx, start_s) + ") TO (" + bound(tx, end_s) + ")");
    tx.exec_params0("INSERT INTO flow_segments (name, day, starts, ends) VALUES ($1, $2, to_timestamp($3), to_timestamp($4))",
                    name, day_table, static_cast<long long>(start_s), static_cast<long long>(end_s));
}

// A listed leaf of a day, as a merge sees it.
struct leaf {
    std::string name;
    std::int64_t starts_s{0}, ends_s{0};
    std::uint64_t rows{0};
    bool mergeable{false};  // sealed, and on a day still written not merged already
};

// Two collectors on one database: one merges at a time (a transaction-level
// lock, taken again by the swap).
constexpr long long merge_lock_key = schema::advisory_lock_key + 1;

// "flows_p20240131_m1706659200_1706745600": the day and the merged range.
std::string merged_name(const std::string& day_table, std::int64_t from_s, std::int64_t to_s) {
    return day_table + "_m" + std::to_string(from_s) + "_" + std::to_string(to_s);
}

// The first run of adjacent mergeable leaves of at most max_rows rows and
// max_leaves leaves together, of at least min_leaves leaves, or at least two
// when the next adjacent leaf would pass a bound (the run can grow no more;
// a copy that could not be swapped in is of the same run next time). Adjacent:
// each starts where the previous one ends; across a gap (the collector was
// down) the rows are in the default partition, which ATTACH would find
// inside the merged range and refuse.
std::vector<leaf> first_run(const std::vector<leaf>& leaves, std::uint64_t max_rows, std::size_t min_leaves,
                            std::size_t max_leaves) {
    std::vector<leaf> run;
    std::uint64_t rows = 0;
    for (const auto& l : leaves) {
        const bool adjacent = !run.empty() && run.back().ends_s == l.starts_s && l.mergeable;
        if (adjacent && rows + l.rows <= max_rows && run.size() < max_leaves) {
            run.push_back(l);
            rows += l.rows;
            continue;
        }
        if (run.size() >= 2 && (run.size() >= min_leaves || adjacent)) return run;
        run.clear();
        rows = 0;
        if (l.mergeable && l.rows <= max_rows) {
            run.push_back(l);
            rows = l.rows;
        }
    }
    if (run.size() < std::max<std::size_t>(2, min_leaves)) run.clear();
    return run;
}

// The BRIN indexes of the table whose oid is `i.indrelid` (FROM pg_index i).
constexpr std::string_view brin_indexes =
    " JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'brin'";

}  // namespace

// Registers a connection's backend with a stopper for the time of a seal
// or a merge.
class stop_guard {
public:
    stop_guard(stopper* s, const pqxx::connection& c) : s_(s) {
        if (s_ == nullptr) return;
        pid_ = c.backendpid();  // libpq's, no round trip
        std::lock_guard lock(s_->mutex_);
        if (s_->stopped_) {
            pid_ = 0;
            return;
        }
        s_->backends_.push_back(pid_);
    }
    stop_guard(const stop_guard&) = delete;
    stop_guard& operator=(const stop_guard&) = delete;
    ~stop_guard() {
        if (s_ == nullptr || pid_ == 0) return;
        std::lock_guard lock(s_->mutex_);
        std::erase(s_->backends_, pid_);
    }
    [[nodiscard]] bool may_run() const { return s_ == nullptr || pid_ != 0; }

private:
    stopper* s_;
    int pid_{0};
};

bool stopper::stopped() const noexcept {
    std::lock_guard lock(mutex_);
    return stopped_;
}

void stopper::stop(db_pool& db, std::chrono::milliseconds wait) noexcept {
    const auto until = steady_clock::now() + wait;
    for (;;) {
        std::vector<int> backends;
        {
            std::lock_guard lock(mutex_);
            stopped_ = true;
            backends = backends_;
        }
        if (backends.empty() || steady_clock::now() >= until) return;
        try {
            db.run("cancelling a flow seal or merge", [&](pqxx::connection& c) {
                pqxx::nontransaction tx{c};
                for (const int pid : backends) tx.exec_params("SELECT pg_cancel_backend($1)", pid);
            });
        } catch (const std::exception&) {
            return;  // the server is gone, and the transactions with it
        }
        std::this_thread::sleep_for(milliseconds(50));
    }
}

int open_segments(db_pool& db, const settings& s) {
    return db.run("opening flow segments", [&](pqxx::connection& c) {
        int created = 0;
        // One segment a day per pass; more passes only when a segment is
        // shorter than the lead (tests).
        for (int pass = 0; pass < 64; ++pass) {
            bool made = false;
            pqxx::work tx{c};
            tx.exec_params("SELECT pg_advisory_xact_lock($1)", schema::advisory_lock_key);
            const auto now_us =
                tx.exec1("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint")[0].as<std::int64_t>();
            const std::int64_t lead_us = s.lead.count() * us_per_s;
            const auto day_of = [](std::int64_t us) {
                return partitions::day_of(pg_time::from_us(us));
            };
            std::vector<std::int64_t> days{day_of(now_us)};
            if (day_of(now_us + lead_us) != days.front()) days.push_back(day_of(now_us + lead_us));
            for (const auto day : days) {
                const std::string day_table = partitions::name_of(day);
                // Only a segmented day: one created before schema v10 is a
                // plain table, written as it was.
                const auto kind = tx.exec_params("SELECT relkind FROM pg_class WHERE oid = to_regclass($1)", day_table);
                if (kind.empty() || kind[0][0].as<std::string>() != "p") continue;
                const auto last = tx.exec_params1(
                    "SELECT extract(epoch FROM max(ends))::bigint FROM flow_segments WHERE day = $1", day_table)[0];
                if (!last.is_null() && last.as<std::int64_t>() * us_per_s >= now_us + lead_us) continue;
                // Contiguous with the last segment, but never starting before
                // a second from now: rows of transactions already running
                // (ingested_at is their start) are in the day's default
                // partition, which must hold none of the new range.
                std::int64_t start_s = (now_us + us_per_s + us_per_s - 1) / us_per_s;
                if (!last.is_null()) start_s = std::max(start_s, last.as<std::int64_t>());
                create_segment(tx, day_table, segment_name(day, start_s), start_s, start_s + span_seconds(tx, s));
                made = true;
                ++created;
            }
            tx.commit();
            if (!made) break;
        }
        return created;
    });
}

// The open segments of flow_segments `s`: begun, and not ended more than
// $1 seconds (the grace) ago, as the tick sees them.
constexpr const char* open_now =
    " WHERE s.sealed_at IS NULL AND s.starts <= now() AND s.ends > now() - make_interval(secs => $1)";

std::uint64_t summarize_open_segments(db_pool& db, const settings& s) {
    return db.run("summarizing flow segments", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params1(
            "SELECT coalesce(sum(brin_summarize_new_values(i.indexrelid)), 0)"
            " FROM flow_segments s JOIN pg_index i ON i.indrelid = to_regclass(s.name)" +
                std::string(brin_indexes) + open_now,
            static_cast<double>(s.grace.count()));
        tx.commit();
        return r[0].as<std::uint64_t>();
    });
}

int analyze_open_segments(db_pool& db, const settings& s) {
    return db.run("analyzing flow segments", [&](pqxx::connection& c) {
        pqxx::read_transaction tx{c};
        // relpages is the heap's size when ANALYZE (or VACUUM) last ran; pg_stats
        // is empty until an ANALYZE ran.
        const auto due = tx.exec_params(
            "SELECT s.name FROM flow_segments s JOIN pg_class c ON c.oid = to_regclass(s.name)"
            + std::string(open_now) +
            "   AND pg_relation_size(c.oid) / current_setting('block_size')::int >= 32"
            "   AND (pg_relation_size(c.oid) / current_setting('block_size')::int >= 2 * c.relpages"
            "        OR NOT EXISTS (SELECT 1 FROM pg_stats p WHERE p.schemaname = current_schema()"
            "                       AND p.tablename = s.name))"
            " ORDER BY s.starts",
            static_cast<double>(s.grace.count()));
        tx.commit();
        for (const auto& r : due) {
            // Its own transaction each. SKIP_LOCKED: never wait behind an
            // autovacuum of it, and its warning when it skips is not logged
            // every tick.
            pqxx::work w{c};
            w.exec0("SET LOCAL client_min_messages = error");
            w.exec0("ANALYZE (SKIP_LOCKED) " + w.quote_name(r[0].as<std::string>()));
            w.commit();
        }
        return static_cast<int>(due.size());
    });
}

std::optional<sealed> seal_next(db_pool& db, const settings& s, stopper* stop) {
    if (stop != nullptr && stop->stopped()) return std::nullopt;
    return db.run("sealing a flow segment", [&](pqxx::connection& c) -> std::optional<sealed> {
        const stop_guard guard(stop, c);
        if (!guard.may_run()) return std::nullopt;
        pqxx::work tx{c};
        // SKIP LOCKED: two collectors on one database seal different segments.
        const auto next = tx.exec_params(
            "SELECT name, starts = '-infinity' FROM flow_segments"
            " WHERE sealed_at IS NULL AND ends < now() - make_interval(secs => $1)"
            " ORDER BY ends, name LIMIT 1 FOR UPDATE SKIP LOCKED",
            static_cast<double>(s.grace.count()));
        if (next.empty()) return std::nullopt;
        sealed out;
        out.name = next[0][0].as<std::string>();
        const bool legacy = next[0][1].as<bool>();
        if (tx.exec_params1("SELECT to_regclass($1) IS NULL", out.name)[0].as<bool>()) {
            // Dropped by retention since: nothing to seal.
            tx.exec_params0("DELETE FROM flow_segments WHERE name = $1", out.name);
            tx.commit();
            return std::nullopt;
        }
        const std::string table = tx.quote_name(out.name);
        // Quoted now: the legacy path ends `tx` before it builds them.
        std::array<std::string, sealed_indexes.size()> index_names;
        for (std::size_t k = 0; k < sealed_indexes.size(); ++k)
            index_names[k] = tx.quote_name(out.name + std::string(sealed_indexes[k].suffix));
        const auto t0 = steady_clock::now();
        if (legacy) {
            // A day partition of an older version, possibly today's, still
            // written: built CONCURRENTLY (outside a transaction), so the
            // writer does not wait for the build. An invalid index left by an
            // interrupted build is dropped first, or IF NOT EXISTS keeps it.
            tx.commit();
            pqxx::nontransaction nt{c};
            // The pool's session timeout goes back whatever happens: the
            // connection returns to the pool, and the REST API relies on it.
            const auto timeout = nt.exec1("SHOW statement_timeout")[0].as<std::string>();
            nt.exec0("SET statement_timeout = 0");
            try {
                for (std::size_t k = 0; k < sealed_indexes.size(); ++k) {
                    const std::string& index = index_names[k];
                    const auto invalid = nt.exec_params1(
                        "SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass($1) AND NOT indisvalid",
                        index)[0].as<int>();
                    if (invalid != 0) nt.exec0("DROP INDEX CONCURRENTLY " + index);
                    nt.exec0("CREATE INDEX CONCURRENTLY IF NOT EXISTS " + index + " ON " + table +
                             std::string(sealed_indexes[k].definition));
                }
                nt.exec0("ANALYZE " + table);
            } catch (...) {
                if (c.is_open()) nt.exec0("SET statement_timeout = " + nt.quote(timeout));
                throw;
            }
            nt.exec0("SET statement_timeout = " + nt.quote(timeout));
            nt.exec_params0("UPDATE flow_segments SET sealed_at = now() WHERE name = $1", out.name);
        } else {
            // An ended segment: no writer left, a plain build (one sorted
            // pass, cheaper than CONCURRENTLY's two scans); the time BRIN
            // replaces the open segment's BRIN (a BRIN's ranges are small
            // while written, 128 pages once sealed).
            tx.exec0("SET LOCAL statement_timeout = 0");
            tx.exec0("SET LOCAL maintenance_work_mem = '256MB'");
            for (std::size_t k = 0; k < sealed_indexes.size(); ++k)
                tx.exec0("CREATE INDEX IF NOT EXISTS " + index_names[k] + " ON " + table +
                         std::string(sealed_indexes[k].definition));
            tx.exec0("DROP INDEX IF EXISTS " + tx.quote_name(out.name + "_open"));
            tx.exec0("DROP INDEX IF EXISTS " + tx.quote_name(out.name + "_hosts_bloom"));  // a v10 segment's
            tx.exec0("ANALYZE " + table);
            tx.exec_params0("UPDATE flow_segments SET sealed_at = now() WHERE name = $1", out.name);
            tx.commit();
        }
        out.seconds = duration<double>(steady_clock::now() - t0).count();
        pqxx::nontransaction nt{c};
        out.rows = static_cast<std::uint64_t>(std::max(
            0.0, nt.exec_params1("SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)", out.name)[0].as<double>()));
        return out;
    });
}

std::optional<merged> merge_next(db_pool& db, const settings& s, stopper* stop) {
    if (s.merge_rows == 0 || (stop != nullptr && stop->stopped())) return std::nullopt;
    return db.run("merging flow segments", [&](pqxx::connection& c) -> std::optional<merged> {
        const stop_guard guard(stop, c);
        if (!guard.may_run()) return std::nullopt;
        const auto t0 = steady_clock::now();
        merged out;
        std::string day_table;
        std::vector<leaf> run;
        bool over = false;
        {
            pqxx::work tx{c};
            if (!tx.exec_params1("SELECT pg_try_advisory_xact_lock($1)", merge_lock_key)[0].as<bool>()) return std::nullopt;
            // Days of segments (none of an older version, a plain table),
            // the most recent first: the one most read, and the oldest are
            // the next retention drops. Over: every leaf ended and sealed.
            const auto days = tx.exec_params(
                "SELECT day, bool_and(sealed_at IS NOT NULL) AND max(ends) < now() - make_interval(secs => $1)"
                " FROM flow_segments GROUP BY day HAVING count(*) >= 2 AND min(starts) > '-infinity' ORDER BY day DESC",
                static_cast<double>(s.grace.count()));
            for (const auto& d : days) {
                over = d[1].as<bool>();
                if (!over && s.merge_written_leaves == 0) continue;
                std::vector<leaf> leaves;
                for (const auto& r : tx.exec_params(
                         "SELECT s.name, extract(epoch FROM s.starts)::bigint, extract(epoch FROM s.ends)::bigint,"
                         " greatest(c.reltuples, 0)::bigint, s.sealed_at IS NOT NULL AND ($2 OR s.name !~ '_m[0-9]+_[0-9]+$')"
                         " FROM flow_segments s JOIN pg_class c ON c.oid = to_regclass(s.name) WHERE s.day = $1"
                         " ORDER BY s.starts",
                         d[0].as<std::string>(), over))
                    leaves.push_back({r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                                      r[3].as<std::uint64_t>(), r[4].as<bool>()});
                run = over ? first_run(leaves, s.merge_rows, 2, leaves.size())
                           : first_run(leaves, s.merge_rows, s.merge_written_leaves, s.merge_written_leaves);
                if (!run.empty()) {
                    day_table = d[0].as<std::string>();
                    break;
                }
            }
            if (run.empty()) return std::nullopt;
            out.name = merged_name(day_table, run.front().starts_s, run.back().ends_s);
            out.segments = run.size();
            // A copy that was never attached (a swap that gave up, a crash)
            // and is not this one: the run it was made for has changed.
            for (const auto& o : tx.exec(
                     "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname ~ '^flows_p[0-9]{8}_m[0-9]+_[0-9]+$'"
                     " AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)"))
                if (o[0].as<std::string>() != out.name) tx.exec0("DROP TABLE " + tx.quote_name(o[0].as<std::string>()));
            if (tx.exec_params1("SELECT to_regclass($1) IS NULL", out.name)[0].as<bool>()) {
                const auto day = partitions::day_of_name(day_table);
                if (!day) return std::nullopt;
                const std::string table = tx.quote_name(out.name);
                tx.exec0("SET LOCAL statement_timeout = 0");
                tx.exec0("SET LOCAL maintenance_work_mem = '256MB'");
                // No autovacuum until attached: a VACUUM of the fresh copy
                // (minutes, throttled) would hold a lock the swap's ATTACH
                // needs, and a swap waiting less than deadlock_timeout (1 s)
                // never has it cancelled.
                tx.exec0("CREATE TABLE " + table +
                         " (LIKE flows INCLUDING DEFAULTS INCLUDING CONSTRAINTS) WITH (autovacuum_enabled = false)");
                // In the leaves' order: ingested_at ascending, as the time BRIN wants.
                for (const auto& l : run)
                    out.rows += tx.exec0("INSERT INTO " + table + " SELECT * FROM " + tx.quote_name(l.name)).affected_rows();
                for (const auto& i : sealed_indexes)
                    tx.exec0("CREATE INDEX " + tx.quote_name(out.name + std::string(i.suffix)) + " ON " + table +
                             std::string(i.definition));
                // The partition constraint as a CHECK (its bounds and its
                // day's), so ATTACH need not scan the copy to prove it.
                tx.exec0("ALTER TABLE " + table + " ADD CONSTRAINT " + tx.quote_name(out.name + "_bounds") +
                         " CHECK (ingested_at >= " + bound(tx, run.front().starts_s) +
                         " AND ingested_at < " + bound(tx, run.back().ends_s) +
                         " AND first_seen >= " + tx.quote(partitions::start_literal(*day)) +
                         " AND first_seen < " + tx.quote(partitions::start_literal(*day + 1)) + ")");
                tx.exec0("ANALYZE " + table);
            } else {
                out.rows = static_cast<std::uint64_t>(std::max(
                    0.0, tx.exec_params1("SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)", out.name)[0].as<double>()));
            }
            tx.commit();
        }
        // The swap. DETACH and ATTACH lock the day: a long query on it makes
        // this wait, and the queries and COPYs behind it too, so it gives up
        // after swap_wait (swap_wait_written) and the next call tries again
        // with the copy made.
        try {
            pqxx::work tx{c};
            const auto wait = over ? s.swap_wait : s.swap_wait_written;
            tx.exec0("SET LOCAL lock_timeout = " + std::to_string(wait.count()));
            if (!tx.exec_params1("SELECT pg_try_advisory_xact_lock($1)", merge_lock_key)[0].as<bool>()) return std::nullopt;
            // All still there and listed: retention may have dropped the day
            // since, another collector swapped this copy in.
            if (tx.exec_params1("SELECT to_regclass($1) IS NULL", out.name)[0].as<bool>()) return std::nullopt;
            for (const auto& l : run)
                if (tx.exec_params1("SELECT count(*) FROM flow_segments WHERE name = $1 AND to_regclass($1) IS NOT NULL",
                                    l.name)[0].as<int>() != 1)
                    return std::nullopt;
            const std::string day = tx.quote_name(day_table);
            for (const auto& l : run) {
                tx.exec0("ALTER TABLE " + day + " DETACH PARTITION " + tx.quote_name(l.name));
                tx.exec0("DROP TABLE " + tx.quote_name(l.name));
                tx.exec_params0("DELETE FROM flow_segments WHERE name = $1", l.name);
            }
            tx.exec0("ALTER TABLE " + day + " ATTACH PARTITION " + tx.quote_name(out.name) + " FOR VALUES FROM (" +
                     bound(tx, run.front().starts_s) + ") TO (" + bound(tx, run.back().ends_s) + ")");
            tx.exec0("ALTER TABLE " + tx.quote_name(out.name) + " RESET (autovacuum_enabled)");
            tx.exec_params0("INSERT INTO flow_segments (name, day, starts, ends, sealed_at)"
                            " VALUES ($1, $2, to_timestamp($3), to_timestamp($4), now())",
                            out.name, day_table, static_cast<long long>(run.front().starts_s),
                            static_cast<long long>(run.back().ends_s));
            tx.commit();
        } catch (const pqxx::sql_error& e) {
            if (e.sqlstate() == "55P03") {  // lock_not_available: the copy is kept for the next call
                out.swapped = false;
                out.seconds = duration<double>(steady_clock::now() - t0).count();
                return out;
            }
            throw;
        }
        out.seconds = duration<double>(steady_clock::now() - t0).count();
        return out;
    });
}

std::uint64_t unsealed(db_pool& db) {
    return db.run("counting flow segments", [&](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        return tx.exec1("SELECT count(*) FROM flow_segments WHERE sealed_at IS NULL")[0].as<std::uint64_t>();
    });
}

}  // namespace wireflow::collector::flow_segments
