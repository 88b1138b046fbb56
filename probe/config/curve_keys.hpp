#pragma once
// CURVE (RFC 26 CurveZMQ) keys of the probe's link to the collector. Keys are
// 40-character Z85 text (ZeroMQ RFC 32) as zmq_curve_keypair makes them. The
// key-pair file is what `wireflow-probe --gen-curve-keypair` and
// `wireflow-collector --gen-curve-keypair` print: `#` comment lines, the
// public key, then the secret key. A file holding only the secret key is also
// accepted (the public key is derived from it).

#include <string>
#include <string_view>

namespace wireflow::probe {

struct curve_client_keys {
    std::string server_public;  // the collector's public key
    std::string public_key;     // the probe's own
    std::string secret_key;
};

[[nodiscard]] bool is_z85_curve_key(std::string_view key) noexcept;

// Each throws std::invalid_argument with a one-line message naming `origin`
// (an option or a file, with the line) for bad content.
[[nodiscard]] std::string parse_curve_server_key(std::string_view key, std::string_view origin);
[[nodiscard]] std::string parse_curve_server_key_file(std::string_view text, std::string_view origin);
// Returns {public, secret}; the public key must match the secret key.
[[nodiscard]] curve_client_keys parse_curve_keypair_file(std::string_view text, std::string_view origin);

// A new key pair in the key-pair file format (throws std::runtime_error when
// libzmq lacks CURVE).
[[nodiscard]] std::string generate_curve_keypair_text();

}  // namespace wireflow::probe
