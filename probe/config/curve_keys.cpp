#include "config/curve_keys.hpp"

#include <zmq.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace wireflow::probe {

namespace {

constexpr std::size_t z85_key_chars = 40;

struct keyed_line {
    std::size_t line_no;
    std::string_view token;
};

// Non-blank, non-comment lines, first word only. '#' (Z85 digit 84) is never
// the first digit of a 32-byte key (a 4-byte group's first digit is <= 82), so
// a line starting with it is always a comment.
std::vector<keyed_line> key_lines(std::string_view text) {
    std::vector<keyed_line> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const auto b = line.find_first_not_of(" \t\r");
        if (b == std::string_view::npos) continue;
        line.remove_prefix(b);
        if (line[0] == '#') continue;
        out.push_back({line_no, line.substr(0, line.find_first_of(" \t\r"))});
    }
    return out;
}

[[noreturn]] void bad(std::string_view origin, std::size_t line_no, std::string_view what) {
    std::string m(origin);
    if (line_no != 0) m += ":" + std::to_string(line_no);
    throw std::invalid_argument(m + ": " + std::string(what));
}

}  // namespace

bool is_z85_curve_key(std::string_view key) noexcept {
    if (key.size() != z85_key_chars) return false;
    char text[z85_key_chars + 1] = {};
    key.copy(text, z85_key_chars);
    std::uint8_t raw[32];
    return zmq_z85_decode(raw, text) != nullptr;
}

std::string parse_curve_server_key(std::string_view key, std::string_view origin) {
    if (!is_z85_curve_key(key)) bad(origin, 0, "expected the collector's 40-character Z85 CURVE public key");
    return std::string(key);
}

std::string parse_curve_server_key_file(std::string_view text, std::string_view origin) {
    const auto lines = key_lines(text);
    if (lines.empty()) bad(origin, 0, "no CURVE public key");
    if (lines.size() > 1)
        bad(origin, lines[1].line_no, "expected only the collector's public key (never its secret key)");
    if (!is_z85_curve_key(lines[0].token))
        bad(origin, lines[0].line_no, "expected the collector's 40-character Z85 CURVE public key");
    return std::string(lines[0].token);
}

curve_client_keys parse_curve_keypair_file(std::string_view text, std::string_view origin) {
    const auto lines = key_lines(text);
    if (lines.empty()) bad(origin, 0, "no CURVE key pair (run wireflow-probe --gen-curve-keypair)");
    if (lines.size() > 2) bad(origin, lines[2].line_no, "expected a public key line and a secret key line only");
    for (const auto& l : lines)
        if (!is_z85_curve_key(l.token)) bad(origin, l.line_no, "expected a 40-character Z85 CURVE key");
    curve_client_keys k;
    k.secret_key = std::string(lines.back().token);
    char derived[z85_key_chars + 1] = {};
    if (zmq_curve_public(derived, k.secret_key.c_str()) != 0)
        bad(origin, lines.back().line_no, "cannot derive the public key (libzmq without CURVE?)");
    k.public_key = derived;
    if (lines.size() == 2 && lines[0].token != k.public_key)
        bad(origin, lines[0].line_no, "public key does not belong to the secret key on the next key line");
    return k;
}

std::string generate_curve_keypair_text() {
    char pub[z85_key_chars + 1];
    char sec[z85_key_chars + 1];
    if (zmq_curve_keypair(pub, sec) != 0) throw std::runtime_error("zmq_curve_keypair: CURVE not available in libzmq");
    return std::string("# public key: give it to the other side (probe allow list, or the probes' collector key)\n") +
           pub + "\n# secret key: keep it private, in this side's key file\n" + sec + "\n";
}

}  // namespace wireflow::probe
