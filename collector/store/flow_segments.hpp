#pragma once
// Segments of a day partition of `flows` (schema v10-v11, issue #11): the
// rows a day receives are split by the time they were stored (ingested_at)
// into segments of about a million rows. The segment being written has no
// host index, only one BRIN (v11) of both times (minmax) and both addresses
// (Bloom filters), so the writer's COPY costs about what a COPY into an
// unindexed table does; once its time range has passed it is sealed: its two
// host b-trees, (client_ip, first_seen) and (server_ip, first_seen), and a
// BRIN of both times are built in one sorted pass each, which costs less
// than half of what a host index maintained row by row costs
// (docs/benchmarks.md, "What a seal would cost"). A host lookup then reads
// the b-trees of sealed segments and the small Bloom filters of the one
// open segment. Rows stored outside every segment's range (late records of
// a past day, a stalled collector) go to the day's default partition
// (flows_pYYYYMMDD_late), which keeps its b-trees row by row: always
// correct, only slower to write.
//
// Runs of adjacent sealed segments are merged into one leaf of at most
// merge_rows rows (merge_next): a query plans and probes every leaf of its
// range, so a day at a high rate (288 segments of 5 min at 10,000
// records/s) would otherwise cost a week-long host lookup hundreds of index
// probes. While a day is written, every merge_written_leaves sealed
// segments become one leaf; once it is over, its adjacent leaves are merged
// again up to merge_rows. Each row is written at most twice more, in the
// background; the open segment is what a small --flow-segment-rows keeps
// cheap to search, merging what keeps the leaves few (docs/benchmarks.md,
// "Merging a past day's segments", "Merging the day being written").
//
// Layout: flows (RANGE first_seen, a day each: partitions.hpp)
//           -> flows_pYYYYMMDD (RANGE ingested_at)
//                -> flows_pYYYYMMDD_s<unix seconds of the start>   (segments)
//                -> flows_pYYYYMMDD_m<start>_<end>                 (merged segments)
//                -> flows_pYYYYMMDD_late                           (default)
// The table flow_segments lists the segments and what is left to seal
// (including, after the v10 migration, the day partitions of older versions).
//
// The functions run on db_pool connections from the collector's blocking
// lane (collector_app: task "flow-segments", every 2 s), never on the
// writer's connection; all decisions use the server's clock, the one that
// fills ingested_at. Each throws store_error like every db_pool user.

#include "db_pool.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector::flow_segments {

class stopper;  // below: ends a seal or merge in progress when the collector stops

// The indexes of a leaf that is no longer written in bulk: a sealed segment
// (built by the seal) and a day's default partition `_late` (kept row by
// row from its creation). The index of leaf L is named L + suffix; the
// definition follows the table name in CREATE INDEX.
struct leaf_index {
    std::string_view suffix;
    std::string_view definition;
};
inline constexpr std::array<leaf_index, 3> sealed_indexes{{
    {"_client", " (client_ip, first_seen)"},                 // a host's flows, client side
    {"_server", " (server_ip, first_seen)"},                 // server side
    {"_times", " USING brin (first_seen, ingested_at)"},     // time ranges, the live views
}};

struct settings {
    // Rows a segment should hold at the recent rate (flow_segments.cpp). Its
    // Bloom filters are what a host lookup reads of the open segment:
    // ~5 MB a million rows (4 pages per range); a typical host's flows on
    // 50M rows took 4.2 ms with a full 250k-row open segment, 8.7 with a
    // full 1M one (docs/benchmarks.md, "The open segment's statistics").
    std::uint64_t target_rows = 250'000;
    // Bounds on a segment's time range. A query over a day plans every
    // leaf of it (a week of host lookups planned in 45-60 ms with ~5 leaves
    // a day, docs/benchmarks.md): at low rates a segment spans up to a day.
    std::chrono::seconds min_span{300};
    std::chrono::seconds max_span{24 * 3600};
    std::chrono::seconds lead{60};            // the next segment exists this long before it starts
    std::chrono::seconds grace{60};           // after its end, before it is sealed (transactions in flight)
    // Rows of a merged leaf at most (0: never merge). A merge of ~4 min
    // here (~8 us a row), one leaf a day up to ~370 records/s.
    std::uint64_t merge_rows = 32'000'000;
    // A day still written: its sealed segments are merged once this many
    // are adjacent (or fewer, when merge_rows bounds the run), never with a
    // leaf merged already, so each row is copied at most twice (once today,
    // once when the day is over). 0: only past days are merged.
    std::size_t merge_written_leaves = 8;
    // How long a swap waits for the day's locks before it gives up (and
    // tries again on the next call). A day still written waits less: the
    // writer's COPY queues behind the swap's ACCESS EXCLUSIVE lock request,
    // so this bounds what a merge adds to an acknowledgement.
    std::chrono::milliseconds swap_wait{2000};
    std::chrono::milliseconds swap_wait_written{200};
};

