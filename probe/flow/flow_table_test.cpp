// The flow table: lookup in both directions, who is the client, MACs,
// VLANs and flow ids.
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "flow/flow_table_test_support.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::flow_table_test;

TEST_CASE("both directions of a conversation hit one entry", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const auto a = t.account(pkt(tcp, cli, srv, 60, tcp_flag::syn), 1 * sec, sink);
    const auto b = t.account(pkt(tcp, srv, cli, 60, tcp_flag::syn | tcp_flag::ack), 2 * sec, sink);
    const auto c = t.account(pkt(tcp, cli, srv, 1500, tcp_flag::ack), 3 * sec, sink);
    CHECK(a.created);
    CHECK_FALSE(b.created);
    CHECK_FALSE(c.created);
    CHECK(a.slot == b.slot);
    CHECK(b.slot == c.slot);
    CHECK(a.from_client);
    CHECK_FALSE(b.from_client);
    CHECK(c.from_client);
    CHECK(t.active() == 1);

    t.flush(4 * sec, sink);
    REQUIRE(sink.items.size() == 1);
    const flow_record& r = sink.items[0].rec;
    CHECK(sink.items[0].final);
    CHECK(r.reason == end_reason::shutdown);
    CHECK(r.client == cli);
    CHECK(r.server == srv);
    CHECK(r.c2s_packets == 2);
    CHECK(r.c2s_bytes == 1560);
    CHECK(r.s2c_packets == 1);
    CHECK(r.s2c_bytes == 60);
    CHECK(r.c2s_tcp_flags == (tcp_flag::syn | tcp_flag::ack));
    CHECK(r.s2c_tcp_flags == (tcp_flag::syn | tcp_flag::ack));
    CHECK(r.first_seen_ns == 1 * sec);
    CHECK(r.last_seen_ns == 3 * sec);
    CHECK(r.worker == 3);
    CHECK(r.protocol == tcp);
    CHECK(r.ip_version == 4);
    CHECK(r.flow_id == 1000 + (std::uint64_t{3} << 48) + 1);
    CHECK(t.active() == 0);
}

TEST_CASE("the sender of a SYN without ACK is the client", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    // Client on a low port, server on a high one: the SYN wins over the port rule.
    const endpoint c = v4(10, 0, 0, 9, 800), s = v4(10, 0, 0, 2, 8080);
    CHECK(t.account(pkt(tcp, c, s, 60, tcp_flag::syn), sec, sink).from_client);
    t.flush(sec, sink);
    CHECK(sink.items.at(0).rec.client == c);
    CHECK(sink.items.at(0).rec.server == s);
}

TEST_CASE("the sender of a SYN-ACK seen first is the server", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const auto h = t.account(pkt(tcp, srv, cli, 60, tcp_flag::syn | tcp_flag::ack), sec, sink);
    CHECK_FALSE(h.from_client);
    CHECK(t.account(pkt(tcp, cli, srv, 52, tcp_flag::ack), sec, sink).from_client);
    t.flush(sec, sink);
    const auto& r = sink.items.at(0).rec;
    CHECK(r.client == cli);
    CHECK(r.server == srv);
    CHECK(r.s2c_packets == 1);
    CHECK(r.c2s_packets == 1);
}

TEST_CASE("a TCP flow seen mid-stream from a low port makes the high-port side the client", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    CHECK_FALSE(t.account(pkt(tcp, srv, cli, 1500, tcp_flag::ack), sec, sink).from_client);
    t.flush(sec, sink);
    CHECK(sink.items.at(0).rec.client == cli);
    CHECK(sink.items.at(0).rec.s2c_bytes == 1500);
}

TEST_CASE("a mid-stream flow between two high ports takes the first sender as client", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const endpoint a = v4(10, 0, 0, 5, 40000), b = v4(10, 0, 0, 1, 50000);
    CHECK(t.account(pkt(tcp, a, b, 100, tcp_flag::ack), sec, sink).from_client);
    t.flush(sec, sink);
    CHECK(sink.items.at(0).rec.client == a);
}

