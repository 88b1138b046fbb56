#include "curve_auth.hpp"

#include <utility>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace wireflow::collector::ingest {

namespace {

constexpr std::size_t z85_key_chars = 40;

bool is_z85_key(std::string_view k) {
    if (k.size() != z85_key_chars) return false;
    std::uint8_t raw[32];
    const std::string s(k);
    return zmq_z85_decode(raw, s.c_str()) != nullptr;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::invalid_argument(file.string() + ": cannot read");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

template <typename F>
void for_each_line(std::string_view text, F f) {
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const auto b = line.find_first_not_of(" \t\r");
        if (b == std::string_view::npos) continue;
        line.remove_prefix(b);
        const auto token = line.substr(0, line.find_first_of(" \t\r"));
        // '#' is a Z85 digit, but never the first of a 32-byte key (its first
        // digit is at most 82 of 85); still, a first word that is a key wins.
        if (line[0] == '#' && !is_z85_key(token)) continue;
        f(line_no, token);
    }
}

}  // namespace

curve_keypair generate_curve_keypair() {
    char pub[41];
    char sec[41];
    if (zmq_curve_keypair(pub, sec) != 0) throw std::runtime_error("zmq_curve_keypair: CURVE not available in libzmq");
    return {pub, sec};
}

std::set<std::string> parse_curve_allow_list(std::string_view text, std::string_view origin) {
    std::set<std::string> keys;
    for_each_line(text, [&](std::size_t line_no, std::string_view key) {
        if (!is_z85_key(key))
            throw std::invalid_argument(std::string(origin) + ":" + std::to_string(line_no) +
                                        ": expected a 40-character Z85 CURVE public key");
        keys.emplace(key);
    });
    if (keys.empty()) throw std::invalid_argument(std::string(origin) + ": no probe public key listed");
    return keys;
}

std::set<std::string> read_curve_allow_list(const std::filesystem::path& file) {
    return parse_curve_allow_list(read_text(file), file.string());
}

std::string read_curve_secret_key(const std::filesystem::path& file) {
    // Either the secret key alone, or the whole pair exactly as
    // --gen-curve-keypair prints it (public key, then secret key): the same
    // file the probe's --curve-key-file takes.
    std::vector<std::pair<std::size_t, std::string>> keys;
    for_each_line(read_text(file), [&](std::size_t line_no, std::string_view k) {
        if (keys.size() == 2 || !is_z85_key(k))
            throw std::invalid_argument(file.string() + ":" + std::to_string(line_no) +
                                        ": expected a 40-character Z85 CURVE secret key (or the pair "
                                        "--gen-curve-keypair prints)");
        keys.emplace_back(line_no, std::string(k));
    });
    if (keys.empty()) throw std::invalid_argument(file.string() + ": no CURVE secret key");
    const std::string& secret = keys.back().second;
    if (keys.size() == 2) {
        char derived[41] = {};
        if (zmq_curve_public(derived, secret.c_str()) != 0 || keys.front().second != derived)
            throw std::invalid_argument(file.string() + ":" + std::to_string(keys.front().first) +
                                        ": the public key does not belong to the secret key below it");
    }
    return secret;
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
            if (frames.size() >= 7 && frames[5].to_string_view() == "CURVE" && frames[6].size() == 32) {
                char z85[41];
                if (zmq_z85_encode(z85, frames[6].data<std::uint8_t>(), 32) != nullptr)
                    ok = allowed_keys_.contains(z85);
            }
            (ok ? allowed_ : denied_).fetch_add(1, std::memory_order_relaxed);
            const std::string request_id = frames.size() >= 2 ? frames[1].to_string() : std::string();
            socket_.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
            socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
            socket_.send(zmq::buffer(std::string_view(ok ? "200" : "400")), zmq::send_flags::sndmore);
            socket_.send(zmq::buffer(std::string_view(ok ? "OK" : "key not allowed")), zmq::send_flags::sndmore);
            socket_.send(zmq::str_buffer(""), zmq::send_flags::sndmore);  // user id
            socket_.send(zmq::str_buffer(""), zmq::send_flags::none);     // metadata
        } catch (const zmq::error_t& e) {
            if (e.num() == ETERM) return;
            // EINTR or a malformed request: keep serving.
        }
    }
}

}  // namespace wireflow::collector::ingest
