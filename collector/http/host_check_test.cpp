// DNS rebinding: the Host header must name this server (issue 13, finding 5).
#include "host_check.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::http;

TEST_CASE("a rebound name is refused whatever the port", "[host_check]") {
    const host_policy p{{"flows.example.org"}, "0.0.0.0"};
    CHECK_FALSE(host_allowed("attacker.example", p));
    CHECK_FALSE(host_allowed("attacker.example:3005", p));
    CHECK_FALSE(host_allowed("flows.example.org.attacker.example", p));
    CHECK_FALSE(host_allowed("127.0.0.1.nip.io:3005", p));
}

TEST_CASE("configured names, localhost and loopback literals are accepted", "[host_check]") {
    const host_policy p{{"flows.example.org"}, "127.0.0.1"};
    CHECK(host_allowed("flows.example.org", p));
    CHECK(host_allowed("FLOWS.Example.org:443", p));
    CHECK(host_allowed("flows.example.org.", p));
    CHECK(host_allowed("localhost:3005", p));
    CHECK(host_allowed("127.0.0.1:3005", p));
    CHECK(host_allowed("127.8.9.10", p));
    CHECK(host_allowed("[::1]:3005", p));
}

TEST_CASE("address literals: the listen address, or any when listening on all", "[host_check]") {
    const host_policy one{{}, "192.0.2.2"};
    CHECK(host_allowed("192.0.2.2:3005", one));
    CHECK_FALSE(host_allowed("192.0.2.3:3005", one));
    const host_policy all{{}, "0.0.0.0"};
    CHECK(host_allowed("192.0.2.3:3005", all));
    CHECK(host_allowed("[2001:db8::1]:3005", all));
    const host_policy all6{{}, "::"};
    CHECK(host_allowed("198.51.100.7", all6));
}

TEST_CASE("malformed Host values are refused", "[host_check]") {
    const host_policy p{{"flows.example.org"}, "0.0.0.0"};
    for (const char* h : {"", ":3005", "flows.example.org:x", "flows.example.org:3005:1",
                          "[::1", "[nothing]:80", "flows example.org", "flows.example.org/x", "user@flows.example.org",
                          "flows.example.org:1234567", "fl\xc3\xb6ws.example.org"}) {
        INFO("Host: " << h);
        CHECK_FALSE(host_allowed(h, p));
    }
    // RFC 3986 section 3.2.3: port = *DIGIT, so an empty port is a valid Host.
    CHECK(host_allowed("flows.example.org:", p));
    CHECK(host_of("[::1]:80") == "::1");
    CHECK(host_of("Example.COM.") == "example.com");
}

TEST_CASE("loopback-only listeners", "[host_check]") {
    CHECK(loopback_only("127.0.0.1"));
    CHECK(loopback_only("127.0.0.2"));
    CHECK(loopback_only("::1"));
    CHECK_FALSE(loopback_only("0.0.0.0"));
    CHECK_FALSE(loopback_only("::"));
    CHECK_FALSE(loopback_only("192.0.2.2"));
}
