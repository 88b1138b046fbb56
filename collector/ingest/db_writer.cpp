#include "db_writer.hpp"

#include <pthread.h>

#include <algorithm>
#include <system_error>

#include "batch_decoder.hpp"
#include "store/store.hpp"

namespace wireflow::collector::ingest {

namespace {

using clock_type = std::chrono::steady_clock;

// A libpq key=value string without connect_timeout would let a black-holed
// server block the thread for the kernel's TCP timeout; bound it.
std::string with_connect_timeout(const std::string& conninfo) {
    if (conninfo.find("://") != std::string::npos || conninfo.find("connect_timeout") != std::string::npos)
        return conninfo;
    return conninfo + " connect_timeout=5";
}

}  // namespace

db_writer::db_writer(db_writer_settings settings, std::unique_ptr<spool> sp, collector_stats& stats,
                     std::function<void(std::vector<ack_item>&&)> deliver, batch_recycler* recycler)
    : settings_(std::move(settings)), spool_(std::move(sp)), stats_(stats), deliver_(std::move(deliver)),
      recycler_(recycler) {
    settings_.conninfo = with_connect_timeout(settings_.conninfo);
    stats_.spool_truncated_bytes = spool_->truncated_bytes();
    publish_spool();
    thread_ = std::thread([this] { run(); });
}

db_writer::~db_writer() {
    close();
    if (thread_.joinable()) thread_.join();
}

void db_writer::submit(work_item&& w) {
    queued_bytes_.fetch_add(w.bytes, std::memory_order_relaxed);
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(w));
    }
    cv_.notify_one();
}

std::size_t db_writer::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void db_writer::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    cv_.notify_one();
}

void db_writer::publish_spool() {
    stats_.spool_bytes = spool_->bytes();
    stats_.spool_batches = spool_->records();
}

void db_writer::run() {
    // A name of its own (15 bytes at most) so that perf, top -H and gdb tell
    // the database thread from ingest and HTTP (tests/bench/collector_profile.sh).
    pthread_setname_np(pthread_self(), "wf-db-writer");
    for (;;) {
        maybe_connect();
        if (db_ && !spool_->empty()) replay_one_segment();
        work_item w;
        {
            std::unique_lock lock(mutex_);
            // Come back soon when there is spool to replay or a reconnect due.
            const auto wait = db_ ? (spool_->empty() ? std::chrono::milliseconds(500) : std::chrono::milliseconds(0))
                                  : std::chrono::milliseconds(100);
            cv_.wait_for(lock, wait, [this] { return !queue_.empty() || closed_; });
            if (queue_.empty()) {
                if (closed_) break;
                lock.unlock();
                maintenance();
                continue;
            }
            w = std::move(queue_.front());
            queue_.pop_front();
        }
        process(w);
        queued_bytes_.fetch_sub(w.bytes, std::memory_order_relaxed);
        maintenance();
    }
    try {
        spool_->seal();
    } catch (const std::exception& e) {
        log_.log("spool", std::string("spool sync at exit failed: ") + e.what());
    }
    finished_ = true;
}

void db_writer::maybe_connect() {
    if (db_ || clock_type::now() < next_attempt_) return;
    try {
        auto s = std::make_unique<store>(settings_.conninfo);
        s->migrate();
        const auto now = std::chrono::system_clock::now();
        s->ensure_partitions(now, settings_.partition_days_ahead);
        s->drop_partitions_before(now - std::chrono::hours(24) * settings_.retention_days);
        db_ = std::move(s);
        next_maintenance_ = clock_type::now() + std::chrono::hours(1);
        backoff_ = std::chrono::milliseconds(100);
        if (ever_connected_) ++stats_.db_reconnects;
        ever_connected_ = true;
        stats_.db_up = true;
        log_.log("db-up", "connected to PostgreSQL" +
                              (spool_->empty() ? std::string()
                                               : ", replaying " + std::to_string(spool_->records()) +
                                                     " spooled batches"));
    } catch (const std::exception& e) {
        ++stats_.db_errors;
        log_.log("db-connect", std::string("PostgreSQL unavailable, spooling: ") + e.what());
        next_attempt_ = clock_type::now() + backoff_;
        backoff_ = std::min(backoff_ * 2, settings_.max_backoff);
    }
}

void db_writer::mark_down(const std::string& why) {
    db_.reset();
    stats_.db_up = false;
    ++stats_.db_errors;
    next_attempt_ = clock_type::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, settings_.max_backoff);
    log_.log("db-down", "PostgreSQL connection lost, spooling: " + why);
}

bool db_writer::try_store(std::span<const flow_batch> batches, std::vector<ack_status>& out,
                          std::vector<std::string>& reasons) {
    if (!db_) return false;
    try {
        const auto t0 = clock_type::now();
        const auto results = db_->write_batches(batches);
        const auto us = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0).count());
        ++stats_.db_writes;
        stats_.db_last_write_us = us;
        stats_.db_total_write_us += us;
        for (std::size_t i = 0; i < batches.size(); ++i) {
            const bool stored = i < results.size() && results[i] == write_result::stored;
            out[i] = stored ? ack_status::stored : ack_status::duplicate;
            if (stored) {
                ++stats_.batches_stored;
                stats_.records_stored += batches[i].records.size();
                if (settings_.on_stored) settings_.on_stored(batches[i]);
            } else {
                ++stats_.batches_duplicate;
            }
        }
        return true;
    } catch (const store_error& e) {
        if (e.retryable()) {
            mark_down(e.what());
            return false;
        }
        if (batches.size() == 1) {
            ++stats_.rejected[static_cast<std::size_t>(reject_reason::store_refused)];
            out[0] = ack_status::rejected;
            reasons[0] = "store refused the batch";
            log_.log("store-refused", "PostgreSQL refused batch " + batches[0].id.probe_id + "/" +
                                          std::to_string(batches[0].id.boot_id) + "/" +
                                          std::to_string(batches[0].id.sequence) + ": " + e.what());
            return true;
        }
        // Find the culprit: one batch at a time.
        for (std::size_t i = 0; i < batches.size(); ++i) {
            std::vector<ack_status> one(1);
            std::vector<std::string> why(1);
            if (!try_store(batches.subspan(i, 1), one, why)) return false;
            out[i] = one[0];
            reasons[i] = std::move(why[0]);
        }
        return true;
    } catch (const std::exception& e) {
        // Not a store_error (e.g. bad_alloc in the driver): treat as an outage.
        mark_down(e.what());
        return false;
    }
}

