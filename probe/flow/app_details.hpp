#pragma once
// What nDPI read from a flow's application layer, as a record carries it:
// the TLS handshake (version, JA3/JA3S, the server certificate) or the HTTP
// exchange (method, URL, user agent, response code) or the name a device
// claimed over mDNS, LLMNR or NetBIOS, and how sure nDPI is
// of the protocol. Fixed size and trivially copyable like the record it sits
// in; every string is packet-derived and was cut to its field and repaired to
// valid UTF-8 (common/net/utf8.hpp) before it was written here.

#include <cstdint>
#include <type_traits>

#include "records/dpi_confidence.hpp"
#include "records/name_service.hpp"

namespace wireflow::probe {

using wireflow::dpi_confidence;  // one enum for both binaries (common/records)

// Field bounds, NUL included. Certificate names and URLs longer than this
// are cut at a character boundary: the dashboard shows a line, not a page.
inline constexpr std::size_t max_cert_name = 255;
inline constexpr std::size_t max_url = 255;
inline constexpr std::size_t max_user_agent = 255;
inline constexpr std::size_t max_alpn = 127;
inline constexpr std::size_t ja3_hex = 32;

enum class app_details_kind : std::uint8_t { none = 0, tls = 1, http = 2, name = 3 };

struct tls_details {
    std::uint16_t version{0};            // TLS/DTLS version as on the wire (0x0303 TLS 1.2), 0 unknown
    bool has_validity{false};
    bool has_sha1{false};
    std::uint32_t not_before_s{0};       // certificate validity, seconds since the epoch
    std::uint32_t not_after_s{0};
    std::uint8_t cert_sha1[20]{};
    char ja3_client[ja3_hex + 1]{};      // lower-case hex or empty
    char ja3_server[ja3_hex + 1]{};
    char alpn[max_alpn + 1]{};
    char subject[max_cert_name + 1]{};
    char issuer[max_cert_name + 1]{};
};

struct http_details {
    std::uint16_t response_code{0};      // 0: no response seen
    char method[12]{};                   // "GET", "OPTIONS", ...: nDPI's method names
    char url[max_url + 1]{};
    char user_agent[max_user_agent + 1]{};
};

// A name a device gives itself on the local network (dpi/name_claim.hpp
// reads it): which address the name is for, as the message says.
using wireflow::name_service;  // one enum for both binaries (common/records)

// A DNS name is at most 255 bytes on the wire (RFC 1035 3.1); a NetBIOS
// name 15 characters. NUL included.
inline constexpr std::size_t max_claimed_name = 255;

struct name_claim {
    name_service service{name_service::none};
    std::uint8_t address_len{0};        // 4 or 16
    std::uint8_t address[16]{};         // the named address, network order
    char name[max_claimed_name + 1]{};  // "printer.local", "FILESERVER": valid UTF-8, no controls
};

// One flow is TLS, HTTP or a name service, never two as nDPI sees it: `kind` says which
// member was written (a union keeps the record small). The union is left
// unset by construction, and nothing reads it while `kind` is none: a worker
// builds one record per finished flow, and zeroing 740 bytes it will not
// use is a cost at a million flows with churn. Write a member whole
// (`d.tls = tls_details{}`) before its fields.
struct app_details {
    app_details_kind kind{app_details_kind::none};
    dpi_confidence confidence{dpi_confidence::unknown};
    union {
        tls_details tls;
        http_details http;
        name_claim claim;  // mDNS, LLMNR, NetBIOS name service: the flow's first claim
    };
    app_details() noexcept {}  // NOLINT: the union stays unset, see above
};

static_assert(std::is_trivially_copyable_v<app_details>);

}  // namespace wireflow::probe
