// store::write_batches: a group of batches in one transaction. Each batch
// identity goes into ingested_batches; the rows of the batches that are new
// go into flows by one binary COPY (PostgreSQL routes them to their day's
// partition). A batch is immutable, so its identity, written in the same
// transaction as its rows, is all the de-duplication needed: no staging
// table, no INSERT ... SELECT, no per-record unique index (schema v3).
#include "store_impl.hpp"

#include "flow_rows.hpp"

#include <array>
#include <charconv>
#include <exception>
#include <functional>
#include <new>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <string>
#include <vector>

namespace wireflow::collector {
namespace {

// First occurrence wins: a second insert of the same identity in the group
// affects no row, as does one committed earlier (by any collector).
constexpr const char* insert_batch_sql =
    "INSERT INTO ingested_batches (probe_id, boot_id, sequence, records)"
    " VALUES ($1, $2::bigint, $3::bigint, $4::integer) ON CONFLICT DO NOTHING";

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

// The lane of a batch: both copies of a re-sent batch land in the same
// lane, so two lanes never wait on each other's identity insert (and cannot
// deadlock on ingested_batches). Not security-relevant: only load spreading.
std::size_t lane_of(const batch_id& id, std::size_t lanes) noexcept {
    std::uint64_t h = std::hash<std::string_view>{}(id.probe_id);
    h ^= (id.boot_id + 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
    h ^= (id.sequence + 0x94d049bb133111ebULL) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 31;
    return static_cast<std::size_t>(h % lanes);
}

// Rethrows a failure as the caller sees it: store_error and bad_alloc as
// they are, anything else as unavailable.
[[noreturn]] void rethrow_mapped(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const store_error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& ex) {
        throw store_error(store_error::kind::unavailable, std::string("store: write batches: ") + ex.what());
    }
}

}  // namespace

pg_connection& store::impl::writer_connection(std::size_t lane) {
    auto& conn = lanes[lane].conn;
    if (conn && !conn->broken()) return *conn;
    conn.reset();
    auto w = std::make_unique<pg_connection>(conninfo);
    w->prepare("wf_insert_batch", insert_batch_sql);
    conn = std::move(w);
    return *conn;
}

void store::set_writer_lanes(std::size_t lanes) {
    if (lanes < 1 || lanes > 8) throw std::invalid_argument("store: writer lanes must be 1 to 8");
    impl_->lanes.resize(lanes);
}

namespace {

// A lane's rows, encoded before any SQL is sent: a record that no COPY could
// hold refuses the group without a round trip.
void encode_lane(store::impl::writer_lane& l, std::span<const flow_batch> batches) {
    l.rows.clear();
    l.row_ends.clear();
    l.rows.header();
    l.header_end = l.rows.size();
    for (const auto i : l.members) {
        if (!flow_rows::encode(batches[i], l.rows)) {
            l.rows.clear();
            throw store_error(store_error::kind::rejected, "store: write batches: batch " +
                                                               identity_text(batches[i].id) +
                                                               " holds an address of no family");
        }
        l.row_ends.push_back(l.rows.size());
    }
    l.trailer_begin = l.rows.size();
    l.rows.trailer();
}

// BEGIN, the lane's identities, the COPY of its new batches' rows; no COMMIT.
// Sets results[i] of the lane's members only (distinct elements per lane).
void send_lane(store::impl& s, std::size_t lane, std::span<const flow_batch> batches,
               std::vector<write_result>& results) {
    auto& l = s.lanes[lane];
    pg_connection& w = s.writer_connection(lane);
    const std::size_t header_end = l.header_end;
    const std::size_t trailer_begin = l.trailer_begin;
    l.chunks.clear();
    l.chunks.push_back(l.rows.bytes(0, header_end));
    bool any_new = false;
    bool previous_stored = false;
    w.exec("BEGIN");
    l.open_tx = true;
    for (std::size_t k = 0; k < l.members.size(); ++k) {
        const auto& id = batches[l.members[k]].id;
        const decimal boot{static_cast<long long>(id.boot_id)};
        const decimal seq{static_cast<long long>(id.sequence)};
        const decimal records{static_cast<long long>(batches[l.members[k]].records.size())};
        const std::array<const char*, 4> values{id.probe_id.c_str(), boot.c_str(), seq.c_str(), records.c_str()};
        if (w.exec_prepared("wf_insert_batch", values) != 1) {
            previous_stored = false;
            continue;
        }
        results[l.members[k]] = write_result::stored;
        any_new = true;
        // Rows of consecutive new batches are adjacent in the buffer: one chunk.
        const std::size_t begin = k == 0 ? header_end : l.row_ends[k - 1];
        const std::size_t end = l.row_ends[k];
        if (previous_stored) l.chunks.back() = l.rows.bytes(begin - l.chunks.back().size(), end);
        else l.chunks.push_back(l.rows.bytes(begin, end));
        previous_stored = true;
    }
    if (any_new) {
        l.chunks.push_back(l.rows.bytes(trailer_begin, l.rows.size()));
        w.copy_in(copy_flows_sql.c_str(), l.chunks);
    }
}

// Ends every open transaction without committing; drops lost connections.
void abandon(store::impl& s) noexcept {
    for (auto& l : s.lanes) {
        if (l.open_tx && l.conn && !l.conn->broken()) l.conn->rollback();
        l.open_tx = false;
        if (l.conn && l.conn->broken()) l.conn.reset();
    }
}

}  // namespace

std::vector<write_result> store::write_batches(std::span<const flow_batch> batches) {
    if (batches.empty()) return {};
    auto& s = *impl_;
    const std::size_t lanes = std::min(s.lanes.size(), batches.size());
    for (auto& l : s.lanes) {
        l.members.clear();
        l.open_tx = false;
    }
    for (std::size_t i = 0; i < batches.size(); ++i)
        s.lanes[lanes == 1 ? 0 : lane_of(batches[i].id, lanes)].members.push_back(i);
    for (std::size_t k = 0; k < lanes; ++k) encode_lane(s.lanes[k], batches);

    std::vector<write_result> results(batches.size(), write_result::duplicate);
    std::vector<std::exception_ptr> errors(lanes);
    {
        // Lane 0 on this thread, the others on threads of their own for
        // the length of the call (a group takes tens of milliseconds; a
        // thread start, microseconds).
        std::vector<std::thread> helpers;
        helpers.reserve(lanes - 1);
        const auto run = [&](std::size_t k) {
            try {
                if (!s.lanes[k].members.empty()) send_lane(s, k, batches, results);
            } catch (...) {
                errors[k] = std::current_exception();
            }
        };
        try {
            for (std::size_t k = 1; k < lanes; ++k) helpers.emplace_back(run, k);
        } catch (const std::system_error&) {
            // No thread to be had: the lanes that did not start run here.
            for (std::size_t k = helpers.size() + 1; k < lanes; ++k) run(k);
        }
        run(0);
        for (auto& t : helpers) t.join();
    }
    for (const auto& e : errors) {
        if (!e) continue;
        // Nothing of the group is committed: roll back what the servers
        // still hold, or drop lost connections so the next write opens new ones.
        abandon(s);
        rethrow_mapped(e);
    }
    for (std::size_t k = 0; k < lanes; ++k) {
        auto& l = s.lanes[k];
        if (!l.open_tx) continue;
        try {
            // A COMMIT whose answer is lost leaves the outcome unknown: the
            // error is `unavailable`, and the retry is safe (identities de-duplicate).
            l.conn->exec("COMMIT");
            l.open_tx = false;
        } catch (...) {
            l.open_tx = false;
            if (l.conn && l.conn->broken()) l.conn.reset();
            abandon(s);
            rethrow_mapped(std::current_exception());
        }
    }
    return results;
}

}  // namespace wireflow::collector