std::vector<ack_status> db_writer::write_group(std::span<const flow_batch> batches, std::span<zmq::message_t> bodies,
                                               std::vector<std::string>& reasons) {
    std::vector<ack_status> out(batches.size(), ack_status::busy);
    reasons.assign(batches.size(), std::string());
    if (try_store(batches, out, reasons)) return out;
    // PostgreSQL is unreachable: the spool makes the group durable. try_store
    // may have settled some batches (split after a rejection) before the
    // outage; those whose status is still busy go to the spool.
    std::vector<std::size_t> appended;
    try {
        for (std::size_t i = 0; i < batches.size(); ++i) {
            if (out[i] != ack_status::busy) continue;
            const auto payload = std::as_bytes(std::span{bodies[i].data<char>(), bodies[i].size()});
            if (spool_->append(payload)) {
                appended.push_back(i);
            } else {
                reasons[i] = "collector spool full";
            }
        }
        spool_->sync();
        for (const auto i : appended) {
            out[i] = ack_status::stored;
            ++stats_.batches_spooled;
        }
    } catch (const std::system_error& e) {
        // Not durable: BUSY, the probe keeps it. Anything that did reach the
        // disk is replayed later and de-duplicated by the store.
        log_.log("spool-io", std::string("spool write failed: ") + e.what());
        for (const auto i : appended) reasons[i] = "collector spool unwritable";
    }
    for (std::size_t i = 0; i < batches.size(); ++i)
        if (out[i] == ack_status::busy) ++stats_.batches_busy;
    if (!appended.empty() && appended.size() < batches.size())
        log_.log("spool-full", "spool full (" + std::to_string(spool_->bytes()) + " bytes): answering BUSY");
    publish_spool();
    return out;
}

void db_writer::process(work_item& w) {
    for (const auto& s : w.stats) {
        if (!db_) {
            ++stats_.probe_stats_dropped;
            continue;
        }
        try {
            db_->write_probe_stats(s);
            ++stats_.probe_stats_stored;
        } catch (const store_error& e) {
            ++stats_.probe_stats_dropped;
            if (e.retryable()) mark_down(e.what());
        }
    }
    if (w.batches.empty()) return;
    std::vector<std::string> reasons;
    if (settings_.before_store)
        for (auto& b : w.batches) settings_.before_store(b);
    const auto results = write_group(w.batches, w.bodies, reasons);
    std::vector<ack_item> acks;
    acks.reserve(w.batches.size());
    for (std::size_t i = 0; i < w.batches.size(); ++i)
        acks.push_back({std::move(w.targets[i]), std::move(w.batches[i].id), results[i], std::move(reasons[i])});
    deliver_(std::move(acks));
    if (recycler_) recycler_->give(w.batches);
}

void db_writer::replay_one_segment() {
    try {
        spool_->seal();
        const auto segments = spool_->segments();
        if (segments.empty()) return;
        const auto seg = segments.front();
        std::vector<flow_batch> batches;
        wireflow::v1::Envelope env;
        for (const auto& rec : spool_->read_segment(seg)) {
            flow_batch b;
            if (!parse_envelope(std::as_bytes(std::span{rec.data(), rec.size()}), env) || !env.has_batch() ||
                decode_batch(env.batch(), b)) {
                // Validated before it was spooled; only a bug gets here.
                ++stats_.rejected[static_cast<std::size_t>(reject_reason::undecodable)];
                continue;
            }
            if (settings_.before_store) settings_.before_store(b);
            batches.push_back(std::move(b));
        }
        const std::size_t step = std::max<std::size_t>(1, settings_.replay_group_batches);
        for (std::size_t i = 0; i < batches.size(); i += step) {
            const auto part = std::span<const flow_batch>(batches).subspan(i, std::min(step, batches.size() - i));
            std::vector<ack_status> out(part.size(), ack_status::busy);
            std::vector<std::string> reasons(part.size());
            if (!try_store(part, out, reasons)) return;  // down again: the segment stays
        }
        spool_->remove_segment(seg);
        stats_.batches_replayed += batches.size();
        publish_spool();
        if (spool_->empty()) log_.log("replayed", "spool replayed into PostgreSQL");
    } catch (const std::system_error& e) {
        // The segment stays (its batches were acked); try again later rather
        // than spin on a disk error.
        log_.log("spool-io", std::string("spool replay failed: ") + e.what());
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

void db_writer::maintenance() {
    if (!db_ || clock_type::now() < next_maintenance_) return;
    next_maintenance_ = clock_type::now() + std::chrono::hours(1);
    try {
        const auto now = std::chrono::system_clock::now();
        db_->ensure_partitions(now, settings_.partition_days_ahead);
        db_->drop_partitions_before(now - std::chrono::hours(24) * settings_.retention_days);
    } catch (const store_error& e) {
        if (e.retryable()) mark_down(e.what());
        else log_.log("retention", std::string("partition maintenance failed: ") + e.what());
    }
}

}  // namespace wireflow::collector::ingest
