#include "alert/notify_endpoint.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace std::chrono_literals;

namespace {

std::optional<endpoint_config> parse(std::string_view text) {
    std::string error;
    auto e = parse_endpoint(text, error);
    if (!e) UNSCOPED_INFO(error);
    return e;
}

stored_alert alert_of(std::string type, std::string sev) {
    stored_alert a;
    a.type = std::move(type);
    a.severity = std::move(sev);
    return a;
}

}  // namespace

TEST_CASE("a --notify line names kind, target, filters and retries", "[notify_endpoint]") {
    const auto e = parse("slack https://hooks.slack.com/services/T0/B0/secret name=ops min=error "
                         "types=syn_scan_attacker,probe_silent attempts=3 backoff-ms=250");
    REQUIRE(e);
    CHECK(e->kind == channel::slack);
    CHECK(e->name == "ops");
    CHECK(e->min_severity == severity::error);
    CHECK(e->types == std::vector<std::string>{"syn_scan_attacker", "probe_silent"});
    CHECK(e->max_attempts == 3);
    CHECK(e->initial_backoff == 250ms);
    CHECK(redacted_target(*e) == "https://hooks.slack.com/...");
}

TEST_CASE("e-mail, telegram and syslog endpoints need their own keys", "[notify_endpoint]") {
    const auto mail = parse("email smtp://127.0.0.1:2525 from=wireflow@example.org to=a@example.org,b@example.org");
    REQUIRE(mail);
    CHECK(mail->mail_to.size() == 2);
    CHECK(mail->name == "email");
    CHECK_FALSE(parse("email smtp://127.0.0.1:2525 from=wireflow@example.org"));
    CHECK_FALSE(parse("email http://127.0.0.1:2525 from=a@b to=c@d"));
    CHECK_FALSE(parse("email smtp://h:25 from=a@b to=<evil>@d"));
    CHECK(parse("telegram https://api.telegram.org/botTOKEN/sendMessage chat=-100123"));
    CHECK_FALSE(parse("telegram https://api.telegram.org/botTOKEN/sendMessage"));
    CHECK(parse("syslog udp://127.0.0.1:514"));
    CHECK(parse("syslog tcp://[::1]:6514"));
    CHECK(parse("syslog local"));
    CHECK_FALSE(parse("syslog udp://127.0.0.1"));
    CHECK_FALSE(parse("syslog https://x/"));
}

TEST_CASE("malformed --notify lines are refused with a reason", "[notify_endpoint]") {
    std::string error;
    CHECK_FALSE(parse_endpoint("pager https://x/", error));
    CHECK(error.find("unknown kind") != std::string::npos);
    CHECK_FALSE(parse_endpoint("webhook ftp://x/", error));
    CHECK_FALSE(parse_endpoint("webhook https://x/ min=loud", error));
    CHECK_FALSE(parse_endpoint("webhook https://x/ attempts=0", error));
    CHECK_FALSE(parse_endpoint("webhook https://x/ chat=1", error));   // a telegram key
    CHECK_FALSE(parse_endpoint("webhook https://x/ name=a/b", error));
    CHECK_FALSE(parse_endpoint("webhook", error));
}

TEST_CASE("two endpoints of one kind need names", "[notify_endpoint]") {
    CHECK_THROWS_AS(parse_endpoints({"webhook http://a/", "webhook http://b/"}), std::invalid_argument);
    CHECK(parse_endpoints({"webhook http://a/", "webhook http://b/ name=second"}).size() == 2);
}

TEST_CASE("an endpoint wants alerts at its minimum severity and of its types", "[notify_endpoint]") {
    auto e = parse("webhook http://127.0.0.1:1/ min=warning types=probe_silent");
    REQUIRE(e);
    CHECK(wants(*e, alert_of("probe_silent", "error")));
    CHECK_FALSE(wants(*e, alert_of("probe_silent", "notice")));
    CHECK_FALSE(wants(*e, alert_of("host_volume", "critical")));
    e->types.clear();
    CHECK(wants(*e, alert_of("host_volume", "critical")));
}
