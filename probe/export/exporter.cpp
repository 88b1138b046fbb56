#include "export/exporter.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <zmq.hpp>

#include "export/codec.hpp"
#include "export/collector_link.hpp"
#include "export/spool.hpp"
#include "wireflow.pb.h"

namespace wireflow::probe {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::uint64_t random_boot_id() {
    std::uint64_t v = 0;
    // getrandom(2) from the kernel CSPRNG: two probes (or two runs) must not
    // collide on boot_id, or the collector would de-duplicate distinct batches.
    while (v == 0) {
        if (::getrandom(&v, sizeof(v), 0) != static_cast<ssize_t>(sizeof(v)))
            throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    }
    return v;
}

std::uint64_t wall_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

struct file_closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

}  // namespace

struct exporter::impl {
    struct batch {
        std::uint64_t boot{0};
        std::uint64_t seq{0};
        std::uint32_t records{0};
        std::string bytes;       // encoded Envelope{FlowBatch}
        std::string spool_path;  // non-empty while a copy is on disk (deleted on ack)
        std::uint64_t spool_size{0};
        clock_type::time_point due{};  // next (re-)send time
        unsigned attempts{0};
    };

    exporter_config cfg;
    std::vector<record_ring*> rings;
    stats_source stats;
    std::uint64_t boot_id;
    clock_type::time_point started{clock_type::now()};

    std::atomic<bool> stop_requested{false};

    // Counters: written by the exporter thread only, read by counters().
    std::atomic<std::uint64_t> records_exported{0}, batches_sent{0}, batches_resent{0}, batches_acked{0},
        batches_rejected{0}, batches_pending{0}, batches_spooled{0}, buffer_drops{0}, rejected_records{0},
        unacked_batches{0}, unacked_records{0}, last_sequence{0}, disconnects{0};

    // Exporter-thread state.
    std::unique_ptr<collector_link> link;
    zmq::socket_t* sock{nullptr};     // link's, while it is open
    zmq::socket_t* monitor{nullptr};
    std::unique_ptr<std::FILE, file_closer> dump;
    std::vector<char> dump_buffer;
    std::string line;

    std::deque<batch> memory;     // sequence order (spooled batches of earlier boots first)
    std::optional<batch_spool> spool;  // --spool-dir given
    std::deque<spooled_batch> on_disk;  // spooled, not yet loaded into memory, in order
    std::uint64_t next_seq{1};
    bool rejected_logged{false};
    bool handshake_failure_logged{false};
    bool connected_before{false};  // the first connection lost nothing: no re-send

    wireflow::v1::Envelope building;
    std::uint32_t building_count{0};
    clock_type::time_point building_since{};
    clock_type::time_point next_stats{};

    impl(exporter_config c, std::vector<record_ring*> r, stats_source s, std::uint64_t boot)
        : cfg(std::move(c)), rings(std::move(r)), stats(std::move(s)), boot_id(boot) {
        if (cfg.batch_records == 0) throw std::runtime_error("exporter: batch_records must be > 0");
        if (cfg.buffer_batches == 0) throw std::runtime_error("exporter: buffer_batches must be > 0");
        if (!cfg.dump_flows.empty()) {
            dump.reset(std::fopen(cfg.dump_flows.c_str(), "w"));
            if (!dump) throw std::runtime_error("cannot write --dump-flows " + cfg.dump_flows + ": " + std::strerror(errno));
            dump_buffer.resize(1 << 20);
            std::setvbuf(dump.get(), dump_buffer.data(), _IOFBF, dump_buffer.size());
        }
        if (!cfg.spool_dir.empty()) {
            spool.emplace(cfg.spool_dir, cfg.spool_max_mb * 1024 * 1024);
            on_disk = spool->take_found();
            update_pending();
        }
        if (connected_mode()) open_socket();
        next_stats = clock_type::now() + cfg.stats_interval;
        reset_building();
    }

    [[nodiscard]] bool connected_mode() const { return cfg.collector != "none"; }

    void open_socket() {
        link = std::make_unique<collector_link>(
            collector_endpoint{cfg.collector, cfg.curve_server_key, cfg.curve_public_key, cfg.curve_secret_key},
            boot_id);
        sock = &link->dealer();
        monitor = &link->monitor();
    }

    void close_socket() {
        sock = nullptr;
        monitor = nullptr;
        link.reset();
    }

