#pragma once
// CURVE (RFC 26 CurveZMQ) keys of the probe-collector link as both binaries
// read them. Keys are 40-character Z85 text (ZeroMQ RFC 32) as
// zmq_curve_keypair makes them. Key files follow the common line rule
// (text_lines.hpp): '#' starts a comment line, and '#' (Z85 digit 84) is
// never the first digit of a 32-byte key (a 4-byte group's first digit is at
// most 82), so no key line is ever mistaken for a comment. The first word of
// a line is the key; what follows (a name) is ignored.
//
// The key-pair file is what `--gen-curve-keypair` prints (either binary):
// comment lines, the public key, then the secret key. A file holding the
// secret key alone is the same pair (the public key is derived).

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace wireflow::net {

struct curve_keypair {
    std::string public_key;  // Z85, 40 characters
    std::string secret_key;
};

[[nodiscard]] bool is_z85_curve_key(std::string_view key) noexcept;

// A new pair (throws std::runtime_error when libzmq lacks CURVE) and the
// key-pair file text for it.
[[nodiscard]] curve_keypair generate_curve_keypair();
[[nodiscard]] std::string curve_keypair_text(const curve_keypair& pair);

// Each throws std::invalid_argument with a one-line message naming `origin`
// (an option or a file, with the line) for bad content.
//   one key given as text (an option value)
[[nodiscard]] std::string parse_curve_public_key(std::string_view key, std::string_view origin);
//   a file with exactly one public key (the other side's)
[[nodiscard]] std::string parse_curve_public_key_file(std::string_view text, std::string_view origin);
//   the key-pair file; a public key line must belong to the secret key
[[nodiscard]] curve_keypair parse_curve_keypair_file(std::string_view text, std::string_view origin);
//   an allow list: one public key per line, at least one
[[nodiscard]] std::set<std::string> parse_curve_key_list(std::string_view text, std::string_view origin);

// The collector's allow list with what each key may send as. A line is
//   KEY [name words] [probes=ID[,ID...]]
// `probes=` binds the key to those probe ids (net/probe_id.hpp syntax): the
// collector refuses batches and statistics of any other id from that key.
// A key without `probes=` may use any probe id, as every key could before the
// binding existed (old files keep working; the collector warns at start).
// A key listed twice gets the union of its lines' ids, and is unbound if any
// of its lines is.
using curve_allow_list = std::map<std::string, std::set<std::string>, std::less<>>;  // key -> ids (empty: any)
[[nodiscard]] curve_allow_list parse_curve_allow_list(std::string_view text, std::string_view origin);

}  // namespace wireflow::net
