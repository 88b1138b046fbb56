#include "rate_limiter.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::http;
using namespace std::chrono_literals;

TEST_CASE("five failures in a minute block the key until the oldest ages out", "[rate_limiter]") {
    rate_limiter rl(5, 60s);
    const auto t0 = rate_limiter::clock::time_point{} + 1000s;
    for (int i = 0; i < 5; ++i) {
        CHECK(rl.retry_after("ip:1", t0 + std::chrono::seconds(i)).count() == 0);
        rl.failure("ip:1", t0 + std::chrono::seconds(i));
    }
    CHECK(rl.retry_after("ip:1", t0 + 5s).count() == 55);
    CHECK(rl.retry_after("ip:2", t0 + 5s).count() == 0);  // other keys unaffected
    CHECK(rl.retry_after("ip:1", t0 + 59s).count() == 1);
    CHECK(rl.retry_after("ip:1", t0 + 60s).count() == 0);
}

TEST_CASE("forget clears a key", "[rate_limiter]") {
    rate_limiter rl(2, 60s);
    const auto t0 = rate_limiter::clock::time_point{} + 10s;
    rl.failure("user:a", t0);
    rl.failure("user:a", t0);
    CHECK(rl.retry_after("user:a", t0).count() > 0);
    rl.forget("user:a");
    CHECK(rl.retry_after("user:a", t0).count() == 0);
}

TEST_CASE("memory stays bounded under a flood of fresh keys", "[rate_limiter]") {
    rate_limiter rl(5, 60s, 100);
    const auto t0 = rate_limiter::clock::time_point{} + 10s;
    for (int i = 0; i < 1000; ++i) rl.failure("ip:" + std::to_string(i), t0 + std::chrono::milliseconds(i));
    CHECK(rl.keys() <= 100);
    // The newest keys are kept.
    rl.failure("ip:999", t0 + 2s);
    rl.failure("ip:999", t0 + 2s);
    rl.failure("ip:999", t0 + 2s);
    rl.failure("ip:999", t0 + 2s);
    CHECK(rl.retry_after("ip:999", t0 + 3s).count() > 0);
}
