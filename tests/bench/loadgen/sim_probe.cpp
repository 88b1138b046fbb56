#include "sim_probe.hpp"

#include <zmq.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <deque>
#include <zmq.hpp>

#include "record_maker.hpp"
#include "wireflow.pb.h"

namespace wireflow::bench {

namespace {

using clock_type = std::chrono::steady_clock;

std::uint64_t wall_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

struct pending_batch {
    std::uint64_t seq{0};
    std::uint64_t records{0};
    std::string bytes;
    clock_type::time_point first_sent{};
    clock_type::time_point due{};
    unsigned attempts{0};
};

class probe_run {
public:
    probe_run(const probe_settings& s, const std::function<void(visibility_sample)>& sample)
        : s_(s), sample_(sample), maker_(s.seed, s.hosts), dealer_(ctx_, zmq::socket_type::dealer),
          monitor_(ctx_, zmq::socket_type::pair) {
        // The real probe's socket options (probe/export/collector_link.cpp).
        dealer_.set(zmq::sockopt::immediate, 1);
        dealer_.set(zmq::sockopt::sndhwm, 1000);
        dealer_.set(zmq::sockopt::rcvhwm, 10000);
        dealer_.set(zmq::sockopt::linger, 0);
        dealer_.set(zmq::sockopt::reconnect_ivl, 100);
        dealer_.set(zmq::sockopt::reconnect_ivl_max, 5000);
        dealer_.set(zmq::sockopt::heartbeat_ivl, 1000);
        dealer_.set(zmq::sockopt::heartbeat_timeout, 3000);
        dealer_.set(zmq::sockopt::heartbeat_ttl, 6000);
        const std::string inproc = "inproc://loadgen-monitor-" + s_.probe_id;
        if (zmq_socket_monitor(dealer_.handle(), inproc.c_str(), ZMQ_EVENT_CONNECTED) != 0)
            throw std::runtime_error(std::string("zmq_socket_monitor: ") + zmq_strerror(zmq_errno()));
        monitor_.connect(inproc);
        dealer_.connect(s_.endpoint);
        r_.probe_id = s_.probe_id;
        r_.boot_id = s_.boot_id;
    }
    ~probe_run() { zmq_socket_monitor(dealer_.handle(), nullptr, 0); }

