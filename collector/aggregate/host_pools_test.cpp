#include "host_pools.hpp"

#include <catch2/catch.hpp>

using namespace wireflow::collector::aggregate;

static ip_address ip(const char* s) { return *ip_address::parse(s); }
static mac_address mac(const char* s) { return *mac_address::parse(s); }

TEST_CASE("pool members parse to canonical text", "[host_pools]") {
    CHECK(pool_member::parse("192.168.1.0/24@10")->to_string() == "192.168.1.0/24@10");
    CHECK(pool_member::parse("10.0.0.1/32")->to_string() == "10.0.0.1");
    CHECK(pool_member::parse("AA:BB:CC:DD:EE:FF")->to_string() == "aa:bb:cc:dd:ee:ff");
    CHECK(pool_member::parse("aa:bb:cc:dd:ee:ff@0")->to_string() == "aa:bb:cc:dd:ee:ff@0");
    CHECK(pool_member::parse("2001:DB8::/32")->to_string() == "2001:db8::/32");
    std::string why;
    CHECK_FALSE(pool_member::parse("10.0.0.0/24@4096", &why));
    CHECK(why.find("VLAN") != std::string::npos);
    CHECK_FALSE(pool_member::parse("10.0.0.0/24@", &why));
    CHECK_FALSE(pool_member::parse("printer", &why));
    CHECK(why.find("not a MAC, IP address or CIDR") != std::string::npos);
    CHECK_FALSE(pool_member::parse("10.0.0.5/24", &why));
    CHECK(why.find("host bits") != std::string::npos);
    CHECK_FALSE(pool_member::parse("", &why));
}

TEST_CASE("the longest matching prefix picks the pool", "[host_pools]") {
    host_pools p;
    const auto wide = p.create("wide").id;
    const auto narrow = p.create("narrow").id;
    const auto one = p.create("one host").id;
    REQUIRE(p.add_member(wide, "10.0.0.0/8").ok());
    REQUIRE(p.add_member(narrow, "10.1.0.0/16").ok());
    REQUIRE(p.add_member(one, "10.1.2.3").ok());
    CHECK(p.match(ip("10.9.9.9"), 0, nullptr) == wide);
    CHECK(p.match(ip("10.1.9.9"), 0, nullptr) == narrow);
    CHECK(p.match(ip("10.1.2.3"), 0, nullptr) == one);
    CHECK(p.match(ip("11.0.0.1"), 0, nullptr) == no_pool);
    CHECK(p.match(ip("::a01:203"), 0, nullptr) == no_pool);

    const auto v6 = p.create("v6").id;
    REQUIRE(p.add_member(v6, "2001:db8::/32").ok());
    CHECK(p.match(ip("2001:db8::1"), 0, nullptr) == v6);
}

TEST_CASE("a vlan-qualified member matches only its vlan and wins at equal length", "[host_pools]") {
    host_pools p;
    const auto any = p.create("any vlan").id;
    const auto ten = p.create("vlan 10").id;
    const auto longer = p.create("longer").id;
    REQUIRE(p.add_member(any, "192.168.1.0/24").ok());
    REQUIRE(p.add_member(ten, "192.168.1.0/24@10").ok());
    REQUIRE(p.add_member(longer, "192.168.1.128/25").ok());
    REQUIRE(p.add_member(ten, "172.16.0.0/12@10").ok());
    CHECK(p.match(ip("192.168.1.5"), 10, nullptr) == ten);
    CHECK(p.match(ip("192.168.1.5"), 0, nullptr) == any);
    CHECK(p.match(ip("192.168.1.5"), 11, nullptr) == any);
    // length first: an unqualified /25 beats a qualified /24
    CHECK(p.match(ip("192.168.1.200"), 10, nullptr) == longer);
    CHECK(p.match(ip("172.16.5.5"), 10, nullptr) == ten);
    CHECK(p.match(ip("172.16.5.5"), 0, nullptr) == no_pool);
}

TEST_CASE("mac membership beats any ip prefix", "[host_pools]") {
    host_pools p;
    const auto net = p.create("net").id;
    const auto dev = p.create("device").id;
    const auto dev20 = p.create("device on vlan 20").id;
    REQUIRE(p.add_member(net, "10.0.0.7").ok());
    REQUIRE(p.add_member(dev, "aa:bb:cc:dd:ee:ff").ok());
    REQUIRE(p.add_member(dev20, "aa:bb:cc:dd:ee:ff@20").ok());
    const auto m = mac("aa:bb:cc:dd:ee:ff");
    const auto other = mac("aa:bb:cc:dd:ee:00");
    CHECK(p.match(ip("10.0.0.7"), 0, &m) == dev);
    CHECK(p.match(ip("10.0.0.7"), 20, &m) == dev20);
    CHECK(p.match(ip("10.0.0.7"), 0, &other) == net);
    CHECK(p.match(ip("10.0.0.7"), 0, nullptr) == net);
}

