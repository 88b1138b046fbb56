#pragma once
// The exporter's ZeroMQ connection to the collector: one DEALER socket, set up
// so unacknowledged data stays the exporter's (immediate, linger 0), with
// ZMTP heartbeats, optional CURVE (RFC 26), and a monitor socket that reports
// connects, disconnects and failed handshakes. Setup errors throw
// std::runtime_error. Used by the exporter thread only.

#include <cstdint>
#include <string>
#include <zmq.hpp>

namespace wireflow::probe {

// Largest message the probe accepts from the collector (ZMQ_MAXMSGSIZE). An
// Ack is under 200 bytes (a 64-byte probe id, three integers, a short reason).
inline constexpr std::int64_t max_incoming_message_bytes = 4096;

struct collector_endpoint {
    std::string address;             // "tcp://HOST:PORT"
    std::string curve_server_key;    // all three Z85, or all empty (no CURVE)
    std::string curve_public_key;
    std::string curve_secret_key;
};

class collector_link {
public:
    // `tag` makes the monitor's inproc endpoint unique (the boot id).
    collector_link(const collector_endpoint& ep, std::uint64_t tag);
    ~collector_link();
    collector_link(const collector_link&) = delete;
    collector_link& operator=(const collector_link&) = delete;

    zmq::socket_t& dealer() noexcept { return dealer_; }
    zmq::socket_t& monitor() noexcept { return monitor_; }

private:
    zmq::context_t ctx_{1};
    zmq::socket_t dealer_;
    zmq::socket_t monitor_;
};

}  // namespace wireflow::probe