TEST_CASE("UDP takes the first sender as client unless it answers from a low port", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const endpoint resolver = v4(8, 8, 8, 8, 53), stub = v4(10, 0, 0, 7, 33000);
    const endpoint peer1 = v4(10, 0, 0, 8, 5000), peer2 = v4(10, 0, 0, 3, 6000);
    CHECK(t.account(pkt(udp, stub, resolver, 70), sec, sink).from_client);   // query first
    CHECK(t.account(pkt(udp, peer1, peer2, 70), sec, sink).from_client);     // both high
    const endpoint stub2 = v4(10, 0, 0, 9, 33001);
    CHECK_FALSE(t.account(pkt(udp, resolver, stub2, 120), sec, sink).from_client);  // answer first
    t.flush(sec, sink);
    REQUIRE(sink.items.size() == 3);
    std::set<std::pair<endpoint, endpoint>> got;
    for (const auto& i : sink.items) got.insert({i.rec.client, i.rec.server});
    CHECK(got.count({stub, resolver}) == 1);
    CHECK(got.count({peer1, peer2}) == 1);
    CHECK(got.count({stub2, resolver}) == 1);
}

TEST_CASE("ICMP takes the first sender as client", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const endpoint a = v4(10, 0, 0, 9, 0), b = v4(10, 0, 0, 1, 0);
    CHECK(t.account(pkt(icmp, a, b, 84), sec, sink).from_client);
    CHECK_FALSE(t.account(pkt(icmp, b, a, 84), sec, sink).from_client);
    t.flush(sec, sink);
    CHECK(sink.items.at(0).rec.client == a);
}

TEST_CASE("MAC addresses are recorded per side", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    auto p = pkt(tcp, srv, cli, 60, tcp_flag::syn | tcp_flag::ack);
    p.has_macs = true;
    p.src_mac = {2, 0, 0, 0, 0, 2};
    p.dst_mac = {2, 0, 0, 0, 0, 1};
    t.account(p, sec, sink);
    t.flush(sec, sink);
    const auto& r = sink.items.at(0).rec;
    CHECK(r.has_macs);
    CHECK(r.client_mac == std::array<std::uint8_t, 6>{2, 0, 0, 0, 0, 1});
    CHECK(r.server_mac == std::array<std::uint8_t, 6>{2, 0, 0, 0, 0, 2});
}

TEST_CASE("the same 5-tuple on different VLANs is two flows", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const auto a = t.account(pkt(udp, cli, srv, 100, 0, 10), sec, sink);
    const auto b = t.account(pkt(udp, cli, srv, 200, 0, 20), sec, sink);
    CHECK(a.created);
    CHECK(b.created);
    CHECK(a.slot != b.slot);
    t.flush(sec, sink);
    REQUIRE(sink.items.size() == 2);
    std::set<std::pair<std::uint16_t, std::uint64_t>> got;
    for (const auto& it : sink.items) got.insert({it.rec.vlan, it.rec.c2s_bytes});
    CHECK(got == std::set<std::pair<std::uint16_t, std::uint64_t>>{{10, 100}, {20, 200}});
}

TEST_CASE("flow ids are unique and carry the worker number", "[flow_table]") {
    auto cfg = small_config(8);
    cfg.worker = 7;
    cfg.flow_id_base = 0;
    flow_table t(cfg);
    collecting_sink sink;
    for (std::uint16_t i = 0; i < 50; ++i) t.account(pkt(udp, v4(10, 0, 0, 2, 5000 + i), srv, 70), sec, sink);
    t.flush(sec, sink);
    std::set<std::uint64_t> ids;
    for (const auto& it : sink.items) {
        ids.insert(it.rec.flow_id);
        CHECK(it.rec.flow_id >> 48 == 7);
    }
    CHECK(ids.size() == 50);
}

