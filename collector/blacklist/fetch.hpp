#pragma once
// http(s) for the control plane (blacklist downloads, alert webhooks), with
// libcurl: TLS with certificate checks, redirects (at most 5, http(s) only),
// proxies from the environment, timeouts and a size cap are libcurl's job.
// Blocking: call from a control thread, never from ingest.

#include <chrono>
#include <cstddef>
#include <string>

namespace wireflow::collector::blacklist {

struct fetch_settings {
    std::chrono::seconds timeout{120};
    std::chrono::seconds connect_timeout{20};
    std::size_t max_bytes{256u << 20};   // larger bodies fail (never truncated)
    std::string user_agent{"wireflow-collector/0.1"};
};

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
