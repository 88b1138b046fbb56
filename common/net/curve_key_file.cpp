#include "net/curve_key_file.hpp"

#include <zmq.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "net/probe_id.hpp"
#include "text_lines.hpp"

namespace wireflow::net {

namespace {

constexpr std::size_t z85_key_chars = 40;

// The first word of each content line, with its line number.
std::vector<text_line> key_lines(std::string_view text) {
    auto lines = content_lines(text);
    for (auto& l : lines) l.text = l.text.substr(0, l.text.find_first_of(" \t"));
    return lines;
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

curve_keypair generate_curve_keypair() {
    char pub[z85_key_chars + 1];
    char sec[z85_key_chars + 1];
    if (zmq_curve_keypair(pub, sec) != 0) throw std::runtime_error("zmq_curve_keypair: CURVE not available in libzmq");
    return {pub, sec};
}

std::string curve_keypair_text(const curve_keypair& pair) {
    return std::string("# public key: give it to the other side (probe allow list, or the probes' collector key)\n") +
           pair.public_key + "\n# secret key: keep it private, in this side's key file\n" + pair.secret_key + "\n";
}

std::string parse_curve_public_key(std::string_view key, std::string_view origin) {
    if (!is_z85_curve_key(key)) bad(origin, 0, "expected a 40-character Z85 CURVE public key");
    return std::string(key);
}

std::string parse_curve_public_key_file(std::string_view text, std::string_view origin) {
    const auto lines = key_lines(text);
    if (lines.empty()) bad(origin, 0, "no CURVE public key");
    if (lines.size() > 1) bad(origin, lines[1].number, "expected only the other side's public key (never a secret key)");
    if (!is_z85_curve_key(lines[0].text)) bad(origin, lines[0].number, "expected a 40-character Z85 CURVE public key");
    return std::string(lines[0].text);
}

curve_keypair parse_curve_keypair_file(std::string_view text, std::string_view origin) {
    const auto lines = key_lines(text);
    if (lines.empty()) bad(origin, 0, "no CURVE key pair (run --gen-curve-keypair)");
    if (lines.size() > 2) bad(origin, lines[2].number, "expected a public key line and a secret key line only");
    for (const auto& l : lines)
        if (!is_z85_curve_key(l.text)) bad(origin, l.number, "expected a 40-character Z85 CURVE key");
    curve_keypair k;
    k.secret_key = std::string(lines.back().text);
    char derived[z85_key_chars + 1] = {};
    if (zmq_curve_public(derived, k.secret_key.c_str()) != 0)
        bad(origin, lines.back().number, "cannot derive the public key (libzmq without CURVE?)");
    k.public_key = derived;
    if (lines.size() == 2 && lines[0].text != k.public_key)
        bad(origin, lines[0].number, "public key does not belong to the secret key on the next key line");
    return k;
}

std::set<std::string> parse_curve_key_list(std::string_view text, std::string_view origin) {
    std::set<std::string> keys;
    for (const auto& l : key_lines(text)) {
        if (!is_z85_curve_key(l.text)) bad(origin, l.number, "expected a 40-character Z85 CURVE public key");
        keys.emplace(l.text);
    }
    if (keys.empty()) bad(origin, 0, "no public key listed");
    return keys;
}

curve_allow_list parse_curve_allow_list(std::string_view text, std::string_view origin) {
    curve_allow_list out;
    std::set<std::string, std::less<>> unbound;
    for (const auto& l : content_lines(text)) {
        std::string_view rest = l.text;
        const auto word = [&rest]() {
            const auto start = rest.find_first_not_of(" \t");
            if (start == std::string_view::npos) return std::string_view{};
            rest.remove_prefix(start);
            const auto end = std::min(rest.find_first_of(" \t"), rest.size());
            const auto w = rest.substr(0, end);
            rest.remove_prefix(end);
            return w;
        };
        const std::string_view key = word();
        if (!is_z85_curve_key(key)) bad(origin, l.number, "expected a 40-character Z85 CURVE public key");
        auto& ids = out[std::string(key)];
        bool bound = false;
        for (std::string_view w = word(); !w.empty(); w = word()) {
            constexpr std::string_view prefix = "probes=";
            if (!w.starts_with(prefix)) continue;  // a name
            w.remove_prefix(prefix.size());
            bound = true;
            for (std::size_t pos = 0; pos <= w.size();) {
                const std::size_t comma = std::min(w.find(',', pos), w.size());
                const std::string_view id = w.substr(pos, comma - pos);
                if (!valid_probe_id(id)) bad(origin, l.number, "probes=: expected probe ids [A-Za-z0-9._-]{1,64} separated by commas");
                ids.emplace(id);
                pos = comma + 1;
            }
        }
        if (!bound) unbound.emplace(key);
    }
    if (out.empty()) bad(origin, 0, "no public key listed");
    for (const auto& k : unbound) out.find(k)->second.clear();
    return out;
}

}  // namespace wireflow::net
