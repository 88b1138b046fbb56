#pragma once
// What nDPI read from a flow's application layer (FlowRecord fields 47-50):
// how it reached the application (confidence), the TLS handshake and the
// plain-HTTP exchange. Absent for flows nDPI read nothing of, records of
// older probes (or probes run with --no-dpi) and rows stored before schema
// v7. Every string is packet-derived: ingest bounds it and checks it is
// valid UTF-8 without NUL; empty means "not seen", and the store keeps it
// as NULL, never ''. Ingest fills these, the store writes and reads them,
// the JSON view of a flow shows them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "net/ip_address.hpp"
#include "records/dpi_confidence.hpp"
#include "records/name_service.hpp"

namespace wireflow::collector {

// nDPI's confidence: one enum for both binaries (common/records).
using wireflow::dpi_confidence;
using wireflow::max_dpi_confidence;

// The TLS (or DTLS, QUIC) handshake as nDPI read it. Present only when it
// carries at least one value.
struct flow_tls {
    std::uint16_t version{0};        // negotiated, else offered: 0x0303 TLS 1.2 ...; 0 not read
    std::string ja3_client;          // JA3 of the ClientHello: 32 lower-case hex digits, or empty
    std::string ja3_server;          // JA3S of the ServerHello, likewise
    std::string alpn;                // protocols the client offered, comma-separated
    std::string cert_subject;        // the server certificate's subject DN, as nDPI writes it
    std::string cert_issuer;         // its issuer DN
    std::optional<std::uint64_t> cert_not_before_s;  // validity, seconds since the epoch
    std::optional<std::uint64_t> cert_not_after_s;
    std::optional<std::array<std::uint8_t, 20>> cert_sha1;  // SHA-1 of the certificate (DER)
    friend bool operator==(const flow_tls&, const flow_tls&) = default;
};

// A plain-HTTP request and its response. Present only when it carries at
// least one value.
struct flow_http {
    std::string method;              // GET, POST, ... or empty
    std::string url;                 // request target: Host + path, as nDPI keeps it
    std::string user_agent;
    std::uint16_t response_code{0};  // 100..599; 0 no response seen
    friend bool operator==(const flow_http&, const flow_http&) = default;
};

// A name a device gave an address on the local network (FlowRecord field
// 50: an mDNS or LLMNR response's A/AAAA record, a NetBIOS registration or
// positive answer). It names the host at `address`, which need not be either
// end of the flow; it is not stored with the flow.
using wireflow::name_service;
struct flow_name_claim {
    name_service service{name_service::none};
    std::string name;                // bounded, valid UTF-8 (ingest checks)
    net::ip_address address;
    friend bool operator==(const flow_name_claim&, const flow_name_claim&) = default;
};

}  // namespace wireflow::collector
