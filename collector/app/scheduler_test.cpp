#include "app/scheduler.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <stdexcept>

using wireflow::collector::app::scheduler;
using namespace std::chrono;

namespace {
const scheduler::clock::time_point t0{seconds(1000)};
const scheduler::wall_clock::time_point wall{};
}  // namespace

TEST_CASE("a periodic task runs one period after it is first seen, then every period", "[scheduler]") {
    scheduler s;
    int runs = 0;
    s.every("tick", seconds(5), [&](auto) { ++runs; });
    CHECK(s.run_due(scheduler::lane::quick, t0, wall) == 0);
    CHECK(s.run_due(scheduler::lane::quick, t0 + seconds(4), wall) == 0);
    CHECK(s.run_due(scheduler::lane::quick, t0 + seconds(5), wall) == 1);
    CHECK(s.run_due(scheduler::lane::quick, t0 + seconds(9), wall) == 0);
    // Late by far: runs once, no burst to catch up.
    CHECK(s.run_due(scheduler::lane::quick, t0 + seconds(60), wall) == 1);
    CHECK(s.run_due(scheduler::lane::quick, t0 + seconds(61), wall) == 0);
    CHECK(runs == 2);
}

TEST_CASE("a task runs only on its own lane", "[scheduler]") {
    scheduler s;
    int quick = 0, blocking = 0;
    s.every("q", seconds(1), [&](auto) { ++quick; });
    s.every("b", seconds(1), [&](auto) { ++blocking; }, scheduler::lane::blocking);
    (void)s.run_due(scheduler::lane::quick, t0, wall);
    (void)s.run_due(scheduler::lane::blocking, t0, wall);
    (void)s.run_due(scheduler::lane::quick, t0 + seconds(1), wall);
    CHECK(quick == 1);
    CHECK(blocking == 0);
    (void)s.run_due(scheduler::lane::blocking, t0 + seconds(1), wall);
    CHECK(blocking == 1);
}

TEST_CASE("a task that throws is counted and runs again next period", "[scheduler]") {
    scheduler s;
    int calls = 0;
    s.every("flaky", seconds(1), [&](auto) {
        if (++calls == 1) throw std::runtime_error("database down");
    });
    (void)s.run_due(scheduler::lane::quick, t0, wall);
    CHECK(s.run_due(scheduler::lane::quick, t0 + seconds(1), wall) == 1);
    CHECK(s.failures() == 1);
    CHECK(s.run_due(scheduler::lane::quick, t0 + seconds(2), wall) == 1);
    CHECK(calls == 2);
    CHECK(s.failures() == 1);
}

TEST_CASE("the task gets the wall clock it is given", "[scheduler]") {
    scheduler s;
    scheduler::wall_clock::time_point seen{};
    s.every("t", seconds(1), [&](auto now) { seen = now; });
    const scheduler::wall_clock::time_point later{hours(5)};
    (void)s.run_due(scheduler::lane::quick, t0, wall);
    (void)s.run_due(scheduler::lane::quick, t0 + seconds(1), later);
    CHECK(seen == later);
}

TEST_CASE("a one-off job of a name already waiting is refused", "[scheduler]") {
    scheduler s;
    int runs = 0;
    CHECK(s.once("reload", [&] { ++runs; }));
    CHECK_FALSE(s.once("reload", [&] { ++runs; }));
    CHECK(s.once("other", [&] { ++runs; }, scheduler::lane::quick));
    CHECK(s.run_due(scheduler::lane::blocking, t0, wall) == 1);
    CHECK(runs == 1);
    // Done: the name is free again.
    CHECK(s.once("reload", [&] { ++runs; }));
    CHECK(s.run_due(scheduler::lane::quick, t0, wall) == 1);
    CHECK(runs == 2);
}

TEST_CASE("a one-off job of a name is refused while it runs", "[scheduler]") {
    scheduler s;
    bool refused = false;
    CHECK(s.once("reload", [&] { refused = !s.once("reload", [] {}); }));
    (void)s.run_due(scheduler::lane::blocking, t0, wall);
    CHECK(refused);
}

TEST_CASE("started lanes run one-off jobs on their threads and stop on request", "[scheduler]") {
    scheduler s;
    s.start();
    std::promise<std::thread::id> ran;
    auto seen = ran.get_future();
    REQUIRE(s.once("job", [&] { ran.set_value(std::this_thread::get_id()); }));
    CHECK(seen.get() != std::this_thread::get_id());
    s.stop();
}
