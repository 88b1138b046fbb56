#pragma once
// The collector's PostgreSQL store: every SQL statement of wireflow lives in
// collector/store/ and is parameterized. One `store` owns two connections
// (libpqxx for migrations, partitions, statistics and reads; libpq for the
// binary COPY of write_batches) and is used by ONE thread (the collector's database thread); it is not thread-safe.
//
// Errors: every database failure throws `store_error` and commits nothing.
//   kind::unavailable  the server is unreachable, restarting, or the commit's
//                      outcome is unknown: keep the data (spool) and retry the
//                      same call later. Retrying write_batches is always safe:
//                      batches and records are de-duplicated by identity.
//                      The next call reconnects by itself (or call reconnect()),
//                      and throws unavailable again while the server is down.
//   kind::rejected     the server refused the data itself (SQLSTATE class 22
//                      data exception or 23 integrity): retrying the same group
//                      will fail again. Write its batches one by one to find the
//                      culprit and answer it REJECTED.
// Setup (construction, migrate) throws store_error too.

#include "model/flow_batch.hpp"
#include "model/store_error.hpp"
#include "model/probe_stats.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector {

// Per batch, in the order given to write_batches.
enum class write_result : std::uint8_t {
    stored,     // committed now: ack STORED
    duplicate,  // this identity was committed earlier (or earlier in the same group): ack DUPLICATE
};

// A flow as read back (tests, tools): the record plus the batch that carried
// it and the blacklist names stored with it (the record's labels stay 0).
struct stored_flow {
    batch_id batch;
    flow_record row;
    std::string client_blacklist, server_blacklist;
};

struct partition_info {
    std::string name;        // "flows_p20240131" (UTC day) or "flows_default"
    std::uint64_t rows{0};
};


class store {
public:
    // Connects with a libpq connection string (--db), e.g.
    // "host=127.0.0.1 port=5432 user=wireflow dbname=wireflow".
    // Throws store_error(unavailable) when the server cannot be reached.
    explicit store(std::string conninfo);
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;
    store(store&&) noexcept;
    store& operator=(store&&) noexcept;

    // Applies the schema migrations not yet applied, each in its own
    // transaction, under an advisory lock so concurrent starts are safe.
    // Idempotent: call it at every start. Returns the schema version now in place.
    int migrate();
    [[nodiscard]] static int latest_schema_version() noexcept;

    // Creates the daily partitions of `flows` (UTC days) from the day of `now`
    // to `days_ahead` days after it, if missing. Rows already waiting in the
    // default partition for such a day are moved into the new partition.
    // Since schema v10 a day is partitioned by ingested_at: its segments are
    // flow_segments.hpp's, and its default partition (NAME_late, with host
    // b-trees) takes the rows no segment covers.
    // Returns the number of partitions created. Call at start and e.g. hourly.
    int ensure_partitions(std::chrono::system_clock::time_point now, int days_ahead);

    // Retention: drops whole daily partitions whose day ends at or before
    // `cutoff` (never DELETEs rows). Returns the number dropped. The default
    // partition (records far outside the daily range) is never dropped.
    int drop_partitions_before(std::chrono::system_clock::time_point cutoff);

    // Writes a group of batches in ONE transaction: each batch identity into
    // ingested_batches (ON CONFLICT DO NOTHING), then the records of the new
    // ones by binary COPY into flows. Exactly-once is the batch's: a batch is
    // immutable (a probe re-sends it under the same identity), so its rows
    // are stored with its identity or not at all, and a re-sent batch stores
    // nothing. Returns one result per batch, same order. Throws store_error
    // (nothing committed) on any failure. Requirements on the data (ingest
    // validates them): strings valid UTF-8 without NUL bytes (the server
    // refuses them: rejected); valid addresses (a record without an address
    // family is rejected before anything is sent).
    // uint64 values (boot_id, flow_id, counters, ns times) are stored in
    // bigint columns as the same 64 bits (values >= 2^63 read back negative in SQL).
    std::vector<write_result> write_batches(std::span<const flow_batch> batches);

    // Upserts the probes row (first/last seen, latest stats) and appends a
    // probe_stats row. One transaction.
    void write_probe_stats(const probe_stats& stats);

    // Drops the connections and opens a new one (the batch writer's own
    // connection reopens at the next write). Throws store_error(unavailable).
    void reconnect();
    [[nodiscard]] bool is_open() const noexcept;
    // Server process id of the connection write_batches uses, opening it if
    // needed (tests kill it to simulate failures). Throws store_error.
    [[nodiscard]] int backend_pid();

    // ---- read helpers (tests, tools, health checks) ----
    [[nodiscard]] std::uint64_t count_flows();
    [[nodiscard]] std::uint64_t count_ingested_batches();
    [[nodiscard]] std::vector<stored_flow> read_flows(std::string_view probe_id);  // ordered by flow_id, first_seen_ns
    [[nodiscard]] std::vector<partition_info> list_partitions();                  // ordered by name
    [[nodiscard]] std::optional<probe_stats> latest_probe_stats(std::string_view probe_id);
    [[nodiscard]] std::uint64_t count_probe_stats(std::string_view probe_id);

    // Opaque state (store_impl.hpp), named here for the .cpp files only.
    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace wireflow::collector
