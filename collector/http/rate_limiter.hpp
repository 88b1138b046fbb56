#pragma once
// Failed-login limiter: at most `max_failures` failures per key (client IP,
// user name) in a sliding `window`; beyond, the key is blocked until its
// oldest counted failure leaves the window (that is the Retry-After).
// Successful logins do not clear the IP's count (an attacker who owns one
// account must not reset its budget), only the user's.
//
// Bounded memory: at most `max_keys` keys; when full, keys without a recent
// failure are dropped first, then the oldest (a flood of fresh source
// addresses cannot grow it). Time is passed in: pure and testable.
// Thread-safe (one mutex; logins are rare and argon2id costs far more).

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wireflow::collector::http {

class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    rate_limiter(std::size_t max_failures = 5, std::chrono::seconds window = std::chrono::seconds(60),
                 std::size_t max_keys = 100'000)
        : max_failures_(max_failures), window_(window), max_keys_(max_keys) {}

    // Zero when `key` may try now, else the seconds to wait (at least 1).
    [[nodiscard]] std::chrono::seconds retry_after(std::string_view key, clock::time_point now);
    void failure(std::string_view key, clock::time_point now);
    void forget(std::string_view key);
    [[nodiscard]] std::size_t keys() const;

private:
    void prune(std::deque<clock::time_point>& q, clock::time_point now) const;
    void make_room(clock::time_point now);

    std::size_t max_failures_;
    std::chrono::seconds window_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::deque<clock::time_point>> failures_;
};

}  // namespace wireflow::collector::http
