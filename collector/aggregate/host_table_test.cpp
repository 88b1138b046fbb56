#include "host_table.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

using namespace wireflow::collector::aggregate;
using wireflow::end_reason;

namespace {
ip_address ip(const char* s) { return *ip_address::parse(s); }
constexpr std::uint64_t s_ = ns_per_s;
constexpr std::uint64_t t0 = 1'700'000'000ULL * ns_per_s;  // November 2023

flow_observation obs(const char* client, const char* server, std::uint64_t flow_id, std::uint64_t c2s_bytes,
                     std::uint64_t s2c_bytes, std::uint64_t at, end_reason reason = end_reason::idle_timeout, std::uint16_t vlan = 0) {
    flow_observation o;
    o.flow_id = flow_id;
    o.client = ip(client);
    o.server = ip(server);
    o.vlan = vlan;
    o.c2s_bytes = c2s_bytes;
    o.s2c_bytes = s2c_bytes;
    o.c2s_packets = c2s_bytes / 100 + 1;
    o.s2c_packets = s2c_bytes / 100 + 1;
    o.first_seen_ns = at;
    o.last_seen_ns = at + s_;
    o.reason = reason;
    return o;
}

host_table_config config(const char* locals = "10.0.0.0/8,fd00::/8") {
    host_table_config c;
    c.locals = *local_networks::parse(locals);
    return c;
}
}  // namespace

TEST_CASE("a host's sent and received follow its role in each flow", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    REQUIRE(t.ingest(obs("10.0.0.1", "8.8.8.8", 1, 100, 1000, t0)));
    REQUIRE(t.ingest(obs("8.8.8.8", "10.0.0.1", 2, 30, 7, t0)));
    const auto h = *t.view(ip("10.0.0.1"), 0, t0);
    CHECK(h.bytes_sent == 100 + 7);
    CHECK(h.bytes_rcvd == 1000 + 30);
    CHECK(h.packets_sent == 2 + 1);
    CHECK(h.packets_rcvd == 11 + 1);
    CHECK(h.flows_client == 1);
    CHECK(h.flows_server == 1);
    CHECK(h.peers == 1);
    CHECK(h.local);
    const auto g = *t.view(ip("8.8.8.8"), 0, t0);
    CHECK(g.bytes_sent == 1000 + 30);
    CHECK(g.bytes_rcvd == 100 + 7);
    CHECK_FALSE(g.local);
    CHECK(t.size() == 2);
}

TEST_CASE("host keys are equal exactly when address, family and vlan are", "[host_table]") {
    const host_key a{ip("2001:db8::1"), 0, 7};
    CHECK(a == host_key{ip("2001:db8::1"), 0, 7});
    CHECK_FALSE(a == host_key{ip("2001:db8::1"), 0, 8});
    CHECK_FALSE(a == host_key{ip("2001:db8::2"), 0, 7});   // last address byte
    CHECK_FALSE(a == host_key{ip("3001:db8::1"), 0, 7});   // first
    CHECK_FALSE(host_key{ip("0.0.0.1"), 0, 0} == host_key{ip("::1"), 0, 0});  // family only
    CHECK(host_key{ip("10.0.0.1"), 0, 0} == host_key{ip("10.0.0.1"), 0, 0});
}

TEST_CASE("the same address on two vlans is two hosts", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    REQUIRE(t.ingest(obs("10.0.0.1", "10.0.0.2", 1, 100, 200, t0, end_reason::idle_timeout, 10)));
    REQUIRE(t.ingest(obs("10.0.0.1", "10.0.0.2", 1, 5, 6, t0, end_reason::idle_timeout, 20)));
    CHECK(t.size() == 4);
    CHECK(t.view(ip("10.0.0.1"), 10, t0)->bytes_sent == 100);
    CHECK(t.view(ip("10.0.0.1"), 20, t0)->bytes_sent == 5);
    CHECK_FALSE(t.view(ip("10.0.0.1"), 0, t0));
}

