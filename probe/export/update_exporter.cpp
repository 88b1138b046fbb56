#include "export/update_exporter.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <stdexcept>

#include "export/codec.hpp"
#include "wireflow.pb.h"

namespace wireflow::probe {

namespace {

std::uint64_t wall_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace

update_exporter::update_exporter(update_exporter_config cfg, std::vector<record_ring*> rings, std::uint64_t boot_id)
    : cfg_(std::move(cfg)), rings_(std::move(rings)), boot_id_(boot_id) {
    if (cfg_.flows_per_message == 0) throw std::runtime_error("update exporter: flows_per_message must be > 0");
    // Its own connection; the tag keeps its monitor endpoint apart from the exporter's.
    link_ = std::make_unique<collector_link>(cfg_.collector, boot_id_ ^ 0x5570646174657321ull);
    thread_ = std::jthread([this] {
        try {
            run();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "wireflow-probe: interim flow updates stopped: %s\n", e.what());
        }
    });
}

update_exporter::~update_exporter() { stop(); }

void update_exporter::stop() {
    stop_.store(true, std::memory_order_release);
    if (thread_.joinable()) thread_.join();
}

update_exporter_counters update_exporter::counters() const noexcept {
    return {messages_sent_.load(std::memory_order_relaxed), flows_sent_.load(std::memory_order_relaxed),
            flows_dropped_.load(std::memory_order_relaxed)};
}

void update_exporter::send(std::string& bytes, unsigned flows) {
    // Never waits: with no connected collector (immediate) or a full queue
    // the message is dropped; the next period brings fresher counters anyway.
    const auto sent = link_->dealer().send(zmq::buffer(bytes), zmq::send_flags::dontwait);
    if (sent) {
        messages_sent_.store(messages_sent_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        flows_sent_.store(flows_sent_.load(std::memory_order_relaxed) + flows, std::memory_order_relaxed);
    } else {
        flows_dropped_.store(flows_dropped_.load(std::memory_order_relaxed) + flows, std::memory_order_relaxed);
    }
}

void update_exporter::run() {
    wireflow::v1::Envelope env;
    std::string bytes;
    std::array<flow_record, 64> burst;
    unsigned count = 0;
    const auto start = [&] {
        env.Clear();
        auto* a = env.mutable_active();
        a->set_schema_version(wireflow::v1::SCHEMA_VERSION_1);
        a->set_probe_id(cfg_.probe_id);
        a->set_boot_id(boot_id_);
        a->set_interval_ms(static_cast<std::uint32_t>(cfg_.interval.count()));
        count = 0;
    };
    const auto flush = [&] {
        if (count == 0) return;
        env.mutable_active()->set_time_ns(wall_ns());
        env.SerializeToString(&bytes);
        send(bytes, count);
        start();
    };
    start();
    while (!stop_.load(std::memory_order_acquire)) {
        std::size_t taken = 0;
        for (record_ring* ring : rings_) {
            unsigned n;
            while ((n = ring->pop_burst(burst)) > 0) {
                taken += n;
                for (unsigned i = 0; i < n; ++i) {
                    to_proto(burst[i], *env.mutable_active()->add_flows());
                    if (++count == cfg_.flows_per_message) flush();
                }
            }
        }
        flush();
        // The workers spread a period's reports over the period: a message
        // every 100 ms at most keeps them few and still seconds fresh.
        if (taken < cfg_.flows_per_message) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace wireflow::probe
