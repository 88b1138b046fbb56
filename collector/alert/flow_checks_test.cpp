#include "alert/flow_checks.hpp"

#include <catch2/catch.hpp>

#include <set>

#include "alert/flow_risk_names.hpp"
#include "alert/test_flows.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace wireflow::collector::alert::testing;

namespace {
// The findings of one record, alone in a batch of probe-a.
std::vector<finding> findings(const flow_record& r, const alert_preferences& p, const local_networks& local,
                              known_devices& devices) {
    const auto b = batch_of({r});
    return flow_findings(b, b.records[0], p, local, devices);
}
}  // namespace

TEST_CASE("a blacklisted client or server gives one finding per side, saying which side is local", "[flow_checks]") {
    const auto local = *local_networks::parse("10.0.0.0/8");
    known_devices devices;
    auto in = batch_of({tcp_flow("203.0.113.5", "10.0.0.9", 22, false)});
    in.records[0].client_blacklist = in.label_for("bad-guys");
    auto fs = flow_findings(in, in.records[0], enabled(), local, devices);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].type == "blacklisted_client_contact");
    CHECK(fs[0].entity_type == "flow");
    CHECK(fs[0].entity_id == "203.0.113.5 -> 10.0.0.9");
    CHECK(fs[0].message == "blacklisted client 203.0.113.5 (bad-guys) contacted local host 10.0.0.9:22");
    CHECK(fs[0].details.at("server_local").as_bool());

    auto out = batch_of({tcp_flow("10.0.0.9", "198.51.100.66", 443, false)});
    out.records[0].server_blacklist = out.label_for("c2,bad-guys");
    fs = flow_findings(out, out.records[0], enabled(), local, devices);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].message == "local host 10.0.0.9 contacted blacklisted server 198.51.100.66:443 (c2,bad-guys)");

    CHECK(findings(tcp_flow("10.0.0.9", "198.51.100.1", 443, false), enabled(), local, devices).empty());
}

TEST_CASE("a new MAC on a local network is found once; a remote one never", "[flow_checks]") {
    const auto local = *local_networks::parse("192.168.1.0/24");
    known_devices devices;
    auto r = tcp_flow("192.168.1.20", "198.51.100.1", 443, false);
    r.client_mac = mac("02:00:00:00:00:01");
    auto remote = tcp_flow("198.51.100.7", "198.51.100.1", 443, false);
    remote.client_mac = mac("02:00:00:00:00:02");
    auto fs = findings(r, enabled(), local, devices);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].type == "new_device");
    CHECK(fs[0].entity_id == "02:00:00:00:00:01");
    CHECK(findings(r, enabled(), local, devices).empty());
    CHECK(findings(remote, enabled(), local, devices).empty());
    CHECK(devices.size() == 1);
}

TEST_CASE("nDPI flow risks are named, and a hostile server name is cleaned", "[flow_checks]") {
    const local_networks local;
    known_devices devices;
    auto r = tcp_flow("10.0.0.1", "198.51.100.1", 443, false);
    r.flow_risk = (1ull << 2) | (1ull << 5);
    r.server_name = "bad\xff\x01name.example";
    const auto fs = findings(r, enabled(), local, devices);
    // One alert type per risk, each at nDPI's severity for it.
    REQUIRE(fs.size() == 2);
    CHECK(fs[0].type == "ndpi_url_possible_sql_injection");
    CHECK(fs[1].type == "ndpi_known_protocol_on_non_standard_port");
    CHECK(fs[1].message.find("Known Protocol on Non Standard Port") != std::string::npos);
    REQUIRE(fs[0].level);
    REQUIRE(fs[1].level);
    CHECK(*fs[0].level > *fs[1].level);   // SQL injection (severe) above a non-standard port (medium)
    // Invalid bytes and control characters both become U+FFFD (common/net/utf8).
    CHECK(fs[0].message.find("bad\xEF\xBF\xBD\xEF\xBF\xBDname.example") != std::string::npos);
    // One risk switched off keeps the other; a severity set by the operator wins.
    auto some = enabled();
    some.risks[5].enabled = false;
    some.risks[2].level = severity::info;
    const auto one = findings(r, some, local, devices);
    REQUIRE(one.size() == 1);
    CHECK(one[0].type == "ndpi_url_possible_sql_injection");
    CHECK(one[0].level == severity::info);
    auto off = enabled();
    off[check::flow_risk].enabled = false;
    CHECK(findings(r, off, local, devices).empty());
}