TEST_CASE("local and remote hosts follow the cidr list for v4 and v6", "[host_table]") {
    host_pools pools;
    host_table t(config("192.168.0.0/16,2001:db8:1::/48"), pools);
    REQUIRE(t.ingest(obs("192.168.3.4", "2001:db8:1::9", 1, 1, 1, t0)));
    REQUIRE(t.ingest(obs("10.0.0.1", "2001:db8:2::9", 2, 1, 1, t0)));
    CHECK(t.view(ip("192.168.3.4"), 0, t0)->local);
    CHECK(t.view(ip("2001:db8:1::9"), 0, t0)->local);
    CHECK_FALSE(t.view(ip("10.0.0.1"), 0, t0)->local);
    CHECK_FALSE(t.view(ip("2001:db8:2::9"), 0, t0)->local);
}

TEST_CASE("macs are kept for local hosts only", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    auto o = obs("10.0.0.1", "1.1.1.1", 1, 1, 1, t0);
    o.client_mac = mac_address::parse("02:00:00:00:00:01");
    o.server_mac = mac_address::parse("02:00:00:00:00:fe");
    REQUIRE(t.ingest(o));
    CHECK(t.view(ip("10.0.0.1"), 0, t0)->mac == mac_address::parse("02:00:00:00:00:01"));
    CHECK_FALSE(t.view(ip("1.1.1.1"), 0, t0)->mac);
}

TEST_CASE("a long flow counts once across its active-timeout records", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    REQUIRE(t.ingest(obs("10.0.0.1", "1.1.1.1", 77, 10, 20, t0, end_reason::active_timeout)));
    auto h = *t.view(ip("10.0.0.1"), 0, t0);
    CHECK(h.flows_client == 1);
    CHECK(h.active_client == 1);
    CHECK(t.view(ip("1.1.1.1"), 0, t0)->active_server == 1);
    REQUIRE(t.ingest(obs("10.0.0.1", "1.1.1.1", 77, 10, 20, t0 + 60 * s_, end_reason::active_timeout)));
    REQUIRE(t.ingest(obs("10.0.0.1", "1.1.1.1", 77, 10, 20, t0 + 120 * s_, end_reason::tcp_fin)));
    h = *t.view(ip("10.0.0.1"), 0, t0);
    CHECK(h.flows_client == 1);
    CHECK(h.active_client == 0);
    CHECK(h.bytes_sent == 30);
    CHECK(t.view(ip("1.1.1.1"), 0, t0)->active_server == 0);
    CHECK(t.active_flows() == 0);
    // Same flow id from another source is another flow.
    auto o = obs("10.0.0.1", "1.1.1.1", 77, 1, 1, t0 + 130 * s_);
    o.source = 2;
    REQUIRE(t.ingest(o));
    CHECK(t.view(ip("10.0.0.1"), 0, t0)->flows_client == 2);
}

TEST_CASE("unusable records are rejected and counted", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    auto bad_vlan = obs("10.0.0.1", "1.1.1.1", 1, 1, 1, t0);
    bad_vlan.vlan = 4096;
    CHECK_FALSE(t.ingest(bad_vlan));
    auto backwards = obs("10.0.0.1", "1.1.1.1", 1, 1, 1, t0);
    backwards.first_seen_ns = backwards.last_seen_ns + 1;
    CHECK_FALSE(t.ingest(backwards));
    auto no_addr = obs("10.0.0.1", "1.1.1.1", 1, 1, 1, t0);
    no_addr.server = ip_address{};
    CHECK_FALSE(t.ingest(no_addr));
    CHECK(t.records_rejected() == 3);
    CHECK(t.size() == 0);
}

