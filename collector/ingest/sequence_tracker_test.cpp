#include <catch2/catch.hpp>

#include "sequence_tracker.hpp"

using namespace wireflow::collector::ingest;

TEST_CASE("consecutive sequences are in order and a jump is a gap of the skipped count", "[sequence_tracker]") {
    sequence_tracker t;
    CHECK(t.observe("p", 1, 5).kind == sequence_event::first);
    CHECK(t.observe("p", 1, 6).kind == sequence_event::in_order);
    const auto g = t.observe("p", 1, 10);
    CHECK(g.kind == sequence_event::gap);
    CHECK(g.missing == 3);
    CHECK(t.observe("p", 1, 11).kind == sequence_event::in_order);
}

TEST_CASE("a re-sent or late batch is a repeat and does not move the stream back", "[sequence_tracker]") {
    sequence_tracker t;
    (void)t.observe("p", 1, 1);
    (void)t.observe("p", 1, 2);
    CHECK(t.observe("p", 1, 2).kind == sequence_event::repeat);
    CHECK(t.observe("p", 1, 1).kind == sequence_event::repeat);
    CHECK(t.observe("p", 1, 3).kind == sequence_event::in_order);
}

TEST_CASE("each probe boot is its own stream", "[sequence_tracker]") {
    sequence_tracker t;
    (void)t.observe("p", 1, 100);
    CHECK(t.observe("p", 2, 1).kind == sequence_event::first);
    CHECK(t.observe("q", 1, 1).kind == sequence_event::first);
    CHECK(t.observe("p", 1, 101).kind == sequence_event::in_order);
    CHECK(t.streams() == 3);
}

TEST_CASE("the tracker forgets the least recently seen stream when full", "[sequence_tracker]") {
    sequence_tracker t(2);
    (void)t.observe("a", 1, 1);
    (void)t.observe("b", 1, 1);
    (void)t.observe("a", 1, 2);     // b is now the oldest
    (void)t.observe("c", 1, 1);     // evicts b
    CHECK(t.streams() == 2);
    CHECK(t.observe("a", 1, 3).kind == sequence_event::in_order);
    CHECK(t.observe("b", 1, 2).kind == sequence_event::first);
}
