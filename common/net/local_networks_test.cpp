#include "net/local_networks.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::net;

static ip_address ip(const char* s) { return *ip_address::parse(s); }

TEST_CASE("local networks classify v4 and v6 hosts from a comma list", "[local_networks]") {
    std::string why;
    auto locals = local_networks::parse(" 10.0.0.0/8, 192.168.1.0/24 ,fd00::/8,2001:db8::5", &why);
    REQUIRE(locals);
    CHECK(locals->networks().size() == 4);
    CHECK(locals->contains(ip("10.20.30.40")));
    CHECK(locals->contains(ip("192.168.1.200")));
    CHECK_FALSE(locals->contains(ip("192.168.2.1")));
    CHECK(locals->contains(ip("fd12:3456::1")));
    CHECK(locals->contains(ip("2001:db8::5")));
    CHECK_FALSE(locals->contains(ip("2001:db8::6")));
    CHECK_FALSE(locals->contains(ip("8.8.8.8")));

    CHECK(local_networks::parse("", &why)->networks().empty());
    CHECK_FALSE(local_networks::parse("10.0.0.0/8,,fd00::/8", &why));
    CHECK(why.find("empty item") != std::string::npos);
    CHECK_FALSE(local_networks::parse("10.0.0.0/8,10.1.0.0/8", &why));
    CHECK(why.find("10.1.0.0/8") != std::string::npos);
}