TEST_CASE("idle hosts are purged after their local or remote timeout", "[host_table]") {
    host_pools pools;
    auto c = config();
    c.purge_visits_per_new_host = 0;
    host_table t(c, pools);
    REQUIRE(t.ingest(obs("10.0.0.1", "1.1.1.1", 1, 1, 1, t0)));
    REQUIRE(t.ingest(obs("10.0.0.2", "2.2.2.2", 2, 1, 1, t0, end_reason::active_timeout)));
    const std::uint64_t last = t0 + s_;
    t.expire(last + 60 * s_);
    CHECK(t.size() == 4);
    t.expire(last + 61 * s_);
    CHECK_FALSE(t.view(ip("1.1.1.1"), 0, t0));  // remote, idle > 60 s
    CHECK(t.view(ip("2.2.2.2"), 0, t0));         // remote but its flow is active
    CHECK(t.view(ip("10.0.0.1"), 0, t0));        // local: 300 s
    t.expire(last + 301 * s_);
    CHECK_FALSE(t.view(ip("10.0.0.1"), 0, t0));
    CHECK(t.view(ip("10.0.0.2"), 0, t0));
    CHECK(t.size() == 2);
    CHECK(t.pool_stats(no_pool).hosts == 2);
    // The probe never closed flow 2: after the flow expiry both hosts go too.
    t.expire(last + 3601 * s_);
    CHECK(t.active_flows() == 0);
    t.expire(last + 3602 * s_);
    CHECK(t.size() == 0);
    CHECK(t.hosts_purged() == 4);
    CHECK(t.all_pool_stats().empty());
    // A purged host comes back fresh.
    REQUIRE(t.ingest(obs("10.0.0.1", "1.1.1.1", 9, 5, 5, last + 4000 * s_)));
    CHECK(t.view(ip("10.0.0.1"), 0, t0)->bytes_sent == 5);
}

TEST_CASE("new hosts sweep out idle ones as they come, without waiting for expire", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    for (std::uint32_t i = 0; i < 1000; ++i)
        REQUIRE(t.ingest(obs("10.0.0.1", ip_address::v4(0x01000000u + i).to_string().c_str(), i, 1, 1, t0)));
    CHECK(t.size() == 1001);
    // 100 s later (remote idle: 60 s) a flood of new remotes: the first 1000
    // are idle and must make room rather than double the table.
    for (std::uint32_t i = 0; i < 1000; ++i)
        REQUIRE(t.ingest(obs("10.0.0.1", ip_address::v4(0x02000000u + i).to_string().c_str(), 5000 + i, 1, 1,
                             t0 + 100 * s_)));
    CHECK(t.size() == 1001);
    CHECK(t.hosts_purged() == 1000);
    CHECK(t.find(ip("1.0.0.5"), 0) == host_table::npos);
    CHECK(t.find(ip("2.0.0.5"), 0) != host_table::npos);
}

TEST_CASE("records between known hosts leave idle hosts to expire", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    REQUIRE(t.ingest(obs("10.0.0.1", "1.1.1.1", 1, 1, 1, t0)));
    REQUIRE(t.ingest(obs("10.0.0.2", "2.2.2.2", 2, 1, 1, t0)));
    // 2.2.2.2 is idle at t0 + 100 s; traffic between known hosts does not
    // sweep (it would cost every record), the periodic expire does.
    for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(t.ingest(obs("10.0.0.1", "1.1.1.1", 10 + i, 1, 1, t0 + 100 * s_)));
    CHECK(t.size() == 4);
    t.expire(t0 + 100 * s_);
    CHECK(t.size() == 3);  // 10.0.0.2 is local: 300 s
    CHECK(t.find(ip("2.2.2.2"), 0) == host_table::npos);
}

TEST_CASE("pool counters move with hosts when membership changes", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    const auto lab = pools.create("lab").id;
    REQUIRE(pools.add_member(lab, "10.1.0.0/16").ok());
    t.reassign_pools();
    REQUIRE(t.ingest(obs("10.1.0.1", "8.8.8.8", 1, 100, 1000, t0)));
    REQUIRE(t.ingest(obs("10.2.0.1", "8.8.8.8", 2, 10, 20, t0)));
    CHECK(t.pool_stats(lab) == pool_counters{1, 100, 1000, 2, 11});
    CHECK(t.pool_stats(no_pool) == pool_counters{2, 10 + 1000 + 20, 20 + 100 + 10, 1 + 11 + 1, 1 + 2 + 1});
    CHECK(t.view(ip("10.1.0.1"), 0, t0)->pool == lab);

    const auto dev = pools.create("device").id;
    REQUIRE(pools.add_member(dev, "10.2.0.1").ok());
    t.reassign_pools();
    CHECK(t.pool_stats(dev) == pool_counters{1, 10, 20, 1, 1});
    CHECK(t.pool_stats(no_pool).hosts == 1);
    CHECK(t.pool_stats(no_pool).bytes_sent == 1020);

    REQUIRE(pools.remove(lab).ok());
    t.reassign_pools();
    CHECK(t.pool_stats(lab) == pool_counters{});
    CHECK(t.pool_stats(no_pool).hosts == 2);
    CHECK(t.view(ip("10.1.0.1"), 0, t0)->pool == no_pool);
}