    // ---- spool -------------------------------------------------------------
    bool write_spool(batch& b) {
        if (!spool) return false;
        auto s = spool->write(b.boot, b.seq, b.bytes);
        if (!s) return false;
        b.spool_path = s->path;
        b.spool_size = s->size;
        ++batches_spooled;
        return true;
    }

    void forget_spool(batch& b) {
        if (b.spool_path.empty()) return;
        spool->remove(b.spool_path, b.spool_size);
        b.spool_path.clear();
    }

    // Moves spooled batches into memory while there is room, oldest first.
    void refill_from_spool() {
        while (!on_disk.empty() && memory.size() < cfg.buffer_batches) {
            spooled_batch s = std::move(on_disk.front());
            on_disk.pop_front();
            std::optional<std::string> bytes = spool->read(s);
            if (!bytes) continue;
            wireflow::v1::Envelope env;
            if (!env.ParseFromString(*bytes) || !env.has_batch()) {
                std::fprintf(stderr, "wireflow-probe: spool file %s is not a flow batch; removed\n", s.path.c_str());
                spool->remove(s.path, s.size);
                continue;
            }
            batch b;
            b.boot = s.boot;
            b.seq = s.seq;
            b.records = static_cast<std::uint32_t>(env.batch().records_size());
            b.bytes = std::move(*bytes);
            b.spool_path = std::move(s.path);
            b.spool_size = s.size;
            b.due = clock_type::now();
            memory.push_back(std::move(b));
        }
        update_pending();
    }

    void update_pending() { batches_pending = memory.size() + on_disk.size(); }

    // ---- batching ------------------------------------------------------------
    void reset_building() {
        building.Clear();
        auto* fb = building.mutable_batch();
        fb->set_schema_version(wireflow::v1::SCHEMA_VERSION_1);
        fb->set_probe_id(cfg.probe_id);
        fb->set_boot_id(boot_id);
        building_count = 0;
    }

    void take(const flow_record& r) {
        if (dump) {
            line.clear();
            append_json(r, cfg.probe_id, line);
            line += '\n';
            std::fwrite(line.data(), 1, line.size(), dump.get());
        }
        ++records_exported;
        if (!connected_mode()) return;
        if (building_count == 0) building_since = clock_type::now();
        to_proto(r, *building.mutable_batch()->add_records());
        if (++building_count >= cfg.batch_records) finish_batch();
    }

    void finish_batch() {
        if (building_count == 0) return;
        batch b;
        b.boot = boot_id;
        b.seq = next_seq++;
        b.records = building_count;
        building.mutable_batch()->set_sequence(b.seq);
        building.mutable_batch()->set_send_time_ns(wall_ns());
        b.bytes = building.SerializeAsString();
        b.due = clock_type::now();
        last_sequence = b.seq;
        reset_building();

        // Keep order: while older batches wait on disk, new ones queue behind them.
        refill_from_spool();
        if (on_disk.empty() && memory.size() < cfg.buffer_batches) {
            memory.push_back(std::move(b));
        } else if (write_spool(b)) {
            on_disk.push_back({b.boot, b.seq, b.spool_size, b.spool_path});
        } else {
            buffer_drops += b.records;  // memory and spool full: counted, never silent
        }
        update_pending();
    }

    // Drains every ring round-robin; returns the number of records taken.
    std::size_t drain_rings() {
        std::array<flow_record, 64> burst;
        std::size_t total = 0;
        bool more = true;
        while (more && total < 65536) {
            more = false;
            for (record_ring* ring : rings) {
                const unsigned n = ring->pop_burst(burst);
                for (unsigned i = 0; i < n; ++i) take(burst[i]);
                total += n;
                more |= n == burst.size();
            }
        }
        return total;
    }

    // ---- sending and acks ------------------------------------------------------
    [[nodiscard]] milliseconds backoff(unsigned attempts) const {
        milliseconds t = cfg.ack_timeout;
        for (unsigned i = 1; i < attempts && t < cfg.ack_timeout_max; ++i) t *= 2;
        return std::min(t, cfg.ack_timeout_max);
    }

    void send_due() {
        if (!sock) return;
        const auto now = clock_type::now();
        for (auto& b : memory) {
            if (b.due > now) continue;
            const auto sent = sock->send(zmq::buffer(b.bytes), zmq::send_flags::dontwait);
            if (!sent) return;  // no connected peer or HWM reached: try again later, in order
            ++(b.attempts == 0 ? batches_sent : batches_resent);
            ++b.attempts;
            b.due = now + backoff(b.attempts);
        }
    }

