#pragma once
// http(s) for the control plane (blacklist downloads, alert webhooks), with
// libcurl: TLS with certificate checks, redirects (at most 5, http(s) only),
// proxies from the environment, timeouts and a size cap are libcurl's job.
// Blocking: call from a control thread, never from ingest.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "net/ip_address.hpp"

namespace wireflow::collector::blacklist {

struct fetch_settings {
    std::chrono::seconds timeout{120};
    std::chrono::seconds connect_timeout{20};
    std::size_t max_bytes{256u << 20};   // larger bodies fail (never truncated)
    std::string user_agent{"wireflow-collector/0.1"};
    // Webhooks (issue 13, finding 11): refuse to connect to a loopback,
    // link-local or cloud metadata address, checked on the address each
    // connection is about to use (after DNS, for every redirect too), so
    // neither a name resolving to 127.0.0.1 nor a redirect to
    // 169.254.169.254 gets through.
    bool refuse_internal{false};
};

// Why a webhook must not connect to `a` ("loopback", "link-local", "cloud
// metadata", "unspecified"); empty when it may. IPv4-mapped and NAT64
// (64:ff9b::/96) addresses are judged by the IPv4 address inside.
[[nodiscard]] std::string_view internal_address_kind(const net::ip_address& a) noexcept;

struct fetch_result {
    bool ok{false};
    long http_status{0};
    std::string body;
    std::string error;   // one line; empty when ok
};

// GET; ok only for a 2xx answer with a body no larger than max_bytes.
[[nodiscard]] fetch_result http_get(const std::string& url, const fetch_settings& s = {});
// POST of a JSON body; ok only for a 2xx answer.
[[nodiscard]] fetch_result http_post_json(const std::string& url, const std::string& json, const fetch_settings& s = {});

}  // namespace wireflow::collector::blacklist