    probe_result run(clock_type::time_point produce_until, clock_type::time_point drain_until,
                     const std::atomic<bool>& stop) {
        auto next_make = clock_type::now();
        auto next_sample = clock_type::now();
        while (!stop.load(std::memory_order_relaxed)) {
            const auto now = clock_type::now();
            const bool producing = now < produce_until && (s_.max_batches == 0 || r_.batches_made < s_.max_batches);
            if (!producing && pending_.empty()) break;
            if (!producing && now >= drain_until) break;
            while (producing && pending_.size() < s_.window && now >= next_make &&
                   (s_.max_batches == 0 || r_.batches_made < s_.max_batches)) {
                make_batch(now >= next_sample);
                if (now >= next_sample) next_sample = now + s_.sample_every;
                if (s_.batches_per_s > 0)
                    next_make += std::chrono::duration_cast<clock_type::duration>(
                        std::chrono::duration<double>(1.0 / s_.batches_per_s));
            }
            send_due();
            // Spin only while there is a batch to make now; else wait for acks.
            const bool can_make = producing && pending_.size() < s_.window && clock_type::now() >= next_make;
            zmq::pollitem_t items[] = {{dealer_.handle(), 0, ZMQ_POLLIN, 0}, {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
            zmq::poll(items, 2, std::chrono::milliseconds(can_make ? 0 : 1));
            if (items[1].revents & ZMQ_POLLIN) on_monitor();
            if (items[0].revents & ZMQ_POLLIN) on_acks();
        }
        r_.unacked_at_end = pending_.size();
        return std::move(r_);
    }

private:
    void make_batch(bool take_sample) {
        wireflow::v1::Envelope env;
        auto* b = env.mutable_batch();
        b->set_schema_version(wireflow::v1::SCHEMA_VERSION_1);
        b->set_probe_id(s_.probe_id);
        b->set_boot_id(s_.boot_id);
        b->set_sequence(++r_.batches_made);
        const std::uint64_t now = wall_ns();
        for (unsigned i = 0; i < s_.batch_records; ++i) {
            auto* rec = b->add_records();
            maker_.fill(*rec, ++r_.records_made, now);
            r_.c2s_bytes_made += rec->c2s_bytes();
        }
        b->set_send_time_ns(wall_ns());
        if (take_sample && sample_ && b->records_size() > 0) {
            const auto& last = b->records(b->records_size() - 1);
            sample_({s_.probe_id, s_.boot_id, last.flow_id(), last.client_ip(), b->send_time_ns()});
        }
        pending_batch p;
        p.seq = b->sequence();
        p.records = static_cast<std::uint64_t>(b->records_size());
        p.bytes = env.SerializeAsString();
        p.due = clock_type::now();
        pending_.push_back(std::move(p));
    }

    void send_due() {
        const auto now = clock_type::now();
        for (auto& p : pending_) {
            if (p.due > now) continue;
            // No connected collector (ZMQ_IMMEDIATE) or HWM: try again later, in order.
            if (!dealer_.send(zmq::buffer(p.bytes), zmq::send_flags::dontwait)) return;
            if (p.attempts++ == 0) {
                ++r_.batches_sent;
                p.first_sent = now;
                if (r_.first_send == clock_type::time_point{}) r_.first_send = now;
            } else {
                ++r_.batches_resent;
            }
            p.due = now + backoff(p.attempts);
        }
    }

    // The probe's schedule (exporter.cpp): the ack timeout, doubled per attempt up to the maximum.
    [[nodiscard]] std::chrono::milliseconds backoff(unsigned attempts) const {
        auto t = s_.ack_timeout;
        for (unsigned i = 1; i < attempts && t < s_.ack_timeout_max; ++i) t *= 2;
        return std::min(t, s_.ack_timeout_max);
    }

    void on_monitor() {
        zmq::message_t ev;
        if (!monitor_.recv(ev, zmq::recv_flags::dontwait)) return;
        std::uint16_t id = 0;
        if (ev.size() >= sizeof id) std::memcpy(&id, ev.data(), sizeof id);
        while (monitor_.get(zmq::sockopt::rcvmore)) {
            zmq::message_t rest;
            (void)monitor_.recv(rest);
        }
        // A re-established connection (the collector restarted) may have lost
        // what was in flight: re-send it now, in order. The first connection
        // lost nothing: with ZMQ_IMMEDIATE nothing is sent before it.
        if (id == ZMQ_EVENT_CONNECTED && connections_++ > 0)
            for (auto& p : pending_) p.due = clock_type::now();
    }

    void on_acks() {
        zmq::message_t msg;
        while (dealer_.recv(msg, zmq::recv_flags::dontwait)) {
            if (msg.more()) continue;  // an empty delimiter would come first; the ack is the last frame
            wireflow::v1::Envelope env;
            if (!env.ParseFromArray(msg.data(), static_cast<int>(msg.size())) || !env.has_ack()) continue;
            on_ack(env.ack());
        }
    }

    void on_ack(const wireflow::v1::Ack& a) {
        if (a.boot_id() != s_.boot_id) return;
        auto it = pending_.begin();
        while (it != pending_.end() && it->seq != a.sequence()) ++it;
        if (it == pending_.end()) return;  // late answer to a re-send
        const auto now = clock_type::now();
        switch (a.status()) {
        case wireflow::v1::Ack::STATUS_STORED:
        case wireflow::v1::Ack::STATUS_DUPLICATE:
            ++(a.status() == wireflow::v1::Ack::STATUS_STORED ? r_.acks_stored : r_.acks_duplicate);
            r_.records_acked += it->records;
            r_.ack_latency_ms.push_back(std::chrono::duration<double, std::milli>(now - it->first_sent).count());
            r_.last_ack = now;
            break;
        case wireflow::v1::Ack::STATUS_REJECTED:
            // Our batches are valid: a rejection is a failure of the run, reported.
            if (r_.acks_rejected++ == 0) r_.first_reject_reason = a.reason().substr(0, 200);
            break;
        default:  // BUSY: not durable yet; keep it and re-send after the timeout
            ++r_.acks_busy;
            it->due = now + backoff(it->attempts);
            return;
        }
        pending_.erase(it);
    }

    const probe_settings& s_;
    const std::function<void(visibility_sample)>& sample_;
    record_maker maker_;
    zmq::context_t ctx_{1};
    zmq::socket_t dealer_;
    zmq::socket_t monitor_;
    std::deque<pending_batch> pending_;
    unsigned connections_{0};
    probe_result r_;
};

}  // namespace

probe_result run_probe(const probe_settings& s, std::chrono::steady_clock::time_point produce_until,
                       std::chrono::steady_clock::time_point drain_until, const std::atomic<bool>& stop,
                       const std::function<void(visibility_sample)>& sample) {
    probe_run p(s, sample);
    return p.run(produce_until, drain_until, stop);
}

}  // namespace wireflow::bench
