#pragma once
// CURVE (RFC 26 CurveZMQ) for the probe link: the collector holds a secret
// key, and a ZAP handler (RFC 27) admits only probes whose public key is in
// the allow list. Keys are Z85 text (40 characters) as zmq_curve_keypair
// makes them; `wireflow-collector --gen-curve-keypair` prints a pair.

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <thread>

#include <zmq.hpp>

namespace wireflow::collector::ingest {

// Reads the collector's key files with the common rules
// (common/net/curve_key_file.hpp): --curve-secret-key-file takes the secret
// key alone or the pair --gen-curve-keypair prints (the same file the probe's
// --curve-key-file takes); --curve-allow-keys-file holds one probe public key
// per line, optionally followed by a name ("Kx...Z9 probe-paris"). Both throw
// std::invalid_argument naming the file and line for bad content.
[[nodiscard]] std::string read_curve_secret_key(const std::string& file);
[[nodiscard]] std::set<std::string> read_curve_allow_list(const std::string& file);

// Runs the ZAP handler on its own thread. Construct it before binding any
// CURVE server socket of the same context (ZeroMQ asks the handler bound at
// inproc://zeromq.zap.01 at each handshake).
class zap_handler {
public:
    zap_handler(zmq::context_t& ctx, std::set<std::string> allowed_z85);
    ~zap_handler();
    zap_handler(const zap_handler&) = delete;
    zap_handler& operator=(const zap_handler&) = delete;

    [[nodiscard]] std::uint64_t allowed() const { return allowed_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t denied() const { return denied_.load(std::memory_order_relaxed); }

private:
    void run();

    zmq::socket_t socket_;
    std::set<std::string> allowed_keys_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> allowed_{0};
    std::atomic<std::uint64_t> denied_{0};
    std::thread thread_;
};

}  // namespace wireflow::collector::ingest