// Creates the segments that must exist within `lead` from now on the days of
// now and of now + lead (those whose day partition exists and is segmented).
// Returns the number created.
int open_segments(db_pool& db, const settings& s = {});

// Summarizes the new ranges of the open segments' BRIN indexes, so a host
// lookup reads their Bloom filters instead of scanning their unsummarized
// tail (a BRIN insert into an unsummarized range does nothing). Returns the
// number of ranges summarized.
std::uint64_t summarize_open_segments(db_pool& db, const settings& s = {});

// ANALYZEs each open segment that has rows and no statistics yet, or whose
// heap has doubled since its statistics were gathered (at least 32 pages):
// until then the planner guesses its rows, and for a host's flows it read
// the open segment through the BRIN's time column instead of its Bloom
// filters (1M rows: ~400 ms against ~15, docs/benchmarks.md "The open
// segment's statistics"). Autovacuum does this too, but late on a busy
// server. A segment locked by another ANALYZE or VACUUM is skipped until the
// next call. Returns the number of segments that were due.
int analyze_open_segments(db_pool& db, const settings& s = {});

struct sealed {
    std::string name;          // the partition sealed
    std::uint64_t rows{0};     // its rows (estimate of the statistics just gathered)
    double seconds{0};         // the seal's time: three index builds and ANALYZE
};

// Seals the oldest segment whose range ended more than `grace` ago: builds
// its host b-trees and time BRIN, drops the open segment's BRIN, gathers
// its statistics. Nothing
// when there is none; one segment per call, so a caller's tick stays short.
std::optional<sealed> seal_next(db_pool& db, const settings& s = {}, stopper* stop = nullptr);

struct merged {
    std::string name;           // the leaf made
    std::size_t segments{0};    // the leaves it replaced
    std::uint64_t rows{0};      // its rows
    double seconds{0};          // copy, index builds, ANALYZE and the swap
    bool swapped{true};         // false: made, but the day's locks were busy (next call swaps it)
};

// Merges the first run of adjacent sealed leaves (by start) of the most
// recent day that has one, of at most merge_rows rows together, into one
// leaf with the sealed indexes. A day whose segments have all ended `grace`
// ago and been sealed: any two or more adjacent leaves; a day still
// written: merge_written_leaves sealed segments, none merged already.
// The copy and index builds run in one transaction (the leaves are no
// longer written: readers and the writer go on), the swap (DETACH, ATTACH,
// DROP) in a second one that waits at most swap_wait (swap_wait_written)
// for the day's locks; when it cannot have them (a long query, a VACUUM of
// a leaf) it gives up, `swapped` false, and the next call swaps the copy
// already made. Nothing when there is no such run, or another collector is
// merging. Not on the writer's thread: minutes at merge_rows.
std::optional<merged> merge_next(db_pool& db, const settings& s = {}, stopper* stop = nullptr);

// Ends the seal and the merge in progress from another thread (the
// collector's stop): at 100,000 records/s a seal of a 5-minute segment
// takes minutes here, a merge of 32M rows more, and a collector stopping
// must not wait for them past systemd's stop timeout. Their transactions
// roll back (nothing lost: the next start seals or merges again), the call
// throws store_error, and none starts once stopped.
class stopper {
public:
    // Cancels the statements of the seal and merge in progress until they
    // have ended (a cancel between two statements is lost: sent again every
    // 50 ms), for at most `wait`; later seals and merges do not start.
    void stop(db_pool& db, std::chrono::milliseconds wait = std::chrono::seconds(10)) noexcept;
    [[nodiscard]] bool stopped() const noexcept;

private:
    friend class stop_guard;
    mutable std::mutex mutex_;
    bool stopped_{false};
    std::vector<int> backends_;  // pg_backend_pid() of the connections sealing or merging now
};

// Segments left to seal, whether their range has ended or not.
[[nodiscard]] std::uint64_t unsealed(db_pool& db);

}  // namespace wireflow::collector::flow_segments
