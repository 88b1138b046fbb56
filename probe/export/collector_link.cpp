#include "export/collector_link.hpp"

#include <zmq.h>

#include <cinttypes>
#include <cstdio>
#include <stdexcept>

namespace wireflow::probe {

collector_link::collector_link(const collector_endpoint& ep, std::uint64_t tag)
    : dealer_(ctx_, zmq::socket_type::dealer), monitor_(ctx_, zmq::socket_type::pair) {
    auto& sock = dealer_;
    // Queue only to completed connections: while the collector is away,
    // send fails with EAGAIN and the batch stays in our buffer/spool
    // instead of vanishing into a pipe that may never connect.
    sock.set(zmq::sockopt::immediate, 1);
    sock.set(zmq::sockopt::sndhwm, 1000);
    sock.set(zmq::sockopt::rcvhwm, 10000);
    // The collector only ever sends Acks (well under 1 KiB). A larger
    // message means a wrong or hostile peer: ZeroMQ drops the connection
    // before buffering it, so at most rcvhwm x this is ever held for it.
    sock.set(zmq::sockopt::maxmsgsize, max_incoming_message_bytes);
    sock.set(zmq::sockopt::linger, 0);  // unacked data is ours to keep, not the socket's
    sock.set(zmq::sockopt::reconnect_ivl, 100);
    sock.set(zmq::sockopt::reconnect_ivl_max, 5000);
    // ZMTP 3.1 PING/PONG: a silent dead peer is noticed within ~3 s.
    sock.set(zmq::sockopt::heartbeat_ivl, 1000);
    sock.set(zmq::sockopt::heartbeat_timeout, 3000);
    sock.set(zmq::sockopt::heartbeat_ttl, 6000);
    if (!ep.curve_server_key.empty()) {
        // Before connect: the mechanism is fixed when the connection is made.
        try {
            sock.set(zmq::sockopt::curve_serverkey, ep.curve_server_key);
            sock.set(zmq::sockopt::curve_publickey, ep.curve_public_key);
            sock.set(zmq::sockopt::curve_secretkey, ep.curve_secret_key);
        } catch (const zmq::error_t& e) {
            throw std::runtime_error(std::string("cannot set CURVE keys: ") + e.what());
        }
    }
    char inproc[64];
    std::snprintf(inproc, sizeof(inproc), "inproc://wireflow-exporter-%016" PRIx64, tag);
    constexpr int handshake_failed =
        ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (zmq_socket_monitor(sock.handle(), inproc, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | handshake_failed) != 0)
        throw std::runtime_error(std::string("zmq_socket_monitor: ") + zmq_strerror(zmq_errno()));
    monitor_.connect(inproc);
    try {
        sock.connect(ep.address);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("cannot connect to collector " + ep.address + ": " + e.what());
    }
}

collector_link::~collector_link() { zmq_socket_monitor(dealer_.handle(), nullptr, 0); }

}  // namespace wireflow::probe
