#pragma once
// The ingest edge: wire messages (wireflow.v1, protobuf) in, validated
// protobuf-free flow_batch out. Everything a probe sends is hostile until this
// says otherwise: bounded, valid UTF-8 strings, address lengths that match the
// IP version, counters that fit the database's signed 64-bit columns.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "model/active_flow.hpp"
#include "model/flow_batch.hpp"
#include "model/probe_stats.hpp"
#include "wire_record.hpp"
#include "wireflow.pb.h"

namespace wireflow::collector::ingest {

enum class reject_reason : std::uint8_t {
    undecodable,         // not a wireflow.v1.Envelope
    unexpected_message,  // empty envelope, or an Ack sent to the collector
    oversized,           // larger than --max-message-mb
    schema_version,      // schema_version is not 1
    probe_id,            // not [A-Za-z0-9._-]{1,64}
    sequence,            // sequence 0 (probes count from 1)
    ip_version,          // not 4 or 6
    ip_length,           // address bytes not 4 (IPv4) or 16 (IPv6)
    mac_length,          // MAC bytes neither 0 nor 6
    bad_utf8,            // a string is not valid UTF-8 or holds NUL
    string_too_long,     // app_name/app_category > 64 bytes, server_name > 255, TLS/HTTP details (below)
    counts,              // a field out of range (ports, flags, counters, time order, JA3/SHA-1 form, HTTP status)
    probe_not_allowed,   // CURVE: the sender's key is not bound to this probe id
    too_many_probes,     // a new probe id beyond --max-probes
    too_many_ports,      // ProbeStats with more ports than --max-probe-ports
    time_window,         // a record dated outside the window around the collector's clock
    store_refused,       // PostgreSQL refused the batch on its own (data error)
};
inline constexpr std::size_t reject_reason_count = static_cast<std::size_t>(reject_reason::store_refused) + 1;

[[nodiscard]] std::string_view to_string(reject_reason r) noexcept;

inline constexpr std::size_t max_app_name_bytes = 64;
inline constexpr std::size_t max_server_name_bytes = 255;
// TLS and HTTP details (FlowRecord.tls, .http): the probe cuts certificate
// names, URL and user agent at 255 bytes and ALPN at 127
// (proto/wireflow.proto). nDPI 4.2's longest HTTP method is 7 bytes
// (OPTIONS, CONNECT); 11 leaves room for a newer nDPI's.
inline constexpr std::size_t max_cert_name_bytes = 255;
inline constexpr std::size_t max_alpn_bytes = 127;
inline constexpr std::size_t max_http_method_bytes = 11;
inline constexpr std::size_t max_http_url_bytes = 255;
inline constexpr std::size_t max_claimed_name_bytes = 255;  // a DNS name (RFC 1035 3.1)
inline constexpr std::size_t max_http_user_agent_bytes = 255;
// The latest instant an X.509 validity can name: GeneralizedTime has four
// year digits (RFC 5280 4.1.2.5), so 9999-12-31T23:59:59Z.
inline constexpr std::uint64_t max_cert_time_s = 253'402'300'799;
inline constexpr int max_records_per_batch = 1 << 20;

// Validates `in` and converts it into `out` (overwritten). On failure `out`
// is unspecified and the reason is returned.
[[nodiscard]] std::optional<reject_reason> decode_batch(const wireflow::v1::FlowBatch& in, flow_batch& out);

// The two halves of decode_batch, shared with the wire-format fast reader
// (wire_batch_reader.hpp) so that both paths apply the same checks: a
// batch's own fields, and one record's (into `out`, every field of it; when
// the record is refused `out` is partly written, as decode_batch's is: the
// caller drops it with its batch).
[[nodiscard]] std::optional<reject_reason> check_batch_header(std::int32_t schema_version, std::string_view probe_id,
                                                              std::uint64_t sequence, std::size_t records,
                                                              std::uint64_t send_time_ns);
[[nodiscard]] std::optional<reject_reason> decode_record(const wire_record& in, flow_record& out);

// Validates an ActiveFlows message (interim counters, issue 15) into a batch
// with sequence 0 (it is never stored nor acknowledged) and the report's
// time and period. Each flow passes the checks of a stored record.
inline constexpr std::uint32_t min_update_interval_ms = 1000;
inline constexpr std::uint32_t max_update_interval_ms = 3'600'000;
[[nodiscard]] std::optional<reject_reason> decode_active_flows(const wireflow::v1::ActiveFlows& in, flow_batch& out,
                                                             active_report& report);

// Validates a ProbeStats message (version, probe id, bounded device names)
// and converts it.
[[nodiscard]] std::optional<reject_reason> decode_probe_stats(const wireflow::v1::ProbeStats& in, probe_stats& out);

// Parses a message body into an Envelope; false when it is not one.
[[nodiscard]] bool parse_envelope(std::span<const std::byte> bytes, wireflow::v1::Envelope& out);

// The common message, an Envelope holding only a FlowBatch, parsed into a
// FlowBatch the caller keeps from message to message: protobuf's Clear()
// keeps a message's repeated records and their strings' capacity, while
// the Envelope's oneof frees its batch on every parse, so parsing through
// the Envelope allocated and freed every record and long string per message.
// Exactly the bytes parse_envelope would give env.batch(): the body must be
// one length-delimited field 1 that spans it. Anything else (another field,
// several fields) is not_lone: the caller parses the Envelope as before.
enum class lone_batch : std::uint8_t { parsed, not_lone, invalid };
[[nodiscard]] lone_batch parse_lone_batch(std::span<const std::byte> bytes, wireflow::v1::FlowBatch& out);
// A reused FlowBatch above this many records is replaced by an empty one
// after use, so one huge message does not pin its memory.
inline constexpr int max_reused_records = 16384;

// What can still be read from a message that does not parse as a valid
// Envelope (proto3 parsing fails on invalid UTF-8) or is too large to accept:
// the batch identity, from the raw wire format, so the probe can be answered
// REJECTED instead of re-sending forever. `wire_format_ok` tells a message
// that is well-formed protobuf (then its typed parse failed on UTF-8) from garbage.
struct sniffed_identity {
    bool wire_format_ok{false};
    std::optional<batch_id> id;  // present only with a valid probe id and sequence
};
[[nodiscard]] sniffed_identity sniff_batch_identity(std::span<const std::byte> bytes);

}  // namespace wireflow::collector::ingest
