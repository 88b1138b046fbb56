#pragma once
// CURVE (RFC 26 CurveZMQ) for the probe link: the collector holds a secret
// key, and a ZAP handler (RFC 27) admits only probes whose public key is in
// the allow list. Keys are Z85 text (40 characters) as zmq_curve_keypair
// makes them; `wireflow-collector --gen-curve-keypair` prints a pair.

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include <zmq.hpp>

#include "net/curve_key_file.hpp"

namespace wireflow::collector::ingest {

// Reads the collector's key files with the common rules
// (common/net/curve_key_file.hpp): --curve-secret-key-file takes the secret
// key alone or the pair --gen-curve-keypair prints (the same file the probe's
// --curve-key-file takes); --curve-allow-keys-file holds one probe public key
// per line, optionally followed by a name and the probe ids the key may use
// ("Kx...Z9 paris probes=paris-1,paris-2"; net::parse_curve_allow_list). Both
// throw std::invalid_argument naming the file and line for bad content.
[[nodiscard]] std::string read_curve_secret_key(const std::string& file);
[[nodiscard]] net::curve_allow_list read_curve_allow_list(const std::string& file);

// Whether a connection the ZAP handler admitted as `user_id` (its User-Id:
// the probe's Z85 public key) may send batches and statistics as `probe_id`.
// Without the binding, a probe holding any allowed key could send under
// another probe's id and later sequence numbers, so the real batches are
// acked DUPLICATE and dropped.
[[nodiscard]] bool may_use_probe_id(const net::curve_allow_list& list, std::string_view user_id,
                                    std::string_view probe_id) noexcept;

// Runs the ZAP handler on its own thread. Construct it before binding any
// CURVE server socket of the same context (ZeroMQ asks the handler bound at
// inproc://zeromq.zap.01 at each handshake).
class zap_handler {
public:
    // Admits the listed keys; each admitted connection's User-Id (RFC 27),
    // which every message it sends carries as metadata, is its Z85 key.
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
