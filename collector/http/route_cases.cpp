// route_test's per-route cases: one entry per route of the table, each
// checking the route's own status codes, paging and validation.
#include "route_fixture.hpp"

#include <catch2/catch.hpp>

namespace wireflow::collector::http::testing {

const std::map<std::string, route_test>& route_tests() {
    static const std::map<std::string, route_test> tests{
        {"POST /api/v1/login",
         [](fixture& f) {
             const auto ok = f.send(verb::post, "/api/v1/login", "", R"({"user":"viewer","password":"viewer-password-1"})");
             CHECK(ok.status == 200);
             CHECK(ok.set_cookie.starts_with("wf_session="));
             CHECK(ok.set_cookie.find("HttpOnly") != std::string::npos);
             CHECK(ok.json().at("role") == "viewer");
             CHECK(f.api.sessions.size() == 2);
             const auto bad = f.send(verb::post, "/api/v1/login", "", R"({"user":"viewer","password":"wrong-password"})");
             CHECK(bad.status == 401);
             CHECK(f.send(verb::post, "/api/v1/login", "", R"({"user":"viewer"})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/login", "", R"({"user":"viewer","password":"x","extra":1})").status == 400);
         }},
        {"POST /api/v1/logout",
         [](fixture& f) {
             const auto r = f.send(verb::post, "/api/v1/logout", "", "", {{"Cookie", "wf_session=" + f.admin_cookie}});
             CHECK(r.status == 200);
             CHECK(r.set_cookie.find("Max-Age=0") != std::string::npos);
             CHECK(f.api.sessions.empty());
         }},
        {"GET /api/v1/session",
         [](fixture& f) {
             const auto r = f.get("/api/v1/session", f.viewer);
             CHECK(r.status == 200);
             CHECK(r.json().at("user") == "viewer");
             CHECK(r.json().at("csrf_token") == "");  // a token session has no CSRF token
             const auto c = f.send(verb::get, "/api/v1/session", "", "", {{"Cookie", "wf_session=" + f.admin_cookie}});
             CHECK(c.json().at("csrf_token") == bj::value(auth_service::csrf_token(f.admin_cookie)));
         }},
        {"GET /api/v1/status",
         [](fixture& f) {
             const auto r = f.get("/api/v1/status", f.viewer);
             REQUIRE(r.status == 200);
             const auto o = r.json().as_object();
             CHECK(o.at("batches_stored") == 7);
             CHECK(o.at("batches_rejected") == 5);  // the family, summed
             CHECK(o.at("db_up") == true);
             CHECK(o.at("probes") == 1);
             CHECK(o.at("probes_up") == 1);
             CHECK(o.at("throughput_bps") == 8000.0);
             CHECK(o.at("alerts_enabled") == true);
         }},
        {"GET /api/v1/probes",
         [](fixture& f) {
             const auto r = f.get("/api/v1/probes", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 1);
             CHECK(r.json().at("items").at(0).at("probe_id") == "edge");
         }},
        {"GET /api/v1/hosts",
         [](fixture& f) {
             const auto all = f.get("/api/v1/hosts", f.viewer);
             CHECK(all.status == 200);
             CHECK(total_of(all) == 3);
             CHECK(all.json().at("items").at(0).at("ip") == "10.0.0.1");
             const auto page = f.get("/api/v1/hosts?limit=1&offset=1&order=asc", f.viewer);
             CHECK(total_of(page) == 3);
             REQUIRE(items_of(page) == 1);
             CHECK(page.json().at("items").at(0).at("ip") == "10.0.0.2");
             CHECK(total_of(f.get("/api/v1/hosts?local=false", f.viewer)) == 1);
             for (const char* bad : {"limit=0", "limit=1001", "limit=x", "offset=-1", "sort=name", "order=up",
                                     "local=maybe", "vlan=4096", "pool=x"})
                 CHECK(f.get(std::string("/api/v1/hosts?") + bad, f.viewer).status == 400);

             // Geolocation: country (two letters, upper-cased) and AS number.
             host_info de;
             de.ip = "81.2.69.7";
             de.country = "DE";
             de.asn = 3320;
             de.as_name = "<b>Deutsche Telekom AG</b>";
             f.api.live_hosts.push_back(de);
             const auto by_country = f.get("/api/v1/hosts?country=de", f.viewer);
             REQUIRE(by_country.status == 200);
             CHECK(f.api.last_host_filter->country == "DE");
             REQUIRE(total_of(by_country) == 1);
             const auto body = by_country.json();
             const auto& item = body.at("items").at(0);
             CHECK(item.at("country") == "DE");
             CHECK(item.at("asn") == 3320);
             CHECK(item.at("as_name") == "<b>Deutsche Telekom AG</b>");  // text; the dashboard shows it as text
             CHECK(total_of(f.get("/api/v1/hosts?asn=3320", f.viewer)) == 1);
             CHECK(*f.api.last_host_filter->asn == 3320u);
             CHECK(total_of(f.get("/api/v1/hosts?asn=4294967295", f.viewer)) == 0);
             // Unknown geolocation is null, never "" or 0.
             const auto others = f.get("/api/v1/hosts?q=10.0.0.1", f.viewer);
             CHECK(others.json().at("items").at(0).at("country").is_null());
             CHECK(others.json().at("items").at(0).at("asn").is_null());
             CHECK(others.json().at("items").at(0).at("as_name").is_null());
             for (const char* bad : {"country=D1", "country=D", "country=DEU", "country=", "country=%C3%84E",
                                     "country=D%00", "asn=0", "asn=-1", "asn=4294967296", "asn=x", "asn="})
                 CHECK(f.get(std::string("/api/v1/hosts?") + bad, f.viewer).status == 400);
         }},
        {"GET /api/v1/hosts/{ip}",
         [](fixture& f) {
             const auto live = f.get("/api/v1/hosts/10.0.0.1", f.viewer);
             REQUIRE(live.status == 200);
             CHECK(live.json().at("live") == true);
             CHECK(live.json().at("top_peers").as_array().size() == 1);
             CHECK(live.json().at("recent_flows").as_array().size() == 5);
             const auto idle = f.get("/api/v1/hosts/10.0.0.3", f.viewer);
             REQUIRE(idle.status == 200);
             CHECK(idle.json().at("live") == false);
             // One shape, live or idle.
             CHECK(idle.json().as_object().size() == live.json().as_object().size());
             CHECK(f.get("/api/v1/hosts/10.9.9.9", f.viewer).status == 404);
             CHECK(f.get("/api/v1/hosts/999.1.1.1", f.viewer).status == 400);
             CHECK(f.get("/api/v1/hosts/10.0.0.1?vlan=5000", f.viewer).status == 400);
         }},
        {"GET /api/v1/flows",
         [](fixture& f) {
             const auto r = f.get("/api/v1/flows?limit=2&offset=1", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 5);
             CHECK(items_of(r) == 2);
             CHECK(total_of(f.get("/api/v1/flows?app=TLS", f.viewer)) == 2);
             REQUIRE(f.get("/api/v1/flows?host=2001:DB8::0:1&from=10&to=20&sort=bytes&order=asc", f.viewer).status == 200);
             REQUIRE(f.api.last_flow_filter);
             CHECK(f.api.last_flow_filter->host == "2001:db8::1");  // canonical
             CHECK(f.api.last_flow_filter->sort == flow_sort::bytes);
             CHECK_FALSE(f.api.last_flow_filter->descending);
             for (const char* bad : {"from=10", "from=20&to=10", "host=10.0.0", "port=70000", "protocol=256",
                                     "blacklisted=2", "sort=ip", "from=yesterday&to=20", "state=open",
                                     "sort=throughput", "probe=p1", "pool=1"})
                 CHECK(f.get(std::string("/api/v1/flows?") + bad, f.viewer).status == 400);
             // Stored rows say so, with their average rate.
             const auto ended = f.get("/api/v1/flows?limit=1", f.viewer);
             CHECK(ended.json().at("items").at(0).at("state") == "ended");
             CHECK(ended.json().at("items").at(0).as_object().contains("throughput_bps"));
             CHECK(f.get("/api/v1/flows?state=ended", f.viewer).status == 200);

             // ja3: 32 hex digits, any case, passed on lower-case; anything else a 400.
             REQUIRE(f.get("/api/v1/flows?ja3=E7D705A3286E19EA42F587B344EE6865", f.viewer).status == 200);
             CHECK(f.api.last_flow_filter->ja3 == "e7d705a3286e19ea42f587b344ee6865");
             CHECK(total_of(f.get("/api/v1/flows?ja3=e7d705a3286e19ea42f587b344ee6865", f.viewer)) == 1);
             CHECK(total_of(f.get("/api/v1/flows?ja3=00000000000000000000000000000000", f.viewer)) == 0);
             REQUIRE(f.get("/api/v1/flows", f.viewer).status == 200);
             CHECK(f.api.last_flow_filter->ja3.empty());
             for (const char* bad : {"ja3=", "ja3=e7d705a3286e19ea42f587b344ee686", "ja3=e7d705a3286e19ea42f587b344ee68650",
                                     "ja3=g7d705a3286e19ea42f587b344ee6865", "ja3=%27%20OR%201%3D1--%20aaaaaaaaaaaaaaaaaaa",
                                     "ja3=e7d705a3286e19ea42f587b344ee686%00", "ja3=%20e7d705a3286e19ea42f587b344ee686"})
                 CHECK(f.get(std::string("/api/v1/flows?") + bad, f.viewer).status == 400);
             CHECK(f.get("/api/v1/flows?state=active&ja3=xyz", f.viewer).status == 400);

             // Geolocation filters: either side's country or AS, stored and active alike.
             REQUIRE(f.get("/api/v1/flows?country=se&asn=29518", f.viewer).status == 200);
             CHECK(f.api.last_flow_filter->country.view() == "SE");
             CHECK(f.api.last_flow_filter->asn == std::optional<std::uint32_t>(29518));
             REQUIRE(f.get("/api/v1/flows", f.viewer).status == 200);
             CHECK(f.api.last_flow_filter->country.empty());
             CHECK_FALSE(f.api.last_flow_filter->asn);
             REQUIRE(f.get("/api/v1/flows?state=active&country=NO&asn=2119", f.viewer).status == 200);
             CHECK(f.api.last_active_filter->base.country.view() == "NO");
             CHECK(f.api.last_active_filter->base.asn == std::optional<std::uint32_t>(2119));
             for (const char* bad : {"country=D1", "country=1", "country=DEU", "asn=0", "asn=4294967296",
                                     "state=active&country=X", "state=active&asn=abc"})
                 CHECK(f.get(std::string("/api/v1/flows?") + bad, f.viewer).status == 400);

             // state=active: the in-memory table, same shape and filters,
             // sorted by throughput, plus probe and pool.
             for (int i = 1; i <= 3; ++i) {
                 flow_item a;
                 a.probe_id = i == 3 ? "p2" : "p1";
                 a.flow_id = static_cast<std::uint64_t>(100 + i);
                 a.client_ip = "10.0.0." + std::to_string(i);
                 a.server_ip = "192.0.2.1";
                 a.app_name = "TLS";
                 a.c2s_packets = 1;
                 a.c2s_bytes = 100;
                 a.active = true;
                 a.throughput_bps = 1000.0 * i;
                 f.api.active_rows.push_back(a);
             }
             const auto act = f.get("/api/v1/flows?state=active", f.viewer);
             REQUIRE(act.status == 200);
             CHECK(total_of(act) == 3);
             const auto act_json = act.json();
             const auto& first = act_json.at("items").at(0);
             CHECK(first.at("state") == "active");
             CHECK(first.at("throughput_bps") == bj::value(3000.0));
             CHECK(first.at("client_ip") == "10.0.0.3");
             // One JSON shape for stored and active flows.
             CHECK(first.as_object().size() == ended.json().at("items").at(0).as_object().size());
             REQUIRE(f.api.last_active_filter);
             CHECK(f.api.last_active_filter->sort == active_sort::throughput);
             CHECK(f.api.last_active_filter->base.descending);
             CHECK(total_of(f.get("/api/v1/flows?state=active&probe=p1", f.viewer)) == 2);
             CHECK(total_of(f.get("/api/v1/flows?state=active&host=10.0.0.2", f.viewer)) == 1);
             REQUIRE(f.get("/api/v1/flows?state=active&pool=4&app=TLS&port=443&protocol=6&blacklisted=false&vlan=3"
                           "&sort=bytes&order=asc&limit=1&offset=1",
                           f.viewer)
                         .status == 200);
             const auto& af = *f.api.last_active_filter;
             CHECK(af.pool == std::optional<std::uint32_t>(4));
             CHECK(af.sort == active_sort::bytes);
             CHECK_FALSE(af.base.descending);
             CHECK(af.base.app == "TLS");
             CHECK(af.base.port == std::optional<std::uint16_t>(443));
             CHECK(af.base.protocol == std::optional<std::uint8_t>(6));
             CHECK(af.base.blacklisted == std::optional<bool>(false));
             CHECK(af.base.vlan == std::optional<std::uint16_t>(3));
             CHECK(af.base.limit == 1);
             CHECK(af.base.offset == 1);
             REQUIRE(f.get("/api/v1/flows?state=active&ja3=F4FEBC55EA12B31AE17CFB7E614AFDA8", f.viewer).status == 200);
             CHECK(f.api.last_active_filter->base.ja3 == "f4febc55ea12b31ae17cfb7e614afda8");
             for (const char* bad : {"from=10&to=20", "probe=bad%20id", "probe=%3Cscript%3E", "pool=-1", "pool=x",
                                     "sort=score", "host=10.0.0"})
                 CHECK(f.get(std::string("/api/v1/flows?state=active&") + bad, f.viewer).status == 400);
         }},
        {"GET /api/v1/applications",
         [](fixture& f) {
             const auto r = f.get("/api/v1/applications?limit=1", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 2);
             CHECK(items_of(r) == 1);
             CHECK(f.get("/api/v1/applications?limit=0", f.viewer).status == 400);
             CHECK(f.get("/api/v1/applications?window_s=5", f.viewer).status == 400);
             CHECK(f.get("/api/v1/applications?window_s=86401", f.viewer).status == 400);
         }},
        {"GET /api/v1/pools",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             const auto r = f.get("/api/v1/pools", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 2);  // with the unassigned hosts
         }},
        {"POST /api/v1/pools",
         [](fixture& f) {
             const auto r = f.send(verb::post, "/api/v1/pools", f.admin, R"({"name":"servers","members":["10.0.0.0/24"]})");
             CHECK(r.status == 201);
             CHECK(r.json().at("name") == "servers");
             CHECK(r.json().at("members").as_array().size() == 1);
             CHECK(f.send(verb::post, "/api/v1/pools", f.admin, R"({"name":"servers"})").status == 409);
             CHECK(f.send(verb::post, "/api/v1/pools", f.admin, R"({"members":[]})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/pools", f.admin, R"({"name":"x","members":"10.0.0.1"})").status == 400);
             // All or nothing: a bad member takes the new pool away again.
             CHECK(f.send(verb::post, "/api/v1/pools", f.admin, R"({"name":"lab","members":["nonsense"]})").status == 400);
             CHECK(f.api.pool_rows.size() == 1);
         }},
        {"GET /api/v1/pools/{id}",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             CHECK(f.get("/api/v1/pools/1", f.viewer).status == 200);
             CHECK(f.get("/api/v1/pools/2", f.viewer).status == 404);
             CHECK(f.get("/api/v1/pools/0", f.viewer).status == 404);
             CHECK(f.get("/api/v1/pools/abc", f.viewer).status == 400);
         }},
        {"PUT /api/v1/pools/{id}",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             (void)f.api.create_pool("clients");
             const auto r = f.send(verb::put, "/api/v1/pools/1", f.admin, R"({"name":"web"})");
             CHECK(r.status == 200);
             CHECK(r.json().at("name") == "web");
             CHECK(f.send(verb::put, "/api/v1/pools/1", f.admin, R"({"name":"clients"})").status == 409);
             CHECK(f.send(verb::put, "/api/v1/pools/9", f.admin, R"({"name":"x"})").status == 404);
             CHECK(f.send(verb::put, "/api/v1/pools/1", f.admin, R"({"name":7})").status == 400);
             CHECK(f.send(verb::put, "/api/v1/pools/1", f.admin, R"({})").status == 400);
         }},
        {"DELETE /api/v1/pools/{id}",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             CHECK(f.send(verb::delete_, "/api/v1/pools/1", f.admin).status == 200);
             CHECK(f.api.pool_rows.empty());
             CHECK(f.send(verb::delete_, "/api/v1/pools/1", f.admin).status == 404);
             CHECK(f.send(verb::delete_, "/api/v1/pools/x", f.admin).status == 400);
         }},
        {"POST /api/v1/pools/{id}/members",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             const auto r = f.send(verb::post, "/api/v1/pools/1/members", f.admin, R"({"members":["10.0.0.1","10.0.0.2"]})");
             CHECK(r.status == 200);
             CHECK(r.json().at("members").as_array().size() == 2);
             // One bad member: none of the request's members stay.
             CHECK(f.send(verb::post, "/api/v1/pools/1/members", f.admin, R"({"members":["10.0.0.5","10.0.0.1"]})").status == 400);
             CHECK(f.api.pool_rows[1].members.size() == 2);
             CHECK(f.send(verb::post, "/api/v1/pools/1/members", f.admin, R"({})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/pools/7/members", f.admin, R"({"member":"10.0.0.9"})").status == 404);
         }},
        {"DELETE /api/v1/pools/{id}/members",
         [](fixture& f) {
             (void)f.api.create_pool("servers");
             (void)f.api.add_pool_member(1, "10.0.0.1");
             CHECK(f.send(verb::delete_, "/api/v1/pools/1/members?member=10.0.0.1", f.admin).status == 200);
             CHECK(f.api.pool_rows[1].members.empty());
             CHECK(f.send(verb::delete_, "/api/v1/pools/1/members?member=10.0.0.1", f.admin).status == 400);
             CHECK(f.send(verb::delete_, "/api/v1/pools/1/members", f.admin).status == 400);
             CHECK(f.send(verb::delete_, "/api/v1/pools/1/members?member=" + std::string(129, 'a'), f.admin).status == 400);
         }},
        {"GET /api/v1/devices/unassigned",
         [](fixture& f) {
             const auto r = f.get("/api/v1/devices/unassigned?limit=2&offset=1", f.viewer);
             CHECK(r.status == 200);
             CHECK(items_of(r) == 2);
             CHECK(r.json().at("items").at(0).at("mac").is_null());
             CHECK(f.get("/api/v1/devices/unassigned?sort=mac", f.viewer).status == 400);
             CHECK(f.get("/api/v1/devices/unassigned?limit=0", f.viewer).status == 400);
         }},
        {"GET /api/v1/alerts",
         [](fixture& f) {
             const auto r = f.get("/api/v1/alerts?limit=2&offset=1&state=engaged&severity=warning", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 3);
             CHECK(items_of(r) == 2);
             CHECK(r.json().at("items").at(0).at("details").at("syn") == 100);
             REQUIRE(f.api.last_alert_query);
             CHECK(f.api.last_alert_query->engaged == true);
             CHECK(f.api.last_alert_query->offset == 1);
             for (const char* bad : {"severity=loud", "state=open", "acknowledged=1x", "from=30&to=20", "limit=5000"})
                 CHECK(f.get(std::string("/api/v1/alerts?") + bad, f.viewer).status == 400);
         }},
        {"POST /api/v1/alerts/{id}/ack",
         [](fixture& f) {
             CHECK(f.send(verb::post, "/api/v1/alerts/2/ack", f.admin).status == 200);
             CHECK(f.api.alert_rows[1].acknowledged_by == "admin");
             CHECK(f.send(verb::post, "/api/v1/alerts/99/ack", f.admin).status == 404);
             CHECK(f.send(verb::post, "/api/v1/alerts/x/ack", f.admin).status == 400);
         }},
        {"GET /api/v1/preferences",
         [](fixture& f) {
             const auto r = f.get("/api/v1/preferences", f.viewer);
             CHECK(r.status == 200);
             CHECK(r.json().at("enabled") == true);
         }},
        {"PUT /api/v1/preferences",
         [](fixture& f) {
             const auto r = f.send(verb::put, "/api/v1/preferences", f.admin, R"({"enabled":false})");
             CHECK(r.status == 200);
             CHECK(r.json().at("enabled") == false);
             CHECK(f.send(verb::put, "/api/v1/preferences", f.admin, R"({"enabled":"yes"})").status == 400);
             CHECK(f.send(verb::put, "/api/v1/preferences", f.admin, R"({"volume":1})").status == 400);
             CHECK(f.api.prefs.at("enabled") == false);  // the refused documents changed nothing
         }},
        {"GET /api/v1/blacklists",
         [](fixture& f) {
             const auto r = f.get("/api/v1/blacklists", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 1);
             CHECK(r.json().at("nft_error") == "");
         }},
        {"POST /api/v1/blacklists/reload",
         [](fixture& f) {
             CHECK(f.send(verb::post, "/api/v1/blacklists/reload", f.admin).status == 202);
             CHECK(f.api.reloads == 1);
             f.api.reload_running = true;
             CHECK(f.send(verb::post, "/api/v1/blacklists/reload", f.admin).status == 409);
             CHECK(f.send(verb::post, "/api/v1/blacklists/reload", f.admin, R"({"now":true})").status == 400);
         }},
        {"PUT /api/v1/blacklists/{name}",
         [](fixture& f) {
             const auto r = f.send(verb::put, "/api/v1/blacklists/local-drop", f.admin, R"({"enabled":false})");
             CHECK(r.status == 200);
             CHECK(r.json().at("enabled") == false);
             CHECK(f.send(verb::put, "/api/v1/blacklists/none", f.admin, R"({"enabled":true})").status == 404);
             CHECK(f.send(verb::put, "/api/v1/blacklists/local-drop", f.admin, R"({"enabled":"yes"})").status == 400);
             CHECK(f.send(verb::put, "/api/v1/blacklists/local-drop", f.admin, R"({})").status == 400);
         }},
        {"GET /api/v1/notifications",
         [](fixture& f) {
             const auto r = f.get("/api/v1/notifications", f.admin);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 2);
             const auto body = r.json();
             const auto& pager = body.at("items").as_array().at(1).as_object();
             CHECK(pager.at("name") == "pager");
             CHECK(pager.at("failed") == 1);
             CHECK(pager.at("last_error") == "HTTP status 503");
             CHECK(f.get("/api/v1/notifications", f.viewer).status == 403);   // targets are the admins' business
         }},
        {"POST /api/v1/notifications/{name}/test",
         [](fixture& f) {
             const auto ok = f.send(verb::post, "/api/v1/notifications/ops-slack/test", f.admin);
             CHECK(ok.status == 200);
             CHECK(ok.json().at("ok") == true);
             // A failed delivery is the answer's content, not an HTTP error.
             const auto failed = f.send(verb::post, "/api/v1/notifications/pager/test", f.admin);
             CHECK(failed.status == 200);
             CHECK(failed.json().at("ok") == false);
             CHECK(failed.json().at("error") == "HTTP status 503");
             CHECK(f.api.tests_sent == 2);
             CHECK(f.send(verb::post, "/api/v1/notifications/nobody/test", f.admin).status == 404);
             CHECK(f.send(verb::post, "/api/v1/notifications/pager/test", f.admin, R"({"x":1})").status == 400);
         }},
        {"GET /api/v1/timeseries",
         [](fixture& f) {
             const auto r = f.get("/api/v1/timeseries?metric=bytes&scope=global&from=0&to=600&step=300", f.viewer);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 2);
             CHECK(f.api.last_series_metric == "bytes");
             for (const char* bad : {"scope=global", "metric=Bytes&scope=global", "metric=bytes&scope=planet",
                                     "metric=bytes&scope=global&step=30", "metric=bytes&scope=global&from=20&to=10",
                                     "metric=bytes&scope=global&from=0&to=100000000&step=60"})
                 CHECK(f.get(std::string("/api/v1/timeseries?") + bad, f.viewer).status == 400);
         }},
        {"GET /api/v1/users",
         [](fixture& f) {
             const auto r = f.get("/api/v1/users", f.admin);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 3);
             CHECK(r.body.find("$argon2") == std::string::npos);  // never a password hash
         }},
        {"POST /api/v1/users",
         [](fixture& f) {
             const auto r = f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"ops","role":"viewer","password":"long-enough-1"})");
             CHECK(r.status == 201);
             CHECK(r.json().at("name") == "ops");
             CHECK(f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"ops","password":"long-enough-1"})").status == 409);
             CHECK(f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"x","password":"short"})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"x","role":"root","password":"long-enough-1"})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/users", f.admin, R"({"name":"a b","password":"long-enough-1"})").status == 400);
         }},
        {"PUT /api/v1/users/{name}",
         [](fixture& f) {
             CHECK(f.send(verb::put, "/api/v1/users/viewer", f.admin, R"({"disabled":true})").status == 200);
             CHECK(f.api.users["viewer"].disabled);
             CHECK(f.send(verb::put, "/api/v1/users/nobody", f.admin, R"({"disabled":true})").status == 404);
             CHECK(f.send(verb::put, "/api/v1/users/viewer", f.admin, R"({"role":"root"})").status == 400);
             (void)f.send(verb::put, "/api/v1/users/fresh", f.admin, R"({"role":"viewer"})");
             CHECK(f.send(verb::put, "/api/v1/users/admin", f.admin, R"({"role":"viewer"})").status == 409);
         }},
        {"DELETE /api/v1/users/{name}",
         [](fixture& f) {
             CHECK(f.send(verb::delete_, "/api/v1/users/viewer", f.admin).status == 200);
             CHECK_FALSE(f.api.users.contains("viewer"));
             CHECK(f.send(verb::delete_, "/api/v1/users/viewer", f.admin).status == 404);
             CHECK(f.send(verb::delete_, "/api/v1/users/fresh", f.admin).status == 200);
             CHECK(f.send(verb::delete_, "/api/v1/users/admin", f.admin).status == 409);  // the last admin
         }},
        {"POST /api/v1/users/{name}/password",
         [](fixture& f) {
             const auto path = "/api/v1/users/viewer/password";
             // A viewer sets no one else's password (its own change below revokes its token).
             CHECK(f.send(verb::post, "/api/v1/users/admin/password", f.viewer, R"({"new_password":"new-password-1"})").status == 403);
             CHECK(f.send(verb::post, path, f.viewer, R"({"current_password":"wrong-one-1","new_password":"new-password-1"})").status == 403);
             CHECK(f.send(verb::post, path, f.viewer, R"({"current_password":"viewer-password-1","new_password":"short"})").status == 400);
             CHECK(f.send(verb::post, path, f.viewer, R"({"current_password":"viewer-password-1","new_password":"new-password-1"})").status == 200);
             CHECK_FALSE(f.api.users["viewer"].must_change_password);
             // An admin sets another user's password: that user must choose the next one.
             CHECK(f.send(verb::post, path, f.admin, R"({"new_password":"reset-password-1"})").status == 200);
             CHECK(f.api.users["viewer"].must_change_password);
             CHECK(f.send(verb::post, "/api/v1/users/nobody/password", f.admin, R"({"new_password":"reset-password-1"})").status == 404);
         }},
        {"GET /api/v1/tokens",
         [](fixture& f) {
             const auto r = f.get("/api/v1/tokens", f.admin);
             CHECK(r.status == 200);
             CHECK(total_of(r) == 3);
             CHECK(r.body.find(f.admin) == std::string::npos);  // never a secret
         }},
        {"POST /api/v1/tokens",
         [](fixture& f) {
             const auto r = f.send(verb::post, "/api/v1/tokens", f.admin, R"({"name":"ci","expires_days":30})");
             CHECK(r.status == 201);
             const std::string secret(r.json().at("token").as_string());
             CHECK(f.get("/api/v1/users", secret).status == 200);  // the new token works
             CHECK(f.send(verb::post, "/api/v1/tokens", f.admin, R"({"name":"ci"})").status == 409);
             CHECK(f.send(verb::post, "/api/v1/tokens", f.admin, R"({})").status == 400);
             CHECK(f.send(verb::post, "/api/v1/tokens", f.admin, R"({"name":"x","expires_days":0})").status == 400);
         }},
        {"DELETE /api/v1/tokens/{id}",
         [](fixture& f) {
             CHECK(f.send(verb::delete_, "/api/v1/tokens/2", f.admin).status == 200);
             CHECK(f.get("/api/v1/session", f.viewer).status == 401);  // token 2 was the viewer's
             CHECK(f.send(verb::delete_, "/api/v1/tokens/2", f.admin).status == 404);
             CHECK(f.send(verb::delete_, "/api/v1/tokens/x", f.admin).status == 400);
         }},
        {"GET /api/v1/openapi.json",
         [](fixture& f) {
             const auto r = f.get("/api/v1/openapi.json", "");
             REQUIRE(r.status == 200);
             const auto paths = r.json().at("paths").as_object();
             for (const auto& route : api_routes()) CHECK(paths.contains(route.pattern));
             // The flows' ja3 filter states its form.
             bool documented = false;
             for (const auto& p : paths.at("/api/v1/flows").at("get").at("parameters").as_array())
                 if (p.at("name") == "ja3")
                     documented = p.at("schema").at("pattern") == "^[0-9A-Fa-f]{32}$" &&
                                  p.as_object().contains("description");
             CHECK(documented);
         }},
        {"GET /metrics",
         [](fixture& f) {
             const auto r = f.get("/metrics", f.viewer);
             CHECK(r.status == 200);
             CHECK(r.content_type.starts_with("text/plain; version=0.0.4"));
             CHECK(r.body.find("# TYPE wireflow_batches_stored_total counter\nwireflow_batches_stored_total 7\n") != std::string::npos);
             CHECK(r.body.find("wireflow_batches_rejected_total{reason=\"too_large\"} 3\n") != std::string::npos);
             CHECK(r.body.find("# TYPE wireflow_spool_bytes gauge\n") != std::string::npos);
             CHECK(r.body.find("wireflow_probe_up{probe=\"edge\"} 1\n") != std::string::npos);
         }},
    };
    return tests;
}


}  // namespace wireflow::collector::http::testing