TEST_CASE("a mac member pulls a local host into its pool once the mac is seen", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    const auto phone = pools.create("phone").id;
    REQUIRE(pools.add_member(phone, "02:00:00:00:00:07").ok());
    t.reassign_pools();
    REQUIRE(t.ingest(obs("10.0.0.7", "8.8.8.8", 1, 10, 10, t0)));  // no MAC yet
    CHECK(t.view(ip("10.0.0.7"), 0, t0)->pool == no_pool);
    auto o = obs("10.0.0.7", "8.8.8.8", 2, 5, 5, t0);
    o.client_mac = mac_address::parse("02:00:00:00:00:07");
    REQUIRE(t.ingest(o));
    CHECK(t.view(ip("10.0.0.7"), 0, t0)->pool == phone);
    CHECK(t.pool_stats(phone) == pool_counters{1, 15, 15, 2, 2});
}

TEST_CASE("unassigned devices are the local hosts in no pool", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    const auto p = pools.create("known").id;
    REQUIRE(pools.add_member(p, "02:00:00:00:00:01").ok());
    t.reassign_pools();
    for (int i = 1; i <= 3; ++i) {
        auto o = obs(("10.0.0." + std::to_string(i)).c_str(), "8.8.8.8", static_cast<std::uint64_t>(i), 1, 1, t0);
        o.client_mac = mac_address::parse(("02:00:00:00:00:0" + std::to_string(i)).c_str());
        o.server_mac = mac_address::parse("02:00:00:00:00:ff");  // the router: remote host, no MAC kept
        REQUIRE(t.ingest(o));
    }
    CHECK(t.unassigned_macs() == std::vector<mac_address>{*mac_address::parse("02:00:00:00:00:02"),
                                                          *mac_address::parse("02:00:00:00:00:03")});
}

TEST_CASE("minute drains return the deltas since the previous drain", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    const auto lab = pools.create("lab").id;
    REQUIRE(pools.add_member(lab, "10.1.0.0/16").ok());
    t.reassign_pools();
    auto o = obs("10.1.0.1", "8.8.8.8", 1, 100, 1000, t0);
    o.app_name = "DNS";
    REQUIRE(t.ingest(o));
    REQUIRE(t.ingest(obs("10.0.0.2", "10.1.0.1", 2, 10, 20, t0)));
    auto d = t.drain_minute(t0 + 60 * s_);
    CHECK(d.start_ns == t0);
    CHECK(d.end_ns == t0 + 60 * s_);
    REQUIRE(d.hosts.size() == 2);  // 8.8.8.8 is remote
    std::map<std::string, minute_counters> by_host;
    for (const auto& h : d.hosts) by_host[h.ip.to_string()] = h.counters;
    CHECK(by_host["10.1.0.1"] == minute_counters{100 + 20, 1000 + 10, 2 + 1, 11 + 1, 2});
    CHECK(by_host["10.0.0.2"] == minute_counters{10, 20, 1, 1, 1});
    REQUIRE(d.pools.size() == 2);
    CHECK(d.pools[0].pool == no_pool);
    CHECK(d.pools[0].counters == minute_counters{1000 + 10, 100 + 20, 11 + 1, 2 + 1, 2});
    CHECK(d.pools[1].pool == lab);
    CHECK(d.pools[1].counters == minute_counters{120, 1010, 3, 12, 2});
    REQUIRE(d.apps.size() == 2);
    CHECK(d.apps[0].app == "DNS");
    CHECK(d.apps[0].bytes == 1100);
    CHECK(d.apps[0].flows == 1);
    CHECK(d.apps[1].app == "Other");

    auto empty = t.drain_minute(t0 + 120 * s_);
    CHECK(empty.start_ns == t0 + 60 * s_);
    CHECK(empty.hosts.empty());
    CHECK(empty.pools.empty());
    CHECK(empty.apps.empty());
    REQUIRE(t.ingest(obs("10.1.0.1", "8.8.8.8", 3, 1, 2, t0 + 130 * s_)));
    auto next = t.drain_minute(t0 + 180 * s_);
    REQUIRE(next.hosts.size() == 1);
    CHECK(next.hosts[0].counters == minute_counters{1, 2, 1, 1, 1});
}

