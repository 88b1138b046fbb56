#include "alert/alert_ledger.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace std::chrono_literals;

namespace {

struct fixture {
    alert_engine_stats stats;
    std::vector<alert_record> changes;   // copies, as the writer would take them
    alert_ledger ledger{[this](const record_ptr& r) { changes.push_back(*r); }, stats};
    std::chrono::system_clock::time_point t0 = std::chrono::system_clock::now();
    check_filter all = [](check) { return true; };
};

finding scan(std::string message = "scan") {
    return finding{check::syn_scan, "syn_scan_attacker", "host", "10.0.0.66@0", std::move(message), {}};
}

finding contact() {
    return finding{check::blacklisted_contact, "blacklisted_client_contact", "flow", "a -> b", "m", {}};
}

}  // namespace

TEST_CASE("a windowed alert is held while found again and released by the first window without it", "[alert_ledger]") {
    fixture f;
    f.ledger.engage(scan(), severity::warning, f.t0);
    REQUIRE(f.changes.size() == 1);
    CHECK_FALSE(f.changes[0].a.ended_at);
    f.ledger.close_window(f.all, f.t0 + 60s);
    f.ledger.engage(scan(), severity::warning, f.t0 + 61s);   // same message: nothing to write
    CHECK(f.changes.size() == 1);
    f.ledger.close_window(f.all, f.t0 + 120s);
    CHECK(f.ledger.engaged_count() == 1);
    f.ledger.close_window(f.all, f.t0 + 180s);
    CHECK(f.ledger.engaged_count() == 0);
    REQUIRE(f.changes.size() == 2);
    CHECK(f.changes[1].release_pending);
    CHECK(f.changes[1].a.ended_at == f.t0 + 180s);
    CHECK(f.stats.engaged == 1);
    CHECK(f.stats.released == 1);
}

TEST_CASE("a held alert whose message changed is written again", "[alert_ledger]") {
    fixture f;
    f.ledger.engage(scan("30 ports"), severity::warning, f.t0);
    f.ledger.engage(scan("60 ports"), severity::error, f.t0 + 1s);
    REQUIRE(f.changes.size() == 2);
    CHECK(f.changes[1].update_pending);
    CHECK(f.changes[1].a.severity == "error");
    CHECK(f.changes[1].a.started_at == f.t0);
}

TEST_CASE("a one-shot alert is ended at once and quiet for the quiet period", "[alert_ledger]") {
    fixture f;
    f.ledger.one_shot(contact(), severity::error, 300s, f.t0);
    f.ledger.one_shot(contact(), severity::error, 300s, f.t0 + 10s);
    REQUIRE(f.changes.size() == 1);
    CHECK(f.changes[0].a.ended_at == f.changes[0].a.started_at);
    CHECK(f.stats.suppressed_quiet == 1);
    f.ledger.forget_quiet(300s, f.t0 + 301s);
    f.ledger.one_shot(contact(), severity::error, 300s, f.t0 + 301s);
    CHECK(f.changes.size() == 2);
    CHECK(f.ledger.engaged_count() == 0);
}

TEST_CASE("alerts of a switched-off check end; status alerts wait for their release", "[alert_ledger]") {
    fixture f;
    f.ledger.engage(scan(), severity::warning, f.t0);
    f.ledger.engage(finding{check::probe_silent, "probe_silent", "probe", "p", "m", {}}, severity::error, f.t0);
    f.ledger.close_window(f.all, f.t0 + 60s);
    f.ledger.close_window(f.all, f.t0 + 120s);   // the scan is gone; the silence is not windowed
    CHECK(f.ledger.engaged_count() == 1);
    f.ledger.release_inactive([](check c) { return c != check::probe_silent; }, f.t0 + 121s);
    CHECK(f.ledger.engaged_count() == 0);
    f.ledger.release("probe_silent|probe|p", f.t0 + 122s);   // already gone: nothing
    CHECK(f.stats.released == 2);
}

TEST_CASE("an adopted alert is held unseen and not written again", "[alert_ledger]") {
    fixture f;
    stored_alert a;
    a.id = 7;
    a.type = "syn_scan_attacker";
    a.entity_type = "host";
    a.entity_id = "10.0.0.66@0";
    f.ledger.adopt(a, check::syn_scan);
    CHECK(f.changes.empty());
    REQUIRE(f.ledger.engaged().size() == 1);
    f.ledger.close_window(f.all, f.t0);
    REQUIRE(f.changes.size() == 1);
    CHECK(f.changes[0].a.id == 7);
    CHECK(f.changes[0].written);
}
