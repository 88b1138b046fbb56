// store::write_batches: a group of batches in one transaction. Each batch
// identity goes into ingested_batches; the rows of the batches that are new
// go into flows by one binary COPY (PostgreSQL routes them to their day's
// partition). A batch is immutable, so its identity, written in the same
// transaction as its rows, is all the de-duplication needed: no staging
// table, no INSERT ... SELECT, no per-record unique index (schema v3).
#include "store_impl.hpp"

#include "flow_rows.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <new>
#include <string>
#include <vector>

namespace wireflow::collector {
namespace {

// First occurrence wins: a second insert of the same identity in the group
// affects no row, as does one committed earlier (by any collector).
// first_seen_min (schema v9): the live views' lower bound on first_seen
// (flow_query), NULL for a batch without records.
constexpr const char* insert_batch_sql =
    "INSERT INTO ingested_batches (probe_id, boot_id, sequence, records, first_seen_min)"
    " VALUES ($1, $2::bigint, $3::bigint, $4::integer,"
    " timestamptz 'epoch' + $5::bigint * interval '1 microsecond') ON CONFLICT DO NOTHING";

const std::string copy_flows_sql =
    "COPY flows (" + std::string(flow_rows::copy_columns) + ") FROM STDIN (FORMAT binary)";

// A decimal parameter (uint64 as the bigint of the same 64 bits, see store.hpp).
struct decimal {
    std::array<char, 24> text{};
    explicit decimal(long long v) noexcept { *std::to_chars(text.data(), text.data() + text.size() - 1, v).ptr = '\0'; }
    [[nodiscard]] const char* c_str() const noexcept { return text.data(); }
};

std::string identity_text(const batch_id& id) {
    return id.probe_id + "/" + std::to_string(id.boot_id) + "/" + std::to_string(id.sequence);
}

}  // namespace

pg_connection& store::impl::writer_connection() {
    if (writer && !writer->broken()) return *writer;
    writer.reset();
    auto w = std::make_unique<pg_connection>(conninfo);
    w->prepare("wf_insert_batch", insert_batch_sql);
    writer = std::move(w);
    return *writer;
}

std::vector<write_result> store::write_batches(std::span<const flow_batch> batches) {
    if (batches.empty()) return {};
    auto& s = *impl_;
    // Every row is encoded before any SQL is sent: a record that no COPY
    // could hold refuses the group without a round trip.
    s.rows.clear();
    s.row_ends.clear();
    s.rows.header();
    const std::size_t header_end = s.rows.size();
    for (const auto& b : batches) {
        if (!flow_rows::encode(b, s.rows)) {
            s.rows.clear();
            throw store_error(store_error::kind::rejected,
                              "store: write batches: batch " + identity_text(b.id) + " holds an address of no family");
        }
        s.row_ends.push_back(s.rows.size());
    }
    const std::size_t trailer_begin = s.rows.size();
    s.rows.trailer();

    pg_connection* w = nullptr;
    try {
        w = &s.writer_connection();
        std::vector<write_result> results(batches.size(), write_result::duplicate);
        s.chunks.clear();
        s.chunks.push_back(s.rows.bytes(0, header_end));
        bool any_new = false;
        w->exec("BEGIN");
        for (std::size_t i = 0; i < batches.size(); ++i) {
            const auto& id = batches[i].id;
            const decimal boot{static_cast<long long>(id.boot_id)};
            const decimal seq{static_cast<long long>(id.sequence)};
            const decimal records{static_cast<long long>(batches[i].records.size())};
            const auto& recs = batches[i].records;
            // The same microseconds as the rows' first_seen (flow_rows::encode),
            // compared signed (an instant before 1970 is negative).
            std::int64_t first_us_min = recs.empty() ? 0 : flow_rows::unix_us(recs.front().first_seen_ns);
            for (const auto& r : recs) first_us_min = std::min(first_us_min, flow_rows::unix_us(r.first_seen_ns));
            const decimal first_us{static_cast<long long>(first_us_min)};
            const std::array<const char*, 5> values{id.probe_id.c_str(), boot.c_str(), seq.c_str(), records.c_str(),
                                                    recs.empty() ? nullptr : first_us.c_str()};
            if (w->exec_prepared("wf_insert_batch", values) != 1) continue;
            results[i] = write_result::stored;
            any_new = true;
            // Rows of consecutive new batches are adjacent in the buffer: one chunk.
            const std::size_t begin = i == 0 ? header_end : s.row_ends[i - 1];
            const std::size_t end = s.row_ends[i];
            const bool extends = i > 0 && results[i - 1] == write_result::stored && s.chunks.size() > 1;
            if (extends) s.chunks.back() = s.rows.bytes(begin - s.chunks.back().size(), end);
            else s.chunks.push_back(s.rows.bytes(begin, end));
        }
        if (any_new) {
            s.chunks.push_back(s.rows.bytes(trailer_begin, s.rows.size()));
            w->copy_in(copy_flows_sql.c_str(), s.chunks);
        }
        // A COMMIT whose answer is lost leaves the outcome unknown: the error
        // is `unavailable`, and the retry is safe (identities de-duplicate).
        w->exec("COMMIT");
        return results;
    } catch (...) {
        // Nothing of the group is committed: roll back what the server still
        // holds, or drop a lost connection so the next write opens a new one.
        if (w && !w->broken()) w->rollback();
        if (s.writer && s.writer->broken()) s.writer.reset();
        try {
            throw;
        } catch (const store_error&) {
            throw;
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            throw store_error(store_error::kind::unavailable, std::string("store: write batches: ") + e.what());
        }
    }
}

}  // namespace wireflow::collector