    void on_ack(const wireflow::v1::Ack& ack) {
        auto it = std::find_if(memory.begin(), memory.end(),
                               [&](const batch& b) { return b.boot == ack.boot_id() && b.seq == ack.sequence(); });
        if (it == memory.end()) return;  // a late duplicate ack
        switch (ack.status()) {
            case wireflow::v1::Ack::STATUS_STORED:
            case wireflow::v1::Ack::STATUS_DUPLICATE:
                ++batches_acked;
                break;
            case wireflow::v1::Ack::STATUS_REJECTED:
                ++batches_rejected;
                rejected_records += it->records;
                if (!rejected_logged) {
                    rejected_logged = true;
                    std::string reason = ack.reason().substr(0, 200);
                    std::replace_if(reason.begin(), reason.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
                    std::fprintf(stderr,
                                 "wireflow-probe: collector rejected batch %" PRIu64 " (%s); rejected batches are "
                                 "dropped and counted in export_drops\n",
                                 ack.sequence(), reason.c_str());
                }
                break;
            case wireflow::v1::Ack::STATUS_BUSY:
            default:
                // Not durable on the collector: keep it and try again after a backoff.
                it->due = clock_type::now() + backoff(it->attempts);
                return;
        }
        forget_spool(*it);
        memory.erase(it);
        refill_from_spool();
    }

    void on_monitor_event() {
        zmq::message_t ev;
        if (!monitor->recv(ev, zmq::recv_flags::dontwait)) return;
        std::uint16_t id = 0;
        if (ev.size() >= sizeof(id)) std::memcpy(&id, ev.data(), sizeof(id));
        while (monitor->get(zmq::sockopt::rcvmore)) {
            zmq::message_t rest;
            (void)monitor->recv(rest);
        }
        if (id == ZMQ_EVENT_CONNECTED) {
            // A reconnected collector may have lost what was in flight: re-send
            // every unacknowledged batch now, in sequence order. Not on the first
            // connection: the event can be read after batches already went out
            // on it, and re-sending those would only double them.
            if (connected_before)
                for (auto& b : memory) b.due = clock_type::now();
            connected_before = true;
        } else if (id == ZMQ_EVENT_DISCONNECTED) {
            // Also what a message beyond max_incoming_message_bytes causes.
            ++disconnects;
        } else if ((id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
                    id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) &&
                   !handshake_failure_logged) {
            // Once per run: ZeroMQ keeps reconnecting, and batches stay pending
            // (ZMQ_IMMEDIATE queues only to completed handshakes).
            handshake_failure_logged = true;
            std::fprintf(stderr,
                         "wireflow-probe: ZeroMQ handshake with %s failed (%s); batches stay unacknowledged\n",
                         cfg.collector.c_str(),
                         cfg.curve_enabled() ? "CURVE: is this probe's public key in the collector's allow list, "
                                               "and the collector key right?"
                                             : "the collector may require CURVE: give --curve-server-key and "
                                               "--curve-key-file");
        }
    }

    void on_socket_message() {
        // From a ROUTER the DEALER sees the payload only; tolerate an empty
        // delimiter frame before it (REQ-style routers) by taking the last frame.
        zmq::message_t msg;
        std::string payload;
        while (sock->recv(msg, zmq::recv_flags::dontwait)) {
            payload.assign(static_cast<const char*>(msg.data()), msg.size());
            if (!sock->get(zmq::sockopt::rcvmore)) {
                wireflow::v1::Envelope env;
                if (env.ParseFromString(payload) && env.has_ack()) on_ack(env.ack());
                payload.clear();
            }
        }
    }

    void poll_io(milliseconds timeout) {
        if (!sock) {
            if (timeout.count() > 0) std::this_thread::sleep_for(timeout);
            return;
        }
        zmq::pollitem_t items[] = {{sock->handle(), 0, ZMQ_POLLIN, 0}, {monitor->handle(), 0, ZMQ_POLLIN, 0}};
        zmq::poll(items, 2, timeout);
        if (items[1].revents & ZMQ_POLLIN) on_monitor_event();
        if (items[0].revents & ZMQ_POLLIN) on_socket_message();
    }

    // ---- stats -----------------------------------------------------------------
    [[nodiscard]] std::uint64_t ring_drops() const {
        std::uint64_t d = 0;
        for (const record_ring* r : rings) d += r->full_drops();
        return d;
    }

    void send_stats() {
        probe_stats s;
        if (stats) stats(s);
        s.batches_sent = batches_sent;
        s.batches_acked = batches_acked;
        s.batches_pending = batches_pending;
        s.export_drops = ring_drops() + buffer_drops + rejected_records;
        s.last_sequence = last_sequence;
        s.time_ns = wall_ns();
        s.uptime_ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - started).count());
        if (!sock) return;
        wireflow::v1::Envelope env;
        auto* ps = env.mutable_stats();
        to_proto(s, *ps);
        ps->set_schema_version(wireflow::v1::SCHEMA_VERSION_1);
        ps->set_probe_id(cfg.probe_id);
        ps->set_boot_id(boot_id);
        // Stats are periodic snapshots: if the collector is away this one is skipped.
        (void)sock->send(zmq::buffer(env.SerializeAsString()), zmq::send_flags::dontwait);
    }

    // ---- the thread ------------------------------------------------------------
    void run() {
        while (!stop_requested.load(std::memory_order_acquire)) {
            const std::size_t taken = drain_rings();
            const auto now = clock_type::now();
            if (building_count > 0 && now - building_since >= cfg.batch_ms) finish_batch();
            refill_from_spool();
            send_due();
            if (cfg.stats_interval.count() > 0 && now >= next_stats) {
                send_stats();
                next_stats = now + cfg.stats_interval;
            }
            // Idle: wait on the socket a little; busy: just look for acks.
            poll_io(taken > 0 ? milliseconds(0) : milliseconds(5));
        }
        shutdown();
    }

    void shutdown() {
        // Workers have flushed before stop(): empty the rings completely.
        while (drain_rings() > 0) {}
        finish_batch();
        if (dump) {
            if (std::fflush(dump.get()) != 0 || std::ferror(dump.get()))
                std::fprintf(stderr, "wireflow-probe: writing %s failed: %s\n", cfg.dump_flows.c_str(),
                             std::strerror(errno));
        }
        if (sock) {
            const auto deadline = clock_type::now() + cfg.linger;
            while ((!memory.empty() || !on_disk.empty()) && clock_type::now() < deadline) {
                refill_from_spool();
                send_due();
                poll_io(milliseconds(5));
            }
        }
        update_pending();
        send_stats();
        if (sock) {
            // Give the final ProbeStats a moment to leave before the socket closes.
            sock->set(zmq::sockopt::linger, 500);
        }
        close_socket();

        // What is still unacknowledged goes to the spool, or is reported.
        std::uint64_t lost_batches = 0, lost_records = 0;
        for (auto& b : memory) {
            if (!b.spool_path.empty()) continue;  // already durable
            if (write_spool(b)) continue;
            ++lost_batches;
            lost_records += b.records;
        }
        unacked_batches = lost_batches;
        unacked_records = lost_records;
        if (lost_batches > 0)
            std::fprintf(stderr,
                         "wireflow-probe: %" PRIu64 " batches (%" PRIu64
                         " records) were not acknowledged by the collector before exit\n",
                         lost_batches, lost_records);
    }
};

