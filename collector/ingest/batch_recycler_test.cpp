#include <catch2/catch.hpp>

#include "batch_recycler.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::ingest;

namespace {
flow_batch batch_of(std::size_t records) {
    flow_batch b;
    b.records.resize(records);
    for (auto& r : b.records) r.server_name = "a server name longer than the small-string buffer";
    return b;
}
}  // namespace

TEST_CASE("a given-back batch is taken again with its records' storage", "[batch_recycler]") {
    batch_recycler r;
    flow_batch b = batch_of(1000);
    const auto* storage = b.records.data();
    const auto* name = b.records[0].server_name.data();
    r.give(std::move(b));
    REQUIRE(r.kept() == 1);
    flow_batch again = r.take();
    CHECK(again.records.data() == storage);
    CHECK(again.records[0].server_name.data() == name);
    CHECK(r.kept() == 0);
}

TEST_CASE("taking from an empty recycler gives an empty batch", "[batch_recycler]") {
    batch_recycler r;
    const flow_batch b = r.take();
    CHECK(b.records.empty());
    CHECK(b.records.capacity() == 0);
}

TEST_CASE("the recycler keeps batches up to its total of records", "[batch_recycler]") {
    batch_recycler r(30, 100);
    for (int i = 0; i < 10; ++i) r.give(batch_of(10));
    CHECK(r.kept() == 3);
    (void)r.take();
    r.give(batch_of(10));  // room again after a take
    CHECK(r.kept() == 3);
}

TEST_CASE("a batch above the record bound is freed, not kept", "[batch_recycler]") {
    // One huge message must not pin its memory for the collector's lifetime.
    batch_recycler r(1000, 100);
    r.give(batch_of(101));
    r.give(flow_batch{});  // no storage: nothing to reuse
    CHECK(r.kept() == 0);
    r.give(batch_of(100));
    CHECK(r.kept() == 1);
}
