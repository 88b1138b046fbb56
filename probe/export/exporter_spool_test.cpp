// The exporter when the collector cannot keep up or is away: the memory
// buffer, its overflow, and the on-disk spool (see spool_test.cpp for the
// spool on its own).
#include "export/exporter_test_support.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::exporter_test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST_CASE("with no spool a full buffer drops whole batches and counts each record", "[exporter]") {
    testing::ensure_eal();
    record_ring ring(unique_name("ex_drop"), 4096);
    receiver rx([](const auto&) { return std::nullopt; });  // never acks
    auto cfg = test_config(rx.endpoint());
    cfg.buffer_batches = 5;
    cfg.batch_records = 10;
    cfg.batch_ms = 10s;  // only full batches
    cfg.linger = 300ms;
    exporter ex(cfg, {&ring}, {});
    push_range(ring, 0, 120);  // 12 batches: 5 kept, 7 dropped
    REQUIRE(rx.wait_for([&](const auto&) { return ex.counters().records_exported == 120; }));
    ex.stop();
    const auto c = ex.counters();
    CHECK(c.last_sequence == 12);
    CHECK(c.buffer_drops == 70);
    CHECK(c.export_drops == 70);
    CHECK(c.unacknowledged_batches == 5);
    CHECK(c.unacknowledged_records == 50);
    CHECK(c.batches_acked == 0);
}

TEST_CASE("with a spool nothing is dropped and spooled batches are re-sent in order", "[exporter]") {
    testing::ensure_eal();
    const fs::path dir = fs::temp_directory_path() / ("wireflow-spool-" + std::to_string(::getpid()) + "-a");
    fs::remove_all(dir);
    record_ring ring(unique_name("ex_spool"), 4096);
    receiver rx;
    rx.close();  // collector down from the start
    auto cfg = test_config(rx.endpoint());
    cfg.buffer_batches = 4;
    cfg.spool_dir = dir.string();
    cfg.batch_ms = 10s;
    exporter ex(cfg, {&ring}, {});
    push_range(ring, 0, 400);  // 40 batches: 4 in memory, 36 on disk
    REQUIRE(rx.wait_for([&](const auto&) { return ex.counters().batches_spooled == 36; }));
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 36);
    rx.reopen();
    REQUIRE(rx.wait_for([&](const auto&) { return ex.counters().batches_pending == 0; }));
    ex.stop();
    const auto s = rx.snapshot();
    check_complete(s, ex.boot_id(), 400);
    // First arrival of each sequence is in increasing order.
    std::set<std::uint64_t> first;
    std::uint64_t prev = 0;
    for (auto seq : s.arrivals) {
        if (!first.insert(seq).second) continue;
        CHECK(seq > prev);
        prev = seq;
    }
    CHECK(ex.counters().export_drops == 0);
    CHECK(fs::is_empty(dir));  // acked batches leave the spool
    fs::remove_all(dir);
}

TEST_CASE("a spool left by a previous exporter is re-sent first with its original identity", "[exporter]") {
    testing::ensure_eal();
    const fs::path dir = fs::temp_directory_path() / ("wireflow-spool-" + std::to_string(::getpid()) + "-b");
    fs::remove_all(dir);
    record_ring ring(unique_name("ex_prev"), 4096);
    receiver rx;
    rx.close();
    std::uint64_t old_boot = 0;
    {
        auto cfg = test_config(rx.endpoint());
        cfg.spool_dir = dir.string();
        cfg.linger = 200ms;
        exporter first(cfg, {&ring}, {});
        old_boot = first.boot_id();
        push_range(ring, 0, 95);  // 10 batches, last one partial
        first.stop();             // no collector: unacked batches go to the spool
        CHECK(first.counters().unacknowledged_batches == 0);
        CHECK(first.counters().batches_spooled == 10);
    }
    rx.reopen();
    auto cfg = test_config(rx.endpoint());
    cfg.spool_dir = dir.string();
    exporter second(cfg, {&ring}, {});
    CHECK(second.boot_id() != old_boot);
    REQUIRE(rx.wait_for([&](const auto& s) { return s.batches.size() >= 10; }));
    push_range(ring, 1000, 1010);
    second.stop();
    const auto s = rx.snapshot();
    check_complete(s, old_boot, 95);
    CHECK(s.batches.count({second.boot_id(), 1}) == 1);
    CHECK(s.arrivals.front() == 1);
    CHECK(fs::is_empty(dir));
    fs::remove_all(dir);
}