TEST_CASE("a burst's lookups are each packet's lookup, and packets not ok are left alone", "[flow_table]") {
    flow_table t(small_config(64));
    std::vector<packet_summary> pkts;
    for (unsigned i = 0; i < 75; ++i) {
        const auto c = v4(10, 0, static_cast<std::uint8_t>(i / 7), static_cast<std::uint8_t>(i), 40000);
        pkts.push_back(pkt(i % 2 ? udp : tcp, i % 3 ? c : srv, i % 3 ? srv : c, 100));
    }
    pkts[5].ip_version = 6;  // an IPv6 key among IPv4 ones (it hashes another way)
    pkts[9].status = parse_status::truncated_ipv4;
    pkts[40].status = parse_status::not_ip;
    flow_lookup untouched{};
    untouched.hash = 0xdeadbeef;
    std::vector<flow_lookup> looks(pkts.size(), untouched);
    t.lookup(std::span<const packet_summary>(pkts), std::span<flow_lookup>(looks));
    for (std::size_t i = 0; i < pkts.size(); ++i) {
        INFO("packet " << i);
        if (pkts[i].status != parse_status::ok) {
            CHECK(looks[i].hash == 0xdeadbeef);
            continue;
        }
        const flow_lookup one = t.lookup(pkts[i]);
        CHECK(looks[i].hash == one.hash);
        CHECK(looks[i].ok.key == one.ok.key);
        CHECK(looks[i].ok.src_is_lo == one.ok.src_is_lo);
    }
}

TEST_CASE("the burst form (lookup, prefetch_entry, account) places packets as account does", "[flow_table]") {
    flow_table one(small_config(16));
    flow_table burst(small_config(16));
    collecting_sink a, b;
    std::vector<packet_summary> pkts;
    for (unsigned i = 0; i < 200; ++i) {
        const auto c = v4(10, 0, 0, static_cast<std::uint8_t>(i % 23), static_cast<std::uint16_t>(40000 + i % 7));
        pkts.push_back(pkt(i % 3 == 0 ? udp : tcp, i % 2 ? c : srv, i % 2 ? srv : c, 100 + i,
                           i % 11 == 0 ? tcp_flag::rst : tcp_flag::ack));
    }
    for (std::size_t at = 0; at < pkts.size(); at += 32) {
        const std::size_t n = std::min<std::size_t>(32, pkts.size() - at);
        std::vector<flow_lookup> looks;
        for (std::size_t i = 0; i < n; ++i) looks.push_back(burst.lookup(pkts[at + i]));
        for (std::size_t i = 0; i < n; ++i) burst.prefetch_entry(looks[i]);
        for (std::size_t i = 0; i < n; ++i) {
            const auto x = one.account(pkts[at + i], (at + i) * sec, a);
            const auto y = burst.account(pkts[at + i], looks[i], (at + i) * sec, b);
            CHECK(x.slot == y.slot);
            CHECK(x.created == y.created);
            CHECK(x.from_client == y.from_client);
        }
    }
    one.flush(300 * sec, a);
    burst.flush(300 * sec, b);
    REQUIRE(a.items.size() == b.items.size());
    for (std::size_t i = 0; i < a.items.size(); ++i) {
        CHECK(a.items[i].rec.flow_id == b.items[i].rec.flow_id);
        CHECK(a.items[i].rec.c2s_bytes == b.items[i].rec.c2s_bytes);
        CHECK(a.items[i].rec.s2c_packets == b.items[i].rec.s2c_packets);
        CHECK(a.items[i].rec.reason == b.items[i].rec.reason);
    }
    CHECK(one.counters().evictions > 0);  // the small table churned
}

TEST_CASE("a side that sent L4 payload is marked for the flow's whole life", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    // Handshake and close without data: 40-byte segments both ways.
    t.account(pkt(tcp, cli, srv, 40, tcp_flag::syn), 1 * sec, sink);
    t.account(pkt(tcp, srv, cli, 40, tcp_flag::syn | tcp_flag::ack), 1 * sec, sink);
    t.account(pkt(tcp, cli, srv, 40, tcp_flag::ack), 1 * sec, sink);
    t.flush(2 * sec, sink);
    REQUIRE(sink.items.size() == 1);
    CHECK_FALSE(sink.items[0].rec.c2s_payload);
    CHECK_FALSE(sink.items[0].rec.s2c_payload);

    // Data from the server once; the next record (after an active timeout)
    // still says so, though its own period carried none.
    sink.items.clear();
    t.account(pkt(tcp, cli, srv, 40, tcp_flag::syn), 10 * sec, sink);
    t.account(pkt(tcp, srv, cli, 1040, tcp_flag::ack), 11 * sec, sink);
    // ACKs every 5 s (under the 10 s idle timeout) past the 60 s active timeout.
    for (std::uint64_t at = 15; at <= 90; at += 5) {
        t.account(pkt(tcp, cli, srv, 40, tcp_flag::ack), at * sec, sink);
        t.expire(at * sec, 1000, sink);
    }
    t.flush(91 * sec, sink);
    REQUIRE(sink.items.size() >= 2);
    CHECK(sink.items.front().rec.reason == end_reason::active_timeout);
    for (const auto& item : sink.items) {
        CHECK_FALSE(item.rec.c2s_payload);
        CHECK(item.rec.s2c_payload);
    }
}

