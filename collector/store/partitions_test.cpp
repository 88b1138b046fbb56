#include "store/partitions.hpp"
#include "store/pg_time.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace std::chrono;
namespace part = wireflow::collector::partitions;

TEST_CASE("partition names follow the UTC day of the instant", "[store][partitions]") {
    const sys_days d = year{2024} / February / 29;
    CHECK(part::name_of(part::day_of(d + hours{23} + minutes{59})) == "flows_p20240229");
    CHECK(part::name_of(part::day_of(d + days{1})) == "flows_p20240301");
    CHECK(part::start_literal(part::day_of(d)) == "2024-02-29 00:00:00+00");
}

TEST_CASE("an instant before 1970 belongs to the day that contains it", "[store][partitions]") {
    const auto t = sys_days{year{1969} / December / 31} + hours{12};
    CHECK(part::day_of(t) == -1);
    CHECK(part::name_of(-1) == "flows_p19691231");
}

TEST_CASE("partition names round-trip to their day", "[store][partitions]") {
    for (std::int64_t day : {0L, 1L, 19782L, 20000L, 2932896L}) {
        const auto back = part::day_of_name(part::name_of(day));
        REQUIRE(back.has_value());
        CHECK(*back == day);
    }
}

TEST_CASE("names that are not daily partitions are not read as days", "[store][partitions]") {
    CHECK_FALSE(part::day_of_name("flows_default"));
    CHECK_FALSE(part::day_of_name("flows_p2024013"));
    CHECK_FALSE(part::day_of_name("flows_p202401311"));
    CHECK_FALSE(part::day_of_name("flows_p2024a131"));
    CHECK_FALSE(part::day_of_name("flows_p20240231"));  // no February 31st
    CHECK_FALSE(part::day_of_name("hosts_p20240131"));
}

TEST_CASE("an instant becomes an exact timestamptz literal, clamped to years 1-9999", "[store][partitions]") {
    const auto us = [](sys_time<microseconds> t) { return t.time_since_epoch().count(); };
    const sys_days d = year{2024} / February / 29;
    CHECK(wireflow::collector::pg_time::instant_literal(us(d + hours{7} + minutes{8} + seconds{9} + microseconds{123456})) ==
          "2024-02-29 07:08:09.123456+00");
    CHECK(wireflow::collector::pg_time::instant_literal(us(d + microseconds{1})) == "2024-02-29 00:00:00.000001+00");
    CHECK(wireflow::collector::pg_time::instant_literal(0) == "1970-01-01 00:00:00+00");
    CHECK(wireflow::collector::pg_time::instant_literal(-1) == "1969-12-31 23:59:59.999999+00");
    CHECK(wireflow::collector::pg_time::instant_literal(std::numeric_limits<std::int64_t>::max()) == "9999-12-31 23:59:59.999999+00");
    CHECK(wireflow::collector::pg_time::instant_literal(std::numeric_limits<std::int64_t>::min()) == "0001-01-01 00:00:00+00");
}
