#pragma once
// The collector's ingest: one ROUTER socket that probes' DEALERs connect to,
// one thread that receives, validates and groups their messages, and the
// database thread (db_writer) that makes groups durable. Acks go back to the
// sending probe's routing id: REJECTED at once for a bad message (when its
// identity is readable), STORED / DUPLICATE / BUSY once the database thread
// has settled the batch.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "collector_stats.hpp"
#include "curve_auth.hpp"
#include "db_writer.hpp"
#include "log_limiter.hpp"
#include "record_window.hpp"
#include "sequence_tracker.hpp"
#include "wireflow.pb.h"

namespace wireflow::collector::ingest {

struct ingest_settings {
    std::string listen{"tcp://127.0.0.1:5556"};
    std::uint64_t max_message_bytes{64ull << 20};
    std::filesystem::path spool_dir;
    std::uint64_t spool_max_bytes{1024ull << 20};
    std::uint64_t spool_segment_bytes{16ull << 20};
    db_writer_settings db;
    // Grouping: a group goes to the database thread when it holds this many
    // batches or records, or when its first batch has waited this long.
    std::size_t group_max_batches{64};
    std::size_t group_max_records{200'000};
    std::chrono::milliseconds group_max_delay{20};
    std::size_t max_queued_groups{4};  // beyond: stop reading the socket (probes buffer)
    // Bytes of messages read and not yet stored, spooled or answered (the
    // pending group and the database queue); beyond, stop reading the socket.
    std::uint64_t max_inflight_bytes{256ull << 20};
    // Messages ZeroMQ queues per connected peer while we do not read (ZMQ_RCVHWM).
    int peer_queue_messages{16};
    std::size_t max_probes{256};      // probe ids remembered; a new one beyond is refused
    std::size_t max_probe_ports{64};  // ports in one ProbeStats
    record_window records;            // record times accepted around the collector's clock
    // Called on the ingest thread with each valid ActiveFlows report (issue
    // 15); the batch may be marked (blacklists) before it is kept.
    std::function<void(flow_batch&, const active_report&)> on_active;
    std::string curve_secret_key;     // Z85; empty: no CURVE
    net::curve_allow_list curve_allow;
};

class ingest_service {
public:
    // Opens the spool (recovering torn tails), starts the ZAP handler when
    // CURVE is on, binds the socket and starts the database thread. Throws
    // (zmq::error_t, std::system_error, std::invalid_argument) on setup failure.
    ingest_service(ingest_settings settings, collector_stats& stats, probe_registry& probes);
    ~ingest_service();
    ingest_service(const ingest_service&) = delete;
    ingest_service& operator=(const ingest_service&) = delete;

    // The bound endpoint (resolves a "tcp://127.0.0.1:*" wildcard port).
    [[nodiscard]] std::string endpoint() const;

    // Receives until `stop` is true; then stops reading, hands the pending
    // group to the database thread, waits for it to store or spool everything,
    // sends the last acks and returns.
    void run(const std::atomic<bool>& stop);

private:
    struct fd_handle {
        int fd{-1};
        ~fd_handle();
    };

    void handle_message(std::vector<zmq::message_t>& frames);
    void handle_batch(const v1::FlowBatch& in, ack_target target, zmq::message_t& body);
    // A decoded batch: admission, time window, sequence, then pending.
    void accept_batch(flow_batch&& batch, ack_target target, zmq::message_t& body);
    // Whether the sender of `body` may send as `probe_id`: under CURVE, its
    // key's binding; then the --max-probes bound. The reason when not.
    [[nodiscard]] std::optional<reject_reason> admit(const zmq::message_t& body, const std::string& probe_id);
    void reject(ack_target target, const std::optional<batch_id>& id, reject_reason why);
    void send_ack(const ack_target& target, const batch_id& id, ack_status status, const std::string& reason);
    void flush_group();
    void deliver_acks();

    ingest_settings settings_;
    collector_stats& stats_;
    probe_registry& probes_;
    zmq::context_t ctx_{1};
    std::unique_ptr<zap_handler> zap_;
    zmq::socket_t router_;
    fd_handle wake_;  // eventfd: the database thread signals new acks
    std::mutex acks_mutex_;
    std::vector<ack_item> acks_;
    batch_recycler recycler_;  // before db_, which gives batches back to it
    std::unique_ptr<db_writer> db_;
    sequence_tracker sequences_;
    log_limiter log_;
    std::set<std::string, std::less<>> known_probes_;
    work_item pending_;
    v1::FlowBatch lone_;  // reused: see parse_lone_batch
    std::chrono::steady_clock::time_point pending_since_{};
};

}  // namespace wireflow::collector::ingest
