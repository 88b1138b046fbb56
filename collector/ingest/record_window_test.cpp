#include <catch2/catch.hpp>

#include <vector>

#include "record_window.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::ingest;

namespace {
constexpr std::uint64_t s = 1'000'000'000ULL;
constexpr std::uint64_t now = 1'800'000'000ULL * s;

std::vector<flow_record> rows(std::uint64_t first, std::uint64_t last) {
    std::vector<flow_record> r(3);
    for (auto& x : r) {
        x.first_seen_ns = now - 5 * s;
        x.last_seen_ns = now;
    }
    r[1].first_seen_ns = first;
    r[1].last_seen_ns = last;
    return r;
}
}  // namespace

TEST_CASE("records around the collector's clock are in the window", "[record_window]") {
    const record_window w{std::chrono::seconds(600), std::chrono::seconds(86400)};
    CHECK(records_in_window(rows(now - 86400 * s, now + 600 * s), now, w));
    CHECK(records_in_window({}, now, w));
}

TEST_CASE("one record far in the future puts the batch outside the window", "[record_window]") {
    const record_window w{std::chrono::seconds(600), std::chrono::seconds(86400)};
    CHECK_FALSE(records_in_window(rows(now, now + 601 * s), now, w));
    CHECK_FALSE(records_in_window(rows(now, ~0ULL >> 1), now, w));  // year 2262
}

TEST_CASE("one record older than the allowed age puts the batch outside the window", "[record_window]") {
    const record_window w{std::chrono::seconds(600), std::chrono::seconds(86400)};
    CHECK_FALSE(records_in_window(rows(now - 86401 * s, now), now, w));
    CHECK_FALSE(records_in_window(rows(0, 1), now, w));  // 1970
}

TEST_CASE("an age longer than the epoch accepts every past record", "[record_window]") {
    const record_window w{std::chrono::seconds(600), std::chrono::seconds(100ULL * 365 * 86400)};
    CHECK(records_in_window(rows(0, 1), now, w));
}