TEST_CASE("throughput is a sliding one-minute window over two minute buckets", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    const std::uint64_t m0 = (t0 / (60 * s_) + 1) * 60 * s_;  // a minute boundary
    auto o = obs("10.0.0.1", "8.8.8.8", 1, 6000, 0, m0 + 10 * s_);
    REQUIRE(t.ingest(o));
    CHECK(t.view(ip("10.0.0.1"), 0, m0 + 30 * s_)->throughput_bps == Approx(100.0));
    o = obs("10.0.0.1", "8.8.8.8", 2, 1200, 0, m0 + 65 * s_);
    REQUIRE(t.ingest(o));
    // at m0+90 s: half of the previous minute still in the window
    CHECK(t.view(ip("10.0.0.1"), 0, m0 + 90 * s_)->throughput_bps == Approx((1200 + 3000) / 60.0));
    CHECK(t.view(ip("10.0.0.1"), 0, m0 + 150 * s_)->throughput_bps == Approx(1200 / 2 / 60.0));
    CHECK(t.view(ip("10.0.0.1"), 0, m0 + 190 * s_)->throughput_bps == 0.0);
}

TEST_CASE("blacklist flags, alert counts and names stick to the host", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    auto o = obs("10.0.0.1", "93.184.216.34", 1, 1, 1, t0);
    o.server_name = "example.com";
    REQUIRE(t.ingest(o));
    CHECK(t.set_blacklisted(ip("93.184.216.34"), 0, true));
    CHECK(t.add_alerts(ip("93.184.216.34"), 0, 3));
    CHECK_FALSE(t.add_alerts(ip("93.184.216.35"), 0, 3));
    const auto v = *t.view(ip("93.184.216.34"), 0, t0);
    CHECK(v.blacklisted);
    CHECK(v.alerts == 3);
    CHECK(v.name == "example.com");
    CHECK(t.set_blacklisted(ip("93.184.216.34"), 0, false));
    CHECK_FALSE(t.view(ip("93.184.216.34"), 0, t0)->blacklisted);
}

TEST_CASE("a DNS resolver keeps none of the names it answered; the answered addresses carry them", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    // The resolver answers three names; one query gets no address (NXDOMAIN).
    const std::vector<std::pair<const char*, const char*>> answers{
        {"www.example.com", "93.184.216.34"}, {"cdn.example.net", "198.51.100.7"}, {"v6.example.org", "2001:db8::7"}};
    std::uint64_t id = 1;
    for (const auto& [name, address] : answers) {
        auto q = obs("10.0.0.5", "10.0.0.53", id++, 80, 120, t0);
        q.server_name = name;
        q.dns = true;
        q.dns_answer = ip(address);
        REQUIRE(t.ingest(q));
    }
    auto nx = obs("10.0.0.5", "10.0.0.53", id++, 80, 80, t0);
    nx.server_name = "missing.example";
    nx.dns = true;
    REQUIRE(t.ingest(nx));
    CHECK(t.view(ip("10.0.0.53"), 0, t0)->name.empty());  // the resolver
    CHECK(t.view(ip("10.0.0.5"), 0, t0)->name.empty());   // the client
    // The answered addresses: named when they show up, even after the answer.
    for (const auto& [name, address] : answers) {
        REQUIRE(t.ingest(obs("10.0.0.5", address, id++, 500, 5000, t0 + s_)));
        CHECK(t.view(ip(address), 0, t0 + s_)->name == name);
    }
    // A DNS answer names the address itself: it wins over a TLS name of a site it serves.
    auto tls = obs("10.0.0.6", "93.184.216.34", id++, 500, 5000, t0 + 2 * s_);
    tls.server_name = "shop.example.com";
    REQUIRE(t.ingest(tls));
    CHECK(t.view(ip("93.184.216.34"), 0, t0 + 2 * s_)->name == "www.example.com");
    // An answer in another VLAN names that VLAN's host only.
    REQUIRE(t.ingest(obs("10.0.0.5", "198.51.100.7", id++, 1, 1, t0 + 2 * s_, end_reason::idle_timeout, 7)));
    CHECK(t.view(ip("198.51.100.7"), 7, t0 + 2 * s_)->name.empty());
}

