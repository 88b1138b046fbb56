#include "app/probes_view.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector;
using namespace std::chrono;

namespace {
system_clock::time_point at(int s) { return system_clock::time_point{seconds(1'700'000'000 + s)}; }

probe_stats stats(std::uint64_t boot, std::uint64_t time_s) {
    probe_stats s;
    s.probe_id = "edge";
    s.boot_id = boot;
    s.time_ns = time_s * 1'000'000'000ULL;
    s.ports = {{0, "eth0", 100, 6400, 1, 2, 3}, {1, "eth1", 50, 3200, 4, 0, 0}};
    s.workers = {{0, 150, 150, 0, 7, 9, 9, 5, 0}};
    s.export_drops = 11;
    return s;
}

flow_batch batch(std::uint64_t boot, std::uint64_t seq) {
    flow_batch b;
    b.id = {"edge", boot, seq};
    return b;
}
}  // namespace

TEST_CASE("a probe is down after three missed reports, and at least 30 s", "[probes_view]") {
    ingest::probe_registry reg;
    app::probes_view view(reg);
    reg.update(stats(1, 1000));
    view.observe(at(0));
    reg.update(stats(1, 1005));  // reports every 5 s: 3 x 5 < 30, so 30 s applies
    view.observe(at(5));
    CHECK(view.list(at(34))[0].up);
    CHECK_FALSE(view.list(at(36))[0].up);
    reg.update(stats(1, 1025));  // now every 20 s: down after 60 s
    view.observe(at(25));
    const auto v = view.list(at(80));
    REQUIRE(v.size() == 1);
    CHECK(v[0].up);
    CHECK(v[0].stats_interval_ns == 20'000'000'000ULL);
    CHECK_FALSE(view.list(at(86))[0].up);
    // Unchanged stats seen again do not count as a new report.
    view.observe(at(200));
    CHECK_FALSE(view.list(at(200))[0].up);
}

TEST_CASE("probe view sums ports and counts drops and sequence gaps of the current boot", "[probes_view]") {
    ingest::probe_registry reg;
    app::probes_view view(reg);
    reg.update(stats(2, 1000));
    view.observe(at(0));
    for (const std::uint64_t seq : {1, 2, 5, 3}) view.on_stored(batch(2, seq));
    const auto v = view.list(at(1)).at(0);
    CHECK(v.packets == 150);
    CHECK(v.bytes == 9600);
    CHECK(v.nic_drops == 1 + 2 + 3 + 4);
    CHECK(v.export_drops == 11 + 5);
    CHECK(v.ports.size() == 2);
    CHECK(v.batches_stored == 4);
    CHECK(v.sequence_gaps == 1);  // 4 missing
    view.on_stored(batch(3, 1));  // a new boot restarts the count
    CHECK(view.list(at(1)).at(0).sequence_gaps == 0);  // stats still from boot 2: no figure for it
}