TEST_CASE("a member belongs to one pool only", "[host_pools]") {
    host_pools p;
    const auto a = p.create("a").id;
    const auto b = p.create("b").id;
    REQUIRE(p.add_member(a, "10.0.0.1").ok());
    auto r = p.add_member(b, "10.0.0.1/32");
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("already belongs to pool " + std::to_string(a)) != std::string::npos);
    CHECK_FALSE(p.add_member(a, "10.0.0.1").ok());
    CHECK(p.add_member(b, "10.0.0.1@5").ok());  // a qualified member is a different member
    REQUIRE(p.remove_member(a, "10.0.0.1").ok());
    CHECK(p.add_member(b, "10.0.0.1").ok());
    CHECK_FALSE(p.remove_member(a, "10.0.0.1").ok());
    CHECK_FALSE(p.add_member(999, "10.0.0.9").ok());
}

TEST_CASE("pools are created, renamed and deleted with validated names", "[host_pools]") {
    host_pools p;
    const auto a = p.create("office").id;
    CHECK(a != no_pool);
    CHECK(p.create("office").error.find("already exists") != std::string::npos);
    CHECK_FALSE(p.create("").ok());
    CHECK_FALSE(p.create(std::string(65, 'x')).ok());
    CHECK_FALSE(p.create("bad\xff").ok());
    CHECK_FALSE(p.create("tab\there").ok());
    CHECK(p.create("caf\xc3\xa9").ok());
    REQUIRE(p.rename(a, "lab").ok());
    CHECK(*p.name(a) == "lab");
    CHECK(p.rename(a, "lab").ok());  // renaming to its own name is fine
    REQUIRE(p.add_member(a, "10.0.0.0/8").ok());
    const auto gen = p.generation();
    REQUIRE(p.remove(a).ok());
    CHECK(p.generation() != gen);
    CHECK_FALSE(p.exists(a));
    CHECK(p.match(ip("10.1.1.1"), 0, nullptr) == no_pool);
    CHECK_FALSE(p.remove(a).ok());
    const auto b = p.create("lab").id;
    CHECK(b != a);  // ids are not reused
    CHECK(p.add_member(b, "10.0.0.0/8").ok());  // the deleted pool released its members
}

TEST_CASE("snapshot and restore round-trip pools, ids and members", "[host_pools]") {
    host_pools p;
    const auto a = p.create("a").id;
    const auto b = p.create("b").id;
    (void)p.create("empty");
    REQUIRE(p.add_member(a, "10.0.0.0/8").ok());
    REQUIRE(p.add_member(a, "aa:bb:cc:dd:ee:ff@3").ok());
    REQUIRE(p.add_member(b, "2001:db8::/48").ok());
    REQUIRE(p.remove(p.create("gone").id).ok());
    const auto snap = p.snapshot();
    REQUIRE(snap.size() == 3);
    CHECK(snap[0].members == std::vector<std::string>{"10.0.0.0/8", "aa:bb:cc:dd:ee:ff@3"});

    host_pools q;
    REQUIRE(q.restore(snap).ok());
    CHECK(q.snapshot() == snap);
    CHECK(q.match(ip("10.2.3.4"), 0, nullptr) == a);
    CHECK(q.match(ip("2001:db8::9"), 0, nullptr) == b);
    const auto fresh = q.create("new").id;
    CHECK(fresh > b);
}

TEST_CASE("restore rejects an invalid snapshot and keeps the current pools", "[host_pools]") {
    host_pools p;
    const auto a = p.create("keep").id;
    REQUIRE(p.add_member(a, "10.0.0.0/8").ok());
    const auto before = p.snapshot();
    std::vector<pool_snapshot> dup_member{{1, "x", {"192.168.0.0/16"}}, {2, "y", {"192.168.0.0/16"}}};
    auto r = p.restore(dup_member);
    CHECK_FALSE(r.ok());
    CHECK(r.error.find("already belongs") != std::string::npos);
    CHECK(p.snapshot() == before);
    CHECK_FALSE(p.restore(std::vector<pool_snapshot>{{1, "x", {}}, {1, "y", {}}}).ok());
    CHECK_FALSE(p.restore(std::vector<pool_snapshot>{{0, "x", {}}}).ok());
    CHECK_FALSE(p.restore(std::vector<pool_snapshot>{{1, "x", {}}, {2, "x", {}}}).ok());
    CHECK_FALSE(p.restore(std::vector<pool_snapshot>{{1, "x", {"nonsense"}}}).ok());
    CHECK(p.snapshot() == before);
}

TEST_CASE("thousands of pools and members match without caps", "[host_pools]") {
    host_pools p;
    for (std::uint32_t i = 0; i < 5000; ++i) {
        const auto id = p.create("pool " + std::to_string(i)).id;
        REQUIRE(id != no_pool);
        for (std::uint32_t j = 0; j < 10; ++j) {
            const auto addr = ip_address::v4(0x0A000000u | (i << 8) | j);
            REQUIRE(p.add_member(id, addr.to_string()).ok());
        }
        REQUIRE(p.add_member(id, ip_address::v4(0x0B000000u | (i << 8)).to_string() + "/24").ok());
    }
    CHECK(p.size() == 5000);
    CHECK(p.match(ip_address::v4(0x0A000000u | (1234u << 8) | 7), 0, nullptr) == 1235);
    CHECK(p.match(ip_address::v4(0x0B000000u | (4321u << 8) | 99), 0, nullptr) == 4322);
    CHECK(p.match(ip_address::v4(0x0A000000u | (1234u << 8) | 17), 0, nullptr) == no_pool);
}