TEST_CASE("a DHCP client's host name names the device by its MAC, never the DHCP server", "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    const auto phone = *mac_address::parse("3c:22:fb:00:00:07");
    // DISCOVER/REQUEST from 0.0.0.0 to the broadcast address, option 12 "kitchen-tablet".
    auto request = obs("0.0.0.0", "255.255.255.255", 1, 350, 0, t0);
    request.server_name = "kitchen-tablet";
    request.dhcp = true;
    request.client_mac = phone;
    REQUIRE(t.ingest(request));
    const auto broadcast = t.view(ip("255.255.255.255"), 0, t0);
    CHECK((!broadcast || broadcast->name.empty()));
    // A server answering (unicast OFFER/ACK) keeps no client's name either.
    auto ack = obs("10.0.0.2", "10.0.0.67", 2, 350, 350, t0);
    ack.server_name = "kitchen-tablet";
    ack.dhcp = true;
    REQUIRE(t.ingest(ack));
    CHECK(t.view(ip("10.0.0.67"), 0, t0)->name.empty());
    // The device with that MAC, once it has an address, is named; and a
    // local host whose traffic made it a TLS server keeps the device's own name.
    auto later = obs("10.0.0.2", "93.184.216.34", 3, 500, 5000, t0 + s_);
    later.client_mac = phone;
    REQUIRE(t.ingest(later));
    CHECK(t.view(ip("10.0.0.2"), 0, t0 + s_)->name == "kitchen-tablet");
    auto served = obs("10.0.0.9", "10.0.0.2", 4, 500, 5000, t0 + s_);
    served.server_name = "tablet.local-service.example";
    served.server_mac = phone;
    REQUIRE(t.ingest(served));
    CHECK(t.view(ip("10.0.0.2"), 0, t0 + s_)->name == "kitchen-tablet");
    // A remote host keeps no MAC (a router's), so no device name.
    auto remote = obs("10.0.0.9", "93.184.216.35", 5, 1, 1, t0 + s_);
    remote.server_mac = phone;
    REQUIRE(t.ingest(remote));
    CHECK(t.view(ip("93.184.216.35"), 0, t0 + s_)->name.empty());
}

TEST_CASE("a name a device claims (mDNS, NetBIOS) names the claimed address; a query's name names nobody",
          "[host_table]") {
    host_pools pools;
    host_table t(config(), pools);
    // An mDNS query to the group: nDPI's server name is what was asked.
    auto query = obs("10.0.0.5", "224.0.0.251", 1, 80, 0, t0);
    query.server_name = "printer.local";
    query.name_service = true;
    REQUIRE(t.ingest(query));
    CHECK(t.view(ip("224.0.0.251"), 0, t0)->name.empty());
    CHECK(t.view(ip("10.0.0.5"), 0, t0)->name.empty());
    // The printer's response to the group claims its own address.
    auto response = obs("10.0.0.20", "224.0.0.251", 2, 200, 0, t0);
    response.server_name = "printer.local";
    response.name_service = true;
    response.claimed_name = "printer.local";
    response.claimed_address = ip("10.0.0.20");
    REQUIRE(t.ingest(response));
    CHECK(t.view(ip("10.0.0.20"), 0, t0)->name == "printer.local");
    CHECK(t.view(ip("224.0.0.251"), 0, t0)->name.empty());
    // A NetBIOS name server answering for another host names that host, not itself.
    auto wins = obs("10.0.0.2", "10.0.0.5", 3, 90, 0, t0);
    wins.name_service = true;
    wins.server_name = "NAS";
    wins.claimed_name = "NAS";
    wins.claimed_address = ip("10.0.0.7");
    REQUIRE(t.ingest(wins));
    CHECK(t.view(ip("10.0.0.2"), 0, t0)->name.empty());
    REQUIRE(t.ingest(obs("10.0.0.5", "10.0.0.7", 4, 500, 500, t0 + s_)));
    CHECK(t.view(ip("10.0.0.7"), 0, t0 + s_)->name == "NAS");
    // A DNS answer for the address is the stronger name; a TLS name of a
    // site the device serves the weaker one.
    auto served = obs("10.0.0.9", "10.0.0.20", 5, 500, 5000, t0 + s_);
    served.server_name = "cups.example";
    REQUIRE(t.ingest(served));
    CHECK(t.view(ip("10.0.0.20"), 0, t0 + s_)->name == "printer.local");
    auto dns = obs("10.0.0.9", "10.0.0.53", 6, 80, 120, t0 + s_);
    dns.dns = true;
    dns.server_name = "printer.office.example";
    dns.dns_answer = ip("10.0.0.20");
    REQUIRE(t.ingest(dns));
    CHECK(t.view(ip("10.0.0.20"), 0, t0 + s_)->name == "printer.office.example");
}

