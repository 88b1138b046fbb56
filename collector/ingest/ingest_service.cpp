#include "ingest_service.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <system_error>

#include "batch_decoder.hpp"
#include "wire_batch_reader.hpp"
#include "net/probe_id.hpp"

namespace wireflow::collector::ingest {

namespace v1 = wireflow::v1;

namespace {

v1::Ack::Status to_wire(ack_status s) {
    switch (s) {
    case ack_status::stored: return v1::Ack::STATUS_STORED;
    case ack_status::duplicate: return v1::Ack::STATUS_DUPLICATE;
    case ack_status::rejected: return v1::Ack::STATUS_REJECTED;
    case ack_status::busy: return v1::Ack::STATUS_BUSY;
    }
    return v1::Ack::STATUS_UNSPECIFIED;
}

std::string describe(const batch_id& id) {
    return id.probe_id + "/" + std::to_string(id.boot_id) + "/" + std::to_string(id.sequence);
}

// The identity as the message states it, when usable for an ack.
std::optional<batch_id> stated_identity(const v1::FlowBatch& b) {
    if (!net::valid_probe_id(b.probe_id()) || b.sequence() == 0) return std::nullopt;
    return batch_id{b.probe_id(), b.boot_id(), b.sequence()};
}

}  // namespace

ingest_service::fd_handle::~fd_handle() {
    if (fd >= 0) ::close(fd);
}

ingest_service::ingest_service(ingest_settings settings, collector_stats& stats, probe_registry& probes)
    : settings_(std::move(settings)), stats_(stats), probes_(probes), router_(ctx_, zmq::socket_type::router) {
    wake_.fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_.fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    auto sp = std::make_unique<spool>(settings_.spool_dir, settings_.spool_max_bytes, settings_.spool_segment_bytes);

    if (!settings_.curve_secret_key.empty()) {
        // The ZAP handler must be bound before the first handshake.
        std::set<std::string> keys;
        for (const auto& [key, ids] : settings_.curve_allow) keys.insert(key);
        zap_ = std::make_unique<zap_handler>(ctx_, std::move(keys));
        router_.set(zmq::sockopt::curve_server, 1);
        router_.set(zmq::sockopt::curve_secretkey, settings_.curve_secret_key);
        router_.set(zmq::sockopt::zap_domain, "wireflow");
    }
    // Messages up to --max-message-mb are read and answered (REJECTED when
    // too big, so the probe stops re-sending); twice that is the hard bound
    // beyond which ZeroMQ drops the connection before buffering the message.
    router_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(settings_.max_message_bytes * 2));
    router_.set(zmq::sockopt::linger, 2000);  // deliver the last acks at shutdown
    // A probe that reconnects under the same routing id (after a network
    // blip) takes over from its dead connection instead of being refused.
    router_.set(zmq::sockopt::router_handover, true);
    // ZMTP heartbeats find peers that vanished without a FIN.
    router_.set(zmq::sockopt::heartbeat_ivl, 10'000);
    router_.set(zmq::sockopt::heartbeat_timeout, 30'000);
    // Per peer, ZeroMQ holds at most this many messages we have not read
    // (each at most the maxmsgsize above): the bound while the database is
    // busy and we stop reading. Honest probes keep the rest in their buffer.
    router_.set(zmq::sockopt::rcvhwm, settings_.peer_queue_messages);
    router_.set(zmq::sockopt::sndhwm, 100000);
    router_.bind(settings_.listen);

    db_ = std::make_unique<db_writer>(
        settings_.db, std::move(sp), stats_,
        [this](std::vector<ack_item>&& acks) {
            {
                std::lock_guard lock(acks_mutex_);
                for (auto& a : acks) acks_.push_back(std::move(a));
            }
            const std::uint64_t one = 1;
            (void)!::write(wake_.fd, &one, sizeof one);
        },
        &recycler_);
}

ingest_service::~ingest_service() {
    db_.reset();  // joins the database thread before the socket goes away
}

std::string ingest_service::endpoint() const { return router_.get(zmq::sockopt::last_endpoint); }

void ingest_service::send_ack(const ack_target& target, const batch_id& id, ack_status status,
                              const std::string& reason) {
    v1::Envelope env;
    auto* ack = env.mutable_ack();
    ack->set_probe_id(id.probe_id);
    ack->set_boot_id(id.boot_id);
    ack->set_sequence(id.sequence);
    ack->set_status(to_wire(status));
    if (!reason.empty()) ack->set_reason(reason);
    const std::string body = env.SerializeAsString();
    try {
        // A probe that went away is simply not answered: it re-sends after
        // reconnecting and hears DUPLICATE.
        zmq::message_t rid;
        rid.copy(const_cast<zmq::message_t&>(target.routing_id));
        if (!router_.send(rid, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return;
        if (target.delimiter) (void)router_.send(zmq::message_t{}, zmq::send_flags::sndmore);
        (void)router_.send(zmq::buffer(body), zmq::send_flags::none);
        ++stats_.acks_sent;
    } catch (const zmq::error_t& e) {
        log_.log("ack-send", std::string("ack not sent: ") + e.what());
    }
}

void ingest_service::reject(ack_target target, const std::optional<batch_id>& id, reject_reason why) {
    ++stats_.rejected[static_cast<std::size_t>(why)];
    const std::string reason(to_string(why));
    if (!id) {
        ++stats_.rejected_unacked;
        log_.log("reject-" + reason, "rejected a message without readable identity: " + reason);
        return;
    }
    log_.log("reject-" + reason, "rejected batch " + describe(*id) + ": " + reason);
    send_ack(target, *id, ack_status::rejected, reason);
}

std::optional<reject_reason> ingest_service::admit(const zmq::message_t& body, const std::string& probe_id) {
    if (zap_) {
        // Every message of a CURVE connection carries the User-Id the ZAP
        // handler gave it: the sender's key.
        const char* user = zmq_msg_gets(const_cast<zmq::message_t&>(body).handle(), "User-Id");
        if (user == nullptr || !may_use_probe_id(settings_.curve_allow, user, probe_id))
            return reject_reason::probe_not_allowed;
    }
    if (known_probes_.contains(probe_id)) return std::nullopt;
    // Each probe id costs state for good (statistics, sequences, the probes
    // view and its probe_silent alert): a bounded number of them.
    if (known_probes_.size() >= settings_.max_probes) return reject_reason::too_many_probes;
    known_probes_.insert(probe_id);
    return std::nullopt;
}

void ingest_service::handle_message(std::vector<zmq::message_t>& frames) {
    ++stats_.messages_received;
    // DEALER: [routing id, body]; REQ-style: [routing id, empty, body].
    if (frames.size() < 2 || frames.size() > 3 || (frames.size() == 3 && frames[1].size() != 0)) {
        reject({std::move(frames[0]), false}, std::nullopt, reject_reason::undecodable);
        return;
    }
    ack_target target{std::move(frames[0]), frames.size() == 3};
    zmq::message_t& body = frames.back();
    const auto bytes = std::as_bytes(std::span{body.data<char>(), body.size()});
    if (body.size() > settings_.max_message_bytes) {
        reject(std::move(target), sniff_batch_identity(bytes).id, reject_reason::oversized);
        return;
    }
    // Most messages are a lone batch as a probe's serializer writes it: read
    // straight from the wire into a recycled batch (wire_batch_reader).
    // What that reader does not take (a refused record, another message, an
    // unusual encoding) the generated parser reads below and answers.
    if (flow_batch fast = recycler_.take(); read_lone_batch(bytes, fast)) {
        ++stats_.batches_read_fast;
        accept_batch(std::move(fast), std::move(target), body);
        return;
    } else {
        recycler_.give(std::move(fast));
    }
    // Then a lone batch parsed into lone_, reused (see parse_lone_batch);
    // the rest through a fresh Envelope.
    v1::Envelope env;
    const auto lone = parse_lone_batch(bytes, lone_);
    if (lone == lone_batch::invalid || (lone == lone_batch::not_lone && !parse_envelope(bytes, env))) {
        // proto3 parsing refuses invalid UTF-8 in string fields; the raw
        // wire format still tells who sent it.
        const auto sniffed = sniff_batch_identity(bytes);
        reject(std::move(target), sniffed.id,
               sniffed.wire_format_ok ? reject_reason::bad_utf8 : reject_reason::undecodable);
        return;
    }
    if (lone == lone_batch::parsed) {
        handle_batch(lone_, std::move(target), body);
        // One huge message must not pin its records for good.
        if (lone_.records_size() > max_reused_records) v1::FlowBatch{}.Swap(&lone_);
        return;
    }
    if (env.has_stats()) {
        probe_stats s;
        auto why = env.stats().ports_size() > static_cast<int>(settings_.max_probe_ports)
                       ? std::optional{reject_reason::too_many_ports}
                       : decode_probe_stats(env.stats(), s);
        if (!why) why = admit(body, s.probe_id);
        if (why) {
            reject(std::move(target), std::nullopt, *why);  // stats are never acked
            return;
        }
        ++stats_.probe_stats_received;
        probes_.update(s);
        if (pending_.batches.empty() && pending_.stats.empty()) pending_since_ = std::chrono::steady_clock::now();
        pending_.stats.push_back(std::move(s));
        return;
    }
    if (env.has_active()) {
        // Interim counters of flows in progress (issue 15): checked like
        // records, then handed over; lossy, so never acked nor stored.
        active_report meta;
        flow_batch flows;
        auto why = decode_active_flows(env.active(), flows, meta);
        if (!why) why = admit(body, flows.id.probe_id);
        if (why) {
            reject(std::move(target), std::nullopt, *why);
            return;
        }
        ++stats_.active_reports_received;
        if (settings_.on_active) settings_.on_active(flows, meta);
        return;
    }
    if (!env.has_batch()) {
        reject(std::move(target), std::nullopt, reject_reason::unexpected_message);
        return;
    }
    handle_batch(env.batch(), std::move(target), body);
}

void ingest_service::handle_batch(const v1::FlowBatch& in, ack_target target, zmq::message_t& body) {
    // A spent batch from the database thread: its records' storage is reused.
    flow_batch batch = recycler_.take();
    if (auto why = decode_batch(in, batch)) {
        reject(std::move(target), stated_identity(in), *why);
        recycler_.give(std::move(batch));
        return;
    }
    accept_batch(std::move(batch), std::move(target), body);
}

void ingest_service::accept_batch(flow_batch&& batch, ack_target target, zmq::message_t& body) {
    if (auto why = admit(body, batch.id.probe_id)) {
        reject(std::move(target), batch.id, *why);
        recycler_.give(std::move(batch));
        return;
    }
    const auto wall_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    if (!records_in_window(batch.records, wall_ns, settings_.records)) {
        reject(std::move(target), batch.id, reject_reason::time_window);
        recycler_.give(std::move(batch));
        return;
    }
    const auto ev = sequences_.observe(batch.id.probe_id, batch.id.boot_id, batch.id.sequence);
    if (ev.kind == sequence_event::gap) {
        ++stats_.sequence_gaps;
        stats_.sequence_missing += ev.missing;
    } else if (ev.kind == sequence_event::repeat) {
        ++stats_.sequence_repeats;
    }
    ++stats_.batches_received;
    stats_.records_received += batch.records.size();
    if (pending_.batches.empty() && pending_.stats.empty()) pending_since_ = std::chrono::steady_clock::now();
    pending_.records += batch.records.size();
    pending_.bytes += body.size();
    pending_.batches.push_back(std::move(batch));
    pending_.bodies.push_back(std::move(body));
    pending_.targets.push_back(std::move(target));
}

void ingest_service::flush_group() {
    if (pending_.batches.empty() && pending_.stats.empty()) return;
    db_->submit(std::move(pending_));
    pending_ = work_item{};
}

void ingest_service::deliver_acks() {
    std::uint64_t n = 0;
    (void)!::read(wake_.fd, &n, sizeof n);
    std::vector<ack_item> acks;
    {
        std::lock_guard lock(acks_mutex_);
        acks.swap(acks_);
    }
    for (const auto& a : acks) send_ack(a.target, a.id, a.status, a.reason);
}

void ingest_service::run(const std::atomic<bool>& stop) {
    std::vector<zmq::message_t> frames;
    // A group goes to the database thread at this many message bytes, so
    // the queued groups and the pending one stay within max_inflight_bytes.
    const std::uint64_t group_max_bytes = settings_.max_inflight_bytes / (settings_.max_queued_groups + 1);
    bool was_reading = true;
    while (!stop.load()) {
        const bool group_full = pending_.batches.size() >= settings_.group_max_batches ||
                                pending_.records >= settings_.group_max_records ||
                                pending_.bytes >= group_max_bytes;
        // Busy by count, or by bytes while the database thread holds any: an
        // empty database thread always takes the pending group, however big.
        const std::uint64_t in_db = db_->queued_bytes();
        const bool db_busy = db_->queued() >= settings_.max_queued_groups ||
                             (in_db > 0 && in_db + pending_.bytes > settings_.max_inflight_bytes);
        const auto now = std::chrono::steady_clock::now();
        const bool has_pending = !pending_.batches.empty() || !pending_.stats.empty();
        if (has_pending && !db_busy && (group_full || now - pending_since_ >= settings_.group_max_delay))
            flush_group();
        // Back-pressure: while the database thread is behind and the group is
        // full, leave messages in ZeroMQ's queues (and then in the probes').
        const bool can_read = !(group_full && db_busy);
        if (!can_read && was_reading) ++stats_.ingest_paused;
        was_reading = can_read;
        stats_.ingest_buffer_bytes = in_db + pending_.bytes;
        zmq::pollitem_t items[] = {
            {router_.handle(), 0, static_cast<short>(can_read ? ZMQ_POLLIN : 0), 0},
            {nullptr, wake_.fd, ZMQ_POLLIN, 0},
        };
        auto timeout = std::chrono::milliseconds(50);
        if (!pending_.batches.empty() || !pending_.stats.empty())
            timeout = std::max(std::chrono::milliseconds(1),
                               std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     pending_since_ + settings_.group_max_delay - now)));
        try {
            zmq::poll(items, 2, timeout);
        } catch (const zmq::error_t& e) {
            if (e.num() == EINTR) continue;
            throw;
        }
        if (items[1].revents & ZMQ_POLLIN) deliver_acks();
        if (items[0].revents & ZMQ_POLLIN) {
            // Drain a bounded burst, then look at acks and the group again.
            for (int burst = 0; burst < 256; ++burst) {
                if (pending_.batches.size() >= settings_.group_max_batches ||
                    pending_.records >= settings_.group_max_records || pending_.bytes >= group_max_bytes)
                    break;
                frames.clear();
                zmq::message_t m;
                if (!router_.recv(m, zmq::recv_flags::dontwait)) break;
                bool more = m.more();
                frames.push_back(std::move(m));
                while (more) {
                    zmq::message_t part;
                    (void)router_.recv(part, zmq::recv_flags::none);
                    more = part.more();
                    if (frames.size() < 4) frames.push_back(std::move(part));  // ignore absurd frame counts
                }
                handle_message(frames);
            }
        }
    }
    // Shutdown: no more reads. Everything received is stored or spooled
    // before the acks go out and the process exits.
    flush_group();
    db_->close();
    while (!db_->finished()) {
        zmq::pollitem_t item{nullptr, wake_.fd, ZMQ_POLLIN, 0};
        try {
            zmq::poll(&item, 1, std::chrono::milliseconds(50));
        } catch (const zmq::error_t&) {
        }
        deliver_acks();
    }
    deliver_acks();
}

}  // namespace wireflow::collector::ingest
