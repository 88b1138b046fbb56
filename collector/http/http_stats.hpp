#pragma once
// What the HTTP layer refuses, counted (relaxed atomics, any thread). The
// collector's counter table shows them in the status, /metrics and the exit
// line (collector/app/counter_table).

#include <atomic>
#include <cstdint>

namespace wireflow::collector::http {

struct http_stats {
    std::atomic<std::uint64_t> misdirected{0};         // 421: Host names another server (DNS rebinding)
    std::atomic<std::uint64_t> cross_origin{0};        // 403: foreign Origin / Sec-Fetch-Site
    std::atomic<std::uint64_t> login_failures{0};      // wrong user name or password (login and own change)
    std::atomic<std::uint64_t> login_rate_limited{0};  // 429 answers to login and password changes
    std::atomic<std::uint64_t> hash_busy{0};           // 503: every argon2id slot in use
    std::atomic<std::uint64_t> connections_refused{0}; // closed at once: --http-max-connections reached
    std::atomic<std::uint64_t> accept_errors{0};       // accept() failed (EMFILE...): backed off
};

}  // namespace wireflow::collector::http