TEST_CASE("host totals equal a brute-force sum over thousands of random records", "[host_table]") {
    struct ref_host {
        std::uint64_t bs = 0, br = 0, ps = 0, pr = 0, fc = 0, fs = 0, ac = 0, as = 0, first = ~0ULL, last = 0, app_bytes = 0;
        std::set<std::pair<std::string, std::uint16_t>> peers;
        pool_id pool = no_pool;
    };
    std::mt19937_64 rng(20240611);
    host_pools pools;
    const auto p1 = pools.create("p1").id;
    const auto p2 = pools.create("p2").id;
    REQUIRE(pools.add_member(p1, "10.0.0.0/30").ok());
    REQUIRE(pools.add_member(p2, "10.0.0.0/31@2").ok());
    REQUIRE(pools.add_member(p2, "fd00::/127").ok());
    auto c = config();
    c.local_idle_ns = c.remote_idle_ns = 1'000'000 * s_;  // nothing purges in this test
    host_table t(c, pools);

    std::vector<ip_address> addrs;
    for (std::uint32_t i = 0; i < 12; ++i) addrs.push_back(ip_address::v4(0x0A000000u + i));
    for (std::uint32_t i = 0; i < 6; ++i) addrs.push_back(ip_address::v4(0x5DB8D800u + i));
    for (int i = 0; i < 4; ++i) addrs.push_back(*ip_address::parse(("fd00::" + std::to_string(i)).c_str()));
    const char* apps[] = {"", "DNS", "TLS", "HTTP", "QUIC", "SSH", "NTP"};

    std::map<std::pair<ip_address, std::uint16_t>, ref_host> ref;
    std::map<std::uint64_t, std::pair<ip_address, ip_address>> open;  // flow id -> ends (vlan in id)
    std::uint64_t next_flow = 1;
    for (int i = 0; i < 20000; ++i) {
        flow_observation o;
        const bool continue_open = !open.empty() && rng() % 3 == 0;
        std::uint16_t vlan;
        if (continue_open) {
            auto it = open.begin();
            std::advance(it, static_cast<long>(rng() % open.size()));
            o.flow_id = it->first;
            o.client = it->second.first;
            o.server = it->second.second;
            vlan = static_cast<std::uint16_t>(it->first % 3);
        } else {
            vlan = static_cast<std::uint16_t>(rng() % 3);
            o.flow_id = next_flow++ * 3 + vlan;
            const bool v6 = rng() % 5 == 0;
            if (v6) {
                o.client = addrs[18 + rng() % 4];
                o.server = addrs[18 + rng() % 4];
            } else {
                o.client = addrs[rng() % 18];
                o.server = addrs[rng() % 18];
            }
        }
        o.vlan = vlan;
        o.reason = rng() % 2 == 0 ? end_reason::active_timeout : static_cast<end_reason>(1 + rng() % 6);
        o.c2s_packets = rng() % 50;
        o.s2c_packets = rng() % 50;
        o.c2s_bytes = o.c2s_packets * (40 + rng() % 1460);
        o.s2c_bytes = o.s2c_packets * (40 + rng() % 1460);
        o.first_seen_ns = t0 + static_cast<std::uint64_t>(i) * s_ / 10;
        o.last_seen_ns = o.first_seen_ns + rng() % (5 * s_);
        o.app_name = apps[rng() % 7];
        REQUIRE(t.ingest(o));

        const bool was_open = open.count(o.flow_id) != 0;
        const bool new_flow = !was_open;
        auto& rc = ref[{o.client, vlan}];
        auto& rs = ref[{o.server, vlan}];
        rc.bs += o.c2s_bytes;
        rc.br += o.s2c_bytes;
        rc.ps += o.c2s_packets;
        rc.pr += o.s2c_packets;
        rs.bs += o.s2c_bytes;
        rs.br += o.c2s_bytes;
        rs.ps += o.s2c_packets;
        rs.pr += o.c2s_packets;
        rc.fc += new_flow;
        rs.fs += new_flow;
        for (auto* r : {&rc, &rs}) {
            r->first = std::min(r->first, o.first_seen_ns);
            r->last = std::max(r->last, o.last_seen_ns);
        }
        rc.app_bytes += o.c2s_bytes + o.s2c_bytes;
        rs.app_bytes += o.c2s_bytes + o.s2c_bytes;
        rc.peers.insert({o.server.to_string(), vlan});
        rs.peers.insert({o.client.to_string(), vlan});
        if (!ends_flow(o.reason) && !was_open) {
            open[o.flow_id] = {o.client, o.server};
            ++rc.ac;
            ++rs.as;
        } else if (ends_flow(o.reason) && was_open) {
            open.erase(o.flow_id);
            --rc.ac;
            --rs.as;
        }
    }

    REQUIRE(t.size() == ref.size());
    std::map<pool_id, pool_counters> ref_pools;
    for (auto& [key, r] : ref) {
        INFO(key.first.to_string() << "@" << key.second);
        const auto v = t.view(key.first, key.second, t0);
        REQUIRE(v);
        CHECK(v->bytes_sent == r.bs);
        CHECK(v->bytes_rcvd == r.br);
        CHECK(v->packets_sent == r.ps);
        CHECK(v->packets_rcvd == r.pr);
        CHECK(v->flows_client == r.fc);
        CHECK(v->flows_server == r.fs);
        CHECK(v->active_client == r.ac);
        CHECK(v->active_server == r.as);
        CHECK(v->first_seen_ns == r.first);
        CHECK(v->last_seen_ns == r.last);
        if (r.peers.size() <= peer_counter::exact_limit) CHECK(v->peers == r.peers.size());
        std::uint64_t app_sum = 0;
        for (const auto& a : v->apps) app_sum += a.second;
        CHECK(app_sum == r.app_bytes);
        CHECK(v->pool == pools.match(key.first, key.second, nullptr));
        auto& rp = ref_pools[v->pool];
        ++rp.hosts;
        rp.bytes_sent += r.bs;
        rp.bytes_rcvd += r.br;
        rp.packets_sent += r.ps;
        rp.packets_rcvd += r.pr;
    }
    CHECK(t.active_flows() == open.size());
    CHECK(ref_pools.size() == 3);
    for (const auto& [id, rp] : ref_pools) CHECK(t.pool_stats(id) == rp);
}

