#include "curve_auth.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

#include "net/curve_key_file.hpp"
#include "text_lines.hpp"

namespace wireflow::collector::ingest {

namespace {
std::string read_key_file(const std::string& file) {
    auto text = read_text_file(file);
    if (!text) throw std::invalid_argument(file + ": cannot read");
    return std::move(*text);
}
}  // namespace

std::string read_curve_secret_key(const std::string& file) {
    return net::parse_curve_keypair_file(read_key_file(file), file).secret_key;
}

net::curve_allow_list read_curve_allow_list(const std::string& file) {
    return net::parse_curve_allow_list(read_key_file(file), file);
}

bool may_use_probe_id(const net::curve_allow_list& list, std::string_view user_id, std::string_view probe_id) noexcept {
    const auto it = list.find(user_id);
    if (it == list.end()) return false;
    return it->second.empty() || it->second.contains(std::string(probe_id));
}

zap_handler::zap_handler(zmq::context_t& ctx, std::set<std::string> allowed_z85)
    : socket_(ctx, zmq::socket_type::rep), allowed_keys_(std::move(allowed_z85)) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("inproc://zeromq.zap.01");
    thread_ = std::thread([this] { run(); });
}

zap_handler::~zap_handler() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void zap_handler::run() {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    while (!stop_.load()) {
        try {
            if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0) continue;
            // RFC 27 request: version, request id, domain, address, identity,
            // mechanism, credentials (CURVE: the client's 32-byte public key).
            std::vector<zmq::message_t> frames;
            do {
                frames.emplace_back();
                if (!socket_.recv(frames.back(), zmq::recv_flags::dontwait)) break;
            } while (frames.back().more());
            bool ok = false;
            char z85[41] = {};
            if (frames.size() >= 7 && frames[5].to_string_view() == "CURVE" && frames[6].size() == 32) {
                if (zmq_z85_encode(z85, frames[6].data<std::uint8_t>(), 32) != nullptr)
                    ok = allowed_keys_.contains(z85);
            }
            (ok ? allowed_ : denied_).fetch_add(1, std::memory_order_relaxed);
            const std::string request_id = frames.size() >= 2 ? frames[1].to_string() : std::string();
            socket_.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
            socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
            socket_.send(zmq::buffer(std::string_view(ok ? "200" : "400")), zmq::send_flags::sndmore);
            socket_.send(zmq::buffer(std::string_view(ok ? "OK" : "key not allowed")), zmq::send_flags::sndmore);
            // User-Id: the key, so the ingest thread can check the probe ids it sends.
            socket_.send(zmq::buffer(std::string_view(ok ? z85 : "")), zmq::send_flags::sndmore);
            socket_.send(zmq::str_buffer(""), zmq::send_flags::none);     // metadata
        } catch (const zmq::error_t& e) {
            if (e.num() == ETERM) return;
            // EINTR or a malformed request: keep serving.
        }
    }
}

}  // namespace wireflow::collector::ingest
