#include "alert/notify_format.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

using namespace wireflow::collector;
using namespace wireflow::collector::alert;

namespace {

const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

stored_alert sample() {
    stored_alert a;
    a.id = 42;
    a.type = "syn_scan_attacker";
    a.severity = "warning";
    a.entity_type = "host";
    a.entity_id = "10.0.0.66@0";
    a.started_at = t0;
    a.message = "host 10.0.0.66 <scanned> \"ports\" & more";
    a.details = R"({"value": 30})";
    return a;
}

}  // namespace

TEST_CASE("the webhook body is one JSON object describing the alert", "[notify_format]") {
    const auto v = boost::json::parse(webhook_body(sample()));
    CHECK(v.at("id").as_int64() == 42);
    CHECK(v.at("type").as_string() == "syn_scan_attacker");
    CHECK(v.at("engaged").as_bool());
    CHECK(v.at("started_at").as_string() == "2027-01-15T08:00:00Z");
    CHECK(v.at("ended_at").is_null());
    CHECK(v.at("details").at("value").as_int64() == 30);
}

TEST_CASE("chat bodies carry one line in each service's field", "[notify_format]") {
    const std::string line = "[warning] syn_scan_attacker host 10.0.0.66@0: host 10.0.0.66 <scanned> \"ports\" & more";
    CHECK(alert_line(sample()) == line);
    CHECK(boost::json::parse(slack_body(sample())).at("text").as_string() ==
          "[warning] syn_scan_attacker host 10.0.0.66@0: host 10.0.0.66 &lt;scanned&gt; \"ports\" &amp; more");
    CHECK(boost::json::parse(mattermost_body(sample())).at("text").as_string() == line);
    CHECK(boost::json::parse(discord_body(sample())).at("content").as_string() == line);
    const auto tg = boost::json::parse(telegram_body(sample(), "-100123"));
    CHECK(tg.at("chat_id").as_string() == "-100123");
    CHECK(tg.at("text").as_string() == line);
}

TEST_CASE("a Discord message is cut at 2000 bytes on a character boundary", "[notify_format]") {
    auto a = sample();
    a.message = std::string(3000, 'x');
    CHECK(boost::json::parse(discord_body(a)).at("content").as_string().size() == 2000);
}

TEST_CASE("the Teams body is a message with one Adaptive Card", "[notify_format]") {
    const auto v = boost::json::parse(teams_body(sample()));
    CHECK(v.at("type").as_string() == "message");
    const auto& att = v.at("attachments").as_array().at(0);
    CHECK(att.at("contentType").as_string() == "application/vnd.microsoft.card.adaptive");
    CHECK(att.at("content").at("type").as_string() == "AdaptiveCard");
    CHECK(att.at("content").at("body").as_array().at(1).at("text").as_string() == sample().message);
}

TEST_CASE("the e-mail has RFC 5322 headers, an encoded subject when needed and a base64 body", "[notify_format]") {
    auto a = sample();
    const auto m = email_message(a, "wf@example.org", {"a@example.org", "b@example.org"}, t0, "collector1");
    CHECK(m.find("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n") != std::string::npos);
    CHECK(m.find("To: a@example.org, b@example.org\r\n") != std::string::npos);
    CHECK(m.find("Subject: [wireflow] [warning] syn_scan_attacker host 10.0.0.66@0\r\n") != std::string::npos);
    CHECK(m.find("Content-Transfer-Encoding: base64\r\n\r\n") != std::string::npos);
    CHECK(m.find("\n.") == std::string::npos);   // nothing that needs dot-stuffing
    a.entity_id = "caf\xC3\xA9";
    const auto u = email_message(a, "wf@example.org", {"a@example.org"}, t0, "collector1");
    CHECK(u.find("Subject: =?UTF-8?B?") != std::string::npos);
}

TEST_CASE("the syslog message follows RFC 5424 and its TCP frame counts octets", "[notify_format]") {
    auto a = sample();
    a.entity_id = "pool \"a]\\b\"";
    const auto m = syslog_message(a, "collector1", "wireflow-collector", 123, t0);
    // <daemon*8 + warning(4)>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
    CHECK(m.starts_with("<28>1 2027-01-15T08:00:00.000Z collector1 wireflow-collector 123 syn_scan_attacker "
                        "[wireflow@32473 id=\"42\" severity=\"warning\" entity_type=\"host\" "
                        "entity_id=\"pool \\\"a\\]\\\\b\\\"\" engaged=\"true\"] \xEF\xBB\xBF"));
    CHECK(m.ends_with(a.message));
    a.severity = "critical";
    CHECK(syslog_message(a, "h", "app", 1, t0).starts_with("<26>1 "));
    CHECK(octet_counted("abc") == "3 abc");
}