TEST_CASE("a tunnelled flow carries its tunnel, outer endpoints oriented like the flow", "[flow_table][tunnel]") {
    flow_table t(small_config());
    collecting_sink sink;
    // Both directions through one VXLAN tunnel, whose end on the client's
    // side is 198.51.100.1: the record names the outer addresses by side,
    // not by the first packet's direction alone.
    const auto tunnelled = [](packet_summary p, std::uint8_t outer_src, std::uint8_t outer_dst) {
        p.tunnel = tunnel_type::vxlan;
        p.tunnel_id = 77;
        p.outer_ip_version = 4;
        p.outer_src = v4(198, 51, 100, outer_src, 0).ip;
        p.outer_dst = v4(198, 51, 100, outer_dst, 0).ip;
        p.l3_bytes += 50;  // the outer headers: what crosses the wire
        return p;
    };
    t.account(tunnelled(pkt(tcp, cli, srv, 60, tcp_flag::syn), 1, 2), 1 * sec, sink);
    t.account(tunnelled(pkt(tcp, srv, cli, 60, tcp_flag::syn | tcp_flag::ack), 2, 1), 2 * sec, sink);
    // A packet of another flow, untunnelled, in the same table.
    t.account(pkt(udp, v4(10, 0, 0, 9, 5000), srv, 100), 2 * sec, sink);
    t.flush(3 * sec, sink);
    REQUIRE(sink.items.size() == 2);
    const flow_record& r = sink.items[0].rec.protocol == tcp ? sink.items[0].rec : sink.items[1].rec;
    const flow_record& plain = sink.items[0].rec.protocol == tcp ? sink.items[1].rec : sink.items[0].rec;
    CHECK(r.client == cli);
    CHECK(r.tunnel == tunnel_type::vxlan);
    CHECK(r.tunnel_id == 77);
    CHECK(r.tunnel_ip_version == 4);
    CHECK(r.tunnel_client_side == v4(198, 51, 100, 1, 0).ip);
    CHECK(r.tunnel_server_side == v4(198, 51, 100, 2, 0).ip);
    CHECK(r.c2s_bytes == 110);
    CHECK(r.s2c_bytes == 110);
    CHECK(plain.tunnel == tunnel_type::none);
}

TEST_CASE("stations asking from 0.0.0.0 are a flow each, told apart by their MAC", "[flow_table][dhcp]") {
    flow_table t(small_config());
    collecting_sink sink;
    const auto request = [](std::uint8_t station) {
        packet_summary p = pkt(udp, v4(0, 0, 0, 0, 68), v4(255, 255, 255, 255, 67), 328);
        p.has_macs = true;
        p.src_mac = {0x3c, 0x22, 0xfb, 0, 0, station};
        p.dst_mac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        return p;
    };
    CHECK(t.account(request(1), 1 * sec, sink).created);
    CHECK(t.account(request(2), 2 * sec, sink).created);   // another station: another flow
    CHECK_FALSE(t.account(request(1), 3 * sec, sink).created);  // the first one again
    // Without a link layer there is nothing to tell them apart: one flow.
    packet_summary bare = request(3);
    bare.has_macs = false;
    CHECK(t.account(bare, 4 * sec, sink).created);
    bare.src_mac[5] = 4;
    CHECK_FALSE(t.account(bare, 5 * sec, sink).created);
    t.flush(6 * sec, sink);
    REQUIRE(sink.items.size() == 3);
    for (const auto& it : sink.items) {
        CHECK(it.rec.client == v4(0, 0, 0, 0, 68));  // the address bytes beyond IPv4's four are cleared
        CHECK(it.rec.server == v4(255, 255, 255, 255, 67));
    }
    std::set<std::uint8_t> stations;
    for (const auto& it : sink.items)
        if (it.rec.has_macs) stations.insert(it.rec.client_mac[5]);
    CHECK(stations == std::set<std::uint8_t>{1, 2});
}