TEST_CASE("every nDPI risk has a stable, distinct alert type and the preferences switch each", "[flow_checks]") {
    std::set<std::string_view> types;
    for (const auto& t : risk_types()) {
        CHECK(t.type.starts_with("ndpi_"));
        CHECK_FALSE(t.description.empty());
        types.insert(t.type);
        CHECK(risk_type_named(t.type) == &t);
    }
    CHECK(types.size() == risk_types().size());
    CHECK(risk_types().size() == 41);
    CHECK(risk_type_of(6)->type == "ndpi_tls_selfsigned_certificate");
    CHECK(risk_type_of(60) == nullptr);
    std::string error;
    const auto p = apply_json(default_preferences(), boost::json::parse(R"({"flow_risks":
        {"ndpi_tls_selfsigned_certificate": {"enabled": false, "severity": "critical"}}})"), error);
    REQUIRE(p);
    CHECK_FALSE(p->risks[6].enabled);
    CHECK(p->risks[6].level == severity::critical);
    const auto j = to_json(*p);
    const auto& self_signed = j.at("flow_risks").at("ndpi_tls_selfsigned_certificate").as_object();
    CHECK(self_signed.at("enabled") == false);
    CHECK(self_signed.at("severity") == "critical");
    // The GET document goes back through PUT unchanged (description is output only).
    const auto back = apply_json(default_preferences(), j, error);
    REQUIRE(back);
    CHECK(back->risks == p->risks);
    CHECK_FALSE(apply_json(default_preferences(), boost::json::parse(R"({"flow_risks": {"nope": {}}})"), error));
}

TEST_CASE("a malformed local network is refused", "[flow_checks]") {
    CHECK_FALSE(local_networks::parse("10.0.0.0/33"));
    const auto v6 = *local_networks::parse("2001:db8::/32");
    CHECK(v6.contains(*wireflow::net::ip_address::parse("2001:db8::1")));
    CHECK_FALSE(v6.contains(*wireflow::net::ip_address::parse("10.0.0.1")));
}

TEST_CASE("a long-lived flow and an elephant flow are found from one record", "[flow_checks]") {
    const local_networks local;
    known_devices devices;
    auto p = enabled();
    p[check::long_lived_flow].threshold = 3600;
    p[check::elephant_flow].threshold = 1e9;
    auto r = tcp_flow("10.0.0.1", "198.51.100.1", 443, false);
    r.first_seen_ns = 1'000'000'000'000;
    r.last_seen_ns = r.first_seen_ns + 3601ull * 1'000'000'000;
    r.s2c_bytes = 2'000'000'000;
    const auto fs = findings(r, p, local, devices);
    REQUIRE(fs.size() == 2);
    CHECK(fs[0].type == "long_lived_flow");
    CHECK(fs[0].message.find("3601 s") != std::string::npos);
    CHECK(fs[1].type == "elephant_flow");
    // Shorter and smaller: nothing.
    r.last_seen_ns = r.first_seen_ns + 3599ull * 1'000'000'000;
    r.s2c_bytes = 900'000'000;
    CHECK(findings(r, p, local, devices).empty());
}

TEST_CASE("a remote client reaching a local telnet or TFTP server is found; the reverse is not", "[flow_checks]") {
    const auto local = *local_networks::parse("10.0.0.0/8");
    known_devices devices;
    auto telnet = tcp_flow("203.0.113.9", "10.0.0.23", 23, false);
    auto fs = findings(telnet, enabled(), local, devices);
    REQUIRE(fs.size() == 1);
    CHECK(fs[0].type == "remote_to_local_insecure_protocol");
    CHECK(fs[0].message == "remote host 203.0.113.9 reached local host 10.0.0.23 over telnet (port 23)");
    flow_record tftp;
    tftp.protocol = 17;
    tftp.client_ip = ip("203.0.113.9");
    tftp.server_ip = ip("10.0.0.69");
    tftp.server_port = 69;
    CHECK(findings(tftp, enabled(), local, devices).size() == 1);
    // Local to remote, local to local, remote to local SSH: not this check.
    CHECK(findings(tcp_flow("10.0.0.23", "203.0.113.9", 23, false), enabled(), local, devices).empty());
    CHECK(findings(tcp_flow("10.0.0.5", "10.0.0.23", 23, false), enabled(), local, devices).empty());
    CHECK(findings(tcp_flow("203.0.113.9", "10.0.0.22", 22, false), enabled(), local, devices).empty());
    flow_record syslog = tftp;
    syslog.server_port = 514;   // UDP 514 is syslog, not rsh
    CHECK(findings(syslog, enabled(), local, devices).empty());
}

TEST_CASE("a TCP connection that ended without payload either way is tcp_no_data", "[flow_checks]") {
    const local_networks local;
    known_devices devices;
    auto r = tcp_flow("10.0.0.1", "10.0.0.2", 8080, false);   // SYN/ACK/FIN both ways, tcp_fin
    r.reason = wireflow::end_reason::tcp_fin;
    r.payload_seen = 0x80;                                   // tracked, no payload
    const auto count = [&](const flow_record& row) {
        std::size_t n = 0;
        for (const auto& f : findings(row, enabled(), local, devices)) n += f.type == "tcp_no_data";
        return n;
    };
    CHECK(count(r) == 1);
    auto data = r;
    data.payload_seen = 0x80 | 0x02;   // the server answered with data
    CHECK(count(data) == 0);
    auto old_probe = r;
    old_probe.payload_seen = 0;        // a probe that does not track payload: unknown, never an alert
    CHECK(count(old_probe) == 0);
    auto refused = tcp_flow("10.0.0.1", "10.0.0.2", 8080, true);   // no handshake: a scan's business
    refused.payload_seen = 0x80;
    CHECK(count(refused) == 0);
    auto going_on = r;
    going_on.reason = wireflow::end_reason::active_timeout;          // an active-timeout update: the connection goes on
    CHECK(count(going_on) == 0);
}
