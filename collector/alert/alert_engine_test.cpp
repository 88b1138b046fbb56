#include "alert/alert_engine.hpp"

#include <catch2/catch.hpp>

#include "alert/test_flows.hpp"
#include "store/test_database.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace std::chrono_literals;
using namespace wireflow::collector::alert::testing;
using wireflow::collector::testing::test_database;

namespace {

using clock_type = std::chrono::system_clock;

flow_batch syn_scan(const std::string& attacker, const std::string& victim, int ports) {
    return batch_of(syn_scan_rows(attacker, victim, ports));
}

struct fixture {
    test_database db;
    db_pool pool{db.dsn(), 2};
    alert_store alerts{pool};
    preference_store prefs{pool};
    alert_engine engine;
    clock_type::time_point t0 = clock_type::now();

    explicit fixture(alert_engine_settings s = {}, bool enable = true) : engine(std::move(s), alerts, prefs, nullptr) {
        engine.restore();
        if (enable) {
            auto p = engine.preferences();
            p.enabled = true;
            engine.set_preferences(p);
        }
        engine.tick(t0);   // opens the first window
    }
    void close_window(int n) { engine.tick(t0 + n * 60s); }
    std::vector<stored_alert> rows(std::optional<bool> engaged = std::nullopt, std::string type = {}) {
        alert_query q;
        q.engaged = engaged;
        q.type = std::move(type);
        q.limit = 1000;
        return alerts.list(q).items;
    }
    void set(check c, double threshold, bool on = true) {
        auto p = engine.preferences();
        p[c].threshold = threshold;
        p[c].enabled = on;
        engine.set_preferences(p);
    }
};

}  // namespace

TEST_CASE("a SYN scan engages attacker and victim alerts, holds them while it lasts and releases them after",
          "[alert_engine]") {
    fixture f;
    f.set(check::syn_scan, 20);
    f.engine.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 30));
    f.close_window(1);
    auto engaged = f.rows(true);
    REQUIRE(engaged.size() == 2);
    CHECK(f.rows(true, "syn_scan_attacker").at(0).entity_id == "10.0.0.66@0");
    CHECK(f.rows(true, "syn_scan_victim").at(0).entity_id == "10.0.0.5@0");
    CHECK(f.rows(true, "syn_scan_attacker").at(0).severity == "warning");

    // Still scanning in the next window: the same alerts, held.
    f.engine.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 25));
    f.close_window(2);
    CHECK(f.rows(true).size() == 2);
    CHECK(f.rows().size() == 2);

    // A quiet window releases both, with an end time after the start.
    f.close_window(3);
    CHECK(f.rows(true).empty());
    const auto past = f.rows(false);
    REQUIRE(past.size() == 2);
    for (const auto& a : past) {
        REQUIRE(a.ended_at);
        CHECK(*a.ended_at > a.started_at);
    }
}

TEST_CASE("blacklisted contacts are one-shot alerts per direction, quiet for the quiet period", "[alert_engine]") {
    alert_engine_settings s;
    s.local_networks = {*wireflow::net::ip_prefix::parse("10.0.0.0/8")};
    fixture f(s);
    auto b = batch_of({tcp_flow("203.0.113.5", "10.0.0.9", 22, false), tcp_flow("10.0.0.9", "198.51.100.66", 443, false),
                       tcp_flow("203.0.113.5", "10.0.0.9", 22, false)});   // the repeat is within the quiet period
    b.records[0].client_blacklist = b.records[2].client_blacklist = b.label_for("bad-guys");
    b.records[1].server_blacklist = b.label_for("c2,bad-guys");
    f.engine.on_stored(b);
    f.engine.tick(f.t0 + 1s);
    const auto client = f.rows(std::nullopt, "blacklisted_client_contact");
    REQUIRE(client.size() == 1);
    CHECK(client[0].entity_type == "flow");
    CHECK(client[0].entity_id == "203.0.113.5 -> 10.0.0.9");
    CHECK(client[0].message == "blacklisted client 203.0.113.5 (bad-guys) contacted local host 10.0.0.9:22");
    REQUIRE(client[0].ended_at);
    CHECK(*client[0].ended_at == client[0].started_at);
    CHECK(client[0].severity == "error");
    const auto server = f.rows(std::nullopt, "blacklisted_server_contact");
    REQUIRE(server.size() == 1);
    CHECK(server[0].message == "local host 10.0.0.9 contacted blacklisted server 198.51.100.66:443 (c2,bad-guys)");
    CHECK(f.engine.stats().suppressed_quiet == 1);
}