exporter::exporter(exporter_config cfg, std::vector<record_ring*> rings, stats_source stats)
    : boot_id_(random_boot_id()),
      impl_(std::make_unique<impl>(std::move(cfg), std::move(rings), std::move(stats), boot_id_)) {
    thread_ = std::jthread([this] {
        try {
            impl_->run();
        } catch (const std::exception& e) {
            // Not expected (ZeroMQ or allocation failure): say it once; the
            // records still in the rings are counted by their ring drops.
            std::fprintf(stderr, "wireflow-probe: exporter stopped: %s\n", e.what());
        }
    });
}

exporter::~exporter() { stop(); }

void exporter::stop() {
    if (!thread_.joinable()) return;
    impl_->stop_requested.store(true, std::memory_order_release);
    thread_.join();
}

exporter_counters exporter::counters() const noexcept {
    const impl& i = *impl_;
    exporter_counters c;
    c.records_exported = i.records_exported;
    c.batches_sent = i.batches_sent;
    c.batches_resent = i.batches_resent;
    c.disconnects = i.disconnects;
    c.batches_acked = i.batches_acked;
    c.batches_rejected = i.batches_rejected;
    c.batches_pending = i.batches_pending;
    c.batches_spooled = i.batches_spooled;
    c.ring_full_drops = i.ring_drops();
    c.buffer_drops = i.buffer_drops;
    c.rejected_records = i.rejected_records;
    c.export_drops = c.ring_full_drops + c.buffer_drops + c.rejected_records;
    c.unacknowledged_batches = i.unacked_batches;
    c.unacknowledged_records = i.unacked_records;
    c.last_sequence = i.last_sequence;
    return c;
}

}  // namespace wireflow::probe