TEST_CASE("a purged server's name is not inherited by the host that reuses its slots", "[host_table]") {
    // Names live in slots of their own (host_entry::name), freed on purge.
    host_pools pools;
    host_table t(config(), pools);
    auto named = obs("10.0.0.1", "1.1.1.1", 1, 1, 1, t0);
    named.server_name = "a-name-longer-than-the-small-string-buffer.example";
    REQUIRE(t.ingest(named));
    CHECK(t.view(ip("1.1.1.1"), 0, t0)->name == named.server_name);
    named.server_name = "renamed.example";
    REQUIRE(t.ingest(named));
    CHECK(t.view(ip("1.1.1.1"), 0, t0)->name == "renamed.example");
    // Remote hosts go after 60 idle seconds, local ones after 300.
    t.expire(t0 + 200 * s_);
    REQUIRE_FALSE(t.view(ip("1.1.1.1"), 0, t0 + 200 * s_));
    REQUIRE(t.ingest(obs("10.0.0.1", "2.2.2.2", 2, 1, 1, t0 + 200 * s_)));
    CHECK(t.view(ip("2.2.2.2"), 0, t0 + 200 * s_)->name.empty());
    auto other = obs("10.0.0.1", "3.3.3.3", 3, 1, 1, t0 + 200 * s_);
    other.server_name = "other.example";
    REQUIRE(t.ingest(other));
    CHECK(t.view(ip("3.3.3.3"), 0, t0 + 200 * s_)->name == "other.example");
    CHECK(t.view(ip("2.2.2.2"), 0, t0 + 200 * s_)->name.empty());
}