TEST_CASE("the global switch is off by default and a switched-off check raises nothing", "[alert_engine]") {
    fixture off({}, false);
    CHECK_FALSE(off.engine.preferences().enabled);
    off.set(check::syn_scan, 5);
    off.engine.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 30));
    off.close_window(1);
    CHECK(off.rows().empty());

    fixture on;
    on.set(check::syn_scan, 5, false);
    on.engine.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 30));
    on.close_window(1);
    CHECK(on.rows().empty());
}

TEST_CASE("switching a check off releases its engaged alerts", "[alert_engine]") {
    fixture f;
    f.set(check::syn_scan, 5);
    f.engine.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 30));
    f.close_window(1);
    REQUIRE(f.rows(true).size() == 2);
    f.set(check::syn_scan, 5, false);
    f.engine.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 30));
    f.close_window(2);
    CHECK(f.rows(true).empty());
}

TEST_CASE("an acknowledged alert records who acknowledged it", "[alert_engine]") {
    fixture f;
    f.set(check::syn_scan, 5);
    f.engine.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 30));
    f.close_window(1);
    const auto a = f.rows(true).at(0);
    CHECK(f.engine.acknowledge(a.id, "admin"));
    CHECK_FALSE(f.engine.acknowledge(a.id + 1000, "admin"));
    const auto back = f.alerts.find(a.id);
    REQUIRE(back);
    CHECK(back->acknowledged);
    CHECK(back->acknowledged_by == "admin");
    CHECK(back->acknowledged_at);
    alert_query q;
    q.acknowledged = false;
    CHECK(f.engine.list(q).total == 1);
}

TEST_CASE("engaged alerts survive a restart and are released when the condition is gone", "[alert_engine]") {
    test_database db;
    db_pool pool{db.dsn(), 2};
    alert_store alerts{pool};
    preference_store prefs{pool};
    const auto t0 = clock_type::now();
    {
        alert_engine e({}, alerts, prefs, nullptr);
        e.restore();
        auto p = e.preferences();
        p.enabled = true;
        p[check::syn_scan].threshold = 5;
        e.set_preferences(p);
        e.tick(t0);
        e.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 30));
        e.tick(t0 + 60s);
        REQUIRE(e.engaged().size() == 2);
    }
    alert_engine again({}, alerts, prefs, nullptr);
    again.restore();
    CHECK(again.preferences().enabled);
    CHECK(again.preferences()[check::syn_scan].threshold == 5);
    REQUIRE(again.engaged().size() == 2);
    again.tick(t0 + 120s);
    again.tick(t0 + 180s);   // a full window without the scan
    CHECK(again.engaged().empty());
    alert_query q;
    q.engaged = true;
    CHECK(alerts.list(q).total == 0);
    CHECK(alerts.list({}).total == 2);   // the same rows, ended: not new ones
}

TEST_CASE("probe drops, export losses and silence engage probe alerts", "[alert_engine]") {
    fixture f;
    probe_health p{"probe-a", 7, true, 0, 1000, 0, 0, 0};
    f.engine.on_probe_health({&p, 1});
    p.packets = 2000;
    p.nic_drops = 200;   // 200 of 1200 in the window: 16.7 %
    p.export_drops = 3;
    f.engine.on_probe_health({&p, 1});
    f.close_window(1);
    CHECK(f.rows(true, "probe_packet_drops").size() == 1);
    CHECK(f.rows(true, "probe_export_drops").size() == 1);

    p.seconds_silent = 61;
    p.up = false;
    f.engine.on_probe_health({&p, 1});
    f.engine.tick(f.t0 + 61s);
    const auto silent = f.rows(true, "probe_silent");
    REQUIRE(silent.size() == 1);
    CHECK(silent[0].entity_type == "probe");
    CHECK(silent[0].entity_id == "probe-a");
    p.seconds_silent = 2;
    f.engine.on_probe_health({&p, 1});
    f.close_window(2);
    CHECK(f.rows(true).empty());
}

TEST_CASE("a failing blacklist source engages an alert until it loads again", "[alert_engine]") {
    fixture f;
    f.engine.on_blacklist_status("feodo", false, "download failed: HTTP status 503");
    f.engine.tick(f.t0 + 1s);
    const auto a = f.rows(true, "blacklist_update_failed");
    REQUIRE(a.size() == 1);
    CHECK(a[0].entity_id == "feodo");
    CHECK(a[0].message.find("previous version kept") != std::string::npos);
    f.engine.on_blacklist_status("feodo", true, "");
    f.engine.tick(f.t0 + 2s);
    CHECK(f.rows(true).empty());
}
