#include "alert/alert_engine.hpp"

#include <catch2/catch.hpp>

#include <set>

#include "store/test_database.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace std::chrono_literals;
using wireflow::collector::testing::test_database;

namespace {

using clock_type = std::chrono::system_clock;

flow_row tcp_flow(std::string client, std::string server, std::uint16_t port, bool refused) {
    flow_row r;
    r.ip_version = 4;
    r.protocol = 6;
    r.client_ip = std::move(client);
    r.client_port = 40000;
    r.server_ip = std::move(server);
    r.server_port = port;
    r.c2s_packets = 1;
    r.c2s_bytes = 60;
    r.c2s_tcp_flags = 0x02;   // SYN
    r.end_reason = 1;
    if (refused) {
        r.s2c_packets = 1;
        r.s2c_bytes = 40;
        r.s2c_tcp_flags = 0x14;   // RST+ACK
    } else {
        r.c2s_packets = 5;
        r.c2s_tcp_flags = 0x1b;
        r.s2c_packets = 5;
        r.s2c_bytes = 500;
        r.s2c_tcp_flags = 0x1b;
    }
    return r;
}

flow_batch batch_of(std::vector<flow_row> rows) {
    flow_batch b;
    b.id = {"probe-a", 1, 1};
    b.records = std::move(rows);
    return b;
}

flow_batch syn_scan(const std::string& attacker, const std::string& victim, int ports) {
    std::vector<flow_row> rows;
    for (int p = 1; p <= ports; ++p) rows.push_back(tcp_flow(attacker, victim, static_cast<std::uint16_t>(p), true));
    return batch_of(std::move(rows));
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

TEST_CASE("a scan below the threshold and answered connections raise nothing", "[alert_engine]") {
    fixture f;
    f.set(check::syn_scan, 20);
    f.engine.on_stored(syn_scan("10.0.0.66", "10.0.0.5", 20));   // exactly the threshold: not above
    std::vector<flow_row> answered;
    for (int p = 1; p <= 50; ++p) answered.push_back(tcp_flow("10.0.0.7", "10.0.0.8", static_cast<std::uint16_t>(p), false));
    f.engine.on_stored(batch_of(answered));
    f.close_window(1);
    CHECK(f.rows().empty());
}

TEST_CASE("a host scan names the attacker that probed many hosts", "[alert_engine]") {
    fixture f;
    f.set(check::host_scan, 10);
    std::vector<flow_row> rows;
    for (int h = 1; h <= 15; ++h) rows.push_back(tcp_flow("192.0.2.9", "10.1.0." + std::to_string(h), 22, true));
    f.engine.on_stored(batch_of(rows));
    f.close_window(1);
    const auto a = f.rows(true, "host_scan_attacker");
    REQUIRE(a.size() == 1);
    CHECK(a[0].entity_id == "192.0.2.9@0");
    CHECK(a[0].message.find("15") != std::string::npos);
}

TEST_CASE("flow and ICMP floods are measured per second over the window", "[alert_engine]") {
    alert_engine_settings s;
    s.window = 10s;
    fixture f(s);
    f.set(check::flow_flood, 5);   // flows/s
    f.set(check::icmp_flood, 20);  // packets/s
    std::vector<flow_row> rows;
    for (int i = 0; i < 60; ++i) rows.push_back(tcp_flow("10.0.0.1", "10.0.0.2", static_cast<std::uint16_t>(1000 + i), false));
    flow_row icmp;
    icmp.protocol = 1;
    icmp.client_ip = "10.0.0.3";
    icmp.server_ip = "10.0.0.4";
    icmp.c2s_packets = 250;   // 25/s over 10 s
    icmp.c2s_bytes = 250 * 84;
    rows.push_back(icmp);
    f.engine.on_stored(batch_of(rows));
    f.engine.tick(f.t0 + 10s);
    CHECK(f.rows(true, "flow_flood_attacker").size() == 1);
    CHECK(f.rows(true, "flow_flood_victim").size() == 1);
    CHECK(f.rows(true, "icmp_flood_attacker").at(0).entity_id == "10.0.0.3@0");
    CHECK(f.rows(true, "icmp_flood_victim").at(0).entity_id == "10.0.0.4@0");
    f.engine.tick(f.t0 + 20s);
    CHECK(f.rows(true).empty());
}

TEST_CASE("host and pool volume thresholds are bytes per minute", "[alert_engine]") {
    alert_engine_settings s;
    s.pool_of = [](std::string_view ip, std::uint16_t, std::string_view) {
        return ip.starts_with("10.") ? std::string("office") : std::string();
    };
    fixture f(s);
    f.set(check::host_volume, 1e6);
    f.set(check::pool_volume, 1.5e6);
    auto r = tcp_flow("10.0.0.1", "198.51.100.1", 443, false);
    r.s2c_bytes = 1'200'000;
    auto r2 = tcp_flow("10.0.0.2", "198.51.100.1", 443, false);
    r2.s2c_bytes = 900'000;
    f.engine.on_stored(batch_of({r, r2}));
    f.close_window(1);
    const auto hosts = f.rows(true, "host_volume");
    std::set<std::string> ids;
    for (const auto& a : hosts) ids.insert(a.entity_id);
    CHECK(ids == std::set<std::string>{"10.0.0.1@0", "198.51.100.1@0"});
    const auto pools = f.rows(true, "pool_volume");
    REQUIRE(pools.size() == 1);
    CHECK(pools[0].entity_type == "pool");
    CHECK(pools[0].entity_id == "office");
}

TEST_CASE("blacklisted contacts are one-shot alerts per direction, quiet for the quiet period", "[alert_engine]") {
    alert_engine_settings s;
    s.local_networks = {*wireflow::net::ip_prefix::parse("10.0.0.0/8")};
    fixture f(s);
    auto in = tcp_flow("203.0.113.5", "10.0.0.9", 22, false);
    in.client_blacklist = "bad-guys";
    auto out = tcp_flow("10.0.0.9", "198.51.100.66", 443, false);
    out.server_blacklist = "c2,bad-guys";
    f.engine.on_stored(batch_of({in, out, in}));   // the repeat is within the quiet period
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

TEST_CASE("a new MAC on a local network is announced once", "[alert_engine]") {
    alert_engine_settings s;
    s.local_networks = {*wireflow::net::ip_prefix::parse("192.168.1.0/24")};
    fixture f(s);
    auto r = tcp_flow("192.168.1.20", "198.51.100.1", 443, false);
    r.client_mac = "02:00:00:00:00:01";
    auto remote = tcp_flow("198.51.100.7", "198.51.100.1", 443, false);
    remote.client_mac = "02:00:00:00:00:02";   // not local: not a device of ours
    f.engine.on_stored(batch_of({r, remote}));
    f.engine.tick(f.t0 + 1s);
    auto a = f.rows(std::nullopt, "new_device");
    REQUIRE(a.size() == 1);
    CHECK(a[0].entity_id == "02:00:00:00:00:01");
    // Seen again much later (after any quiet period): still known.
    auto p = f.engine.preferences();
    p.quiet_period = 0s;
    f.engine.set_preferences(p);
    f.engine.on_stored(batch_of({r}));
    f.engine.tick(f.t0 + 2s);
    CHECK(f.rows(std::nullopt, "new_device").size() == 1);
}

TEST_CASE("nDPI flow risks are named in a one-shot flow alert", "[alert_engine]") {
    fixture f;
    auto r = tcp_flow("10.0.0.1", "198.51.100.1", 443, false);
    r.flow_risk = (1ull << 2) | (1ull << 5);
    r.server_name = "bad\xff\x01name.example";
    f.engine.on_stored(batch_of({r}));
    f.engine.tick(f.t0 + 1s);
    const auto a = f.rows(std::nullopt, "flow_risk");
    REQUIRE(a.size() == 1);
    CHECK(a[0].message.find("Known Protocol on Non Standard Port") != std::string::npos);
    // Hostile server name: invalid bytes replaced, control characters masked.
    CHECK(a[0].message.find("bad\xEF\xBF\xBD\xEF\xBF\xBDname.example") != std::string::npos);
}

TEST_CASE("the alert list filters by state, minimum severity, entity and time range", "[alert_store]") {
    test_database db;
    db_pool pool{db.dsn(), 1};
    alert_store store{pool};
    const auto t = clock_type::time_point(std::chrono::seconds(1'800'000'000));
    const auto add = [&](std::string type, std::string sev, std::string entity, int minute, bool ended) {
        stored_alert a;
        a.type = std::move(type);
        a.severity = std::move(sev);
        a.entity_type = "host";
        a.entity_id = std::move(entity);
        a.started_at = t + std::chrono::minutes(minute);
        if (ended) a.ended_at = a.started_at + 30s;
        a.message = "m";
        return store.insert(a);
    };
    add("syn_scan_attacker", "warning", "10.0.0.1@0", 0, true);
    add("host_volume", "notice", "10.0.0.2@0", 1, false);
    const auto crit = add("probe_silent", "critical", "10.0.0.1@0", 2, false);
    alert_query q;
    CHECK(store.list(q).total == 3);
    CHECK(store.list(q).items.front().id == crit);   // newest first
    q.engaged = true;
    CHECK(store.list(q).total == 2);
    q = {};
    q.severity = "warning";
    CHECK(store.list(q).total == 2);
    q = {};
    q.entity_id = "10.0.0.1@0";
    CHECK(store.list(q).total == 2);
    q = {};
    q.from = t + 1min;
    q.to = t + 2min;
    const auto page = store.list(q);
    REQUIRE(page.total == 1);
    CHECK(page.items[0].type == "host_volume");
    q = {};
    q.limit = 1;
    q.offset = 1;
    CHECK(store.list(q).items.size() == 1);
    CHECK(store.list(q).total == 3);
    CHECK(store.release(crit, t + 5min));
    CHECK_FALSE(store.release(crit, t + 6min));   // already ended
    CHECK(store.find(crit)->ended_at == t + 5min);
}
