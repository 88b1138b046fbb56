#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "flow/flow_table.hpp"

using namespace wireflow::probe;

namespace {

constexpr std::uint64_t sec = 1'000'000'000ULL;
constexpr std::uint8_t tcp = 6, udp = 17, icmp = 1;

endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    endpoint e;
    e.ip = {a, b, c, d};
    e.port = port;
    return e;
}

packet_summary pkt(std::uint8_t proto, endpoint src, endpoint dst, std::uint32_t bytes, std::uint8_t flags = 0,
                   std::uint16_t vlan = 0) {
    packet_summary p;
    p.status = parse_status::ok;
    p.ip_version = 4;
    p.protocol = proto;
    p.tcp_flags = flags;
    p.vlan = vlan;
    p.has_l4 = proto == tcp || proto == udp;
    p.src = src;
    p.dst = dst;
    p.l3_bytes = bytes;
    return p;
}

struct collecting_sink final : record_sink {
    struct item {
        flow_record rec;
        std::uint32_t slot;
        bool final;
    };
    std::vector<item> items;
    void on_record(flow_record& rec, std::uint32_t slot, bool final) noexcept override {
        items.push_back({rec, slot, final});
    }
};

flow_table_config small_config(std::uint32_t capacity = 64) {
    flow_table_config c;
    c.capacity = capacity;
    c.idle_timeout_ns = 10 * sec;
    c.active_timeout_ns = 60 * sec;
    c.worker = 3;
    c.flow_id_base = 1000;
    return c;
}

const endpoint cli = v4(10, 0, 0, 1, 51000);
const endpoint srv = v4(192, 168, 1, 1, 443);

}  // namespace

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

TEST_CASE("a flow idle for the idle timeout is exported and forgotten", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(udp, cli, srv, 100), 1 * sec, sink);
    t.expire(10 * sec, 64, sink);  // 9 s idle: still alive
    CHECK(sink.items.empty());
    t.expire(11 * sec, 64, sink);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].final);
    CHECK(sink.items[0].rec.reason == end_reason::idle_timeout);
    CHECK(t.active() == 0);
    CHECK(t.counters().records_emitted == 1);
}

TEST_CASE("a packet for an idle flow not yet swept starts a new flow", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    const auto a = t.account(pkt(udp, cli, srv, 100), 1 * sec, sink);
    const auto b = t.account(pkt(udp, srv, cli, 100), 20 * sec, sink);
    CHECK(b.created);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].rec.reason == end_reason::idle_timeout);
    CHECK(sink.items[0].slot == a.slot);
    t.flush(21 * sec, sink);
    REQUIRE(sink.items.size() == 2);
    CHECK(sink.items[0].rec.flow_id != sink.items[1].rec.flow_id);
    // The reply arrived first in the new flow, but from port 443 to a high port.
    CHECK(sink.items[1].rec.client == cli);
}

TEST_CASE("expire scans at most the budget per call and resumes where it stopped", "[flow_table]") {
    flow_table t(small_config(64));
    collecting_sink sink;
    for (std::uint16_t i = 0; i < 64; ++i) t.account(pkt(udp, v4(10, 0, 1, 1, 1024 + i), srv, 80), sec, sink);
    CHECK(t.active() == 64);
    t.expire(100 * sec, 10, sink);
    CHECK(sink.items.size() == 10);
    t.expire(100 * sec, 10, sink);
    CHECK(sink.items.size() == 20);
    t.expire(100 * sec, 1000, sink);
    CHECK(sink.items.size() == 64);
    CHECK(t.active() == 0);
}

TEST_CASE("active timeout records carry deltas that sum to the totals", "[flow_table]") {
    auto cfg = small_config();
    cfg.idle_timeout_ns = 100 * sec;
    cfg.active_timeout_ns = 10 * sec;
    flow_table t(cfg);
    collecting_sink sink;
    std::uint64_t c2s_p = 0, c2s_b = 0, s2c_p = 0, s2c_b = 0;
    std::uint32_t slot = 0;
    for (std::uint64_t i = 0; i < 100; ++i) {
        const bool fwd = i % 3 != 0;
        const std::uint32_t bytes = 40 + static_cast<std::uint32_t>(i);
        const auto h = t.account(fwd ? pkt(udp, cli, srv, bytes) : pkt(udp, srv, cli, bytes), i * sec / 2, sink);
        if (i == 0) slot = h.slot;
        CHECK(h.slot == slot);
        (fwd ? c2s_p : s2c_p) += 1;
        (fwd ? c2s_b : s2c_b) += bytes;
        t.expire(i * sec / 2, 64, sink);
    }
    t.flush(50 * sec, sink);
    REQUIRE(sink.items.size() >= 5);
    std::uint64_t sp = 0, sb = 0, rp = 0, rb = 0;
    for (std::size_t i = 0; i < sink.items.size(); ++i) {
        const auto& it = sink.items[i];
        const bool last = i + 1 == sink.items.size();
        CHECK(it.final == last);
        CHECK(it.rec.reason == (last ? end_reason::shutdown : end_reason::active_timeout));
        CHECK(it.rec.flow_id == sink.items[0].rec.flow_id);
        CHECK(it.slot == slot);
        CHECK(it.rec.last_seen_ns - it.rec.first_seen_ns <= 10 * sec);
        sp += it.rec.c2s_packets;
        sb += it.rec.c2s_bytes;
        rp += it.rec.s2c_packets;
        rb += it.rec.s2c_bytes;
    }
    CHECK(sp == c2s_p);
    CHECK(sb == c2s_b);
    CHECK(rp == s2c_p);
    CHECK(rb == s2c_b);
    CHECK(t.counters().flows_created == 1);
}

TEST_CASE("FIN from both sides ends the flow with the final ACK", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(tcp, cli, srv, 60, tcp_flag::syn), 1 * sec, sink);
    t.account(pkt(tcp, srv, cli, 60, tcp_flag::syn | tcp_flag::ack), 1 * sec, sink);
    t.account(pkt(tcp, cli, srv, 52, tcp_flag::fin | tcp_flag::ack), 2 * sec, sink);
    CHECK(sink.items.empty());
    t.account(pkt(tcp, srv, cli, 52, tcp_flag::ack), 2 * sec, sink);  // ACK of the first FIN: half closed
    CHECK(sink.items.empty());
    const auto fin2 = t.account(pkt(tcp, srv, cli, 52, tcp_flag::fin | tcp_flag::ack), 2 * sec, sink);
    CHECK_FALSE(fin2.ended);
    CHECK(sink.items.empty());
    const auto last = t.account(pkt(tcp, cli, srv, 52, tcp_flag::ack), 3 * sec, sink);
    CHECK(last.ended);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].final);
    CHECK(sink.items[0].rec.reason == end_reason::tcp_fin);
    CHECK(sink.items[0].rec.c2s_packets == 3);
    CHECK(sink.items[0].rec.s2c_packets == 3);
    CHECK(t.active() == 0);

    // A new connection on the same 5-tuple is a new flow.
    const auto again = t.account(pkt(tcp, cli, srv, 60, tcp_flag::syn), 4 * sec, sink);
    CHECK(again.created);
    t.flush(5 * sec, sink);
    REQUIRE(sink.items.size() == 2);
    CHECK(sink.items[1].rec.flow_id != sink.items[0].rec.flow_id);
}

TEST_CASE("FIN from both sides without the final ACK ends as tcp_fin when idle", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(tcp, cli, srv, 52, tcp_flag::fin | tcp_flag::ack), 1 * sec, sink);
    t.account(pkt(tcp, srv, cli, 52, tcp_flag::fin | tcp_flag::ack), 1 * sec, sink);
    t.expire(30 * sec, 64, sink);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].rec.reason == end_reason::tcp_fin);
}

TEST_CASE("a RST ends the flow at once", "[flow_table]") {
    flow_table t(small_config());
    collecting_sink sink;
    t.account(pkt(tcp, cli, srv, 60, tcp_flag::syn), 1 * sec, sink);
    const auto h = t.account(pkt(tcp, srv, cli, 40, tcp_flag::rst | tcp_flag::ack), 1 * sec, sink);
    CHECK(h.ended);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].final);
    CHECK(sink.items[0].slot == h.slot);
    CHECK(sink.items[0].rec.reason == end_reason::tcp_rst);
    CHECK(sink.items[0].rec.s2c_tcp_flags == (tcp_flag::rst | tcp_flag::ack));
    CHECK(t.active() == 0);
}

TEST_CASE("a full table evicts the least recently used flow and places the new one", "[flow_table]") {
    flow_table t(small_config(4));
    collecting_sink sink;
    std::vector<flow_hit> hits;
    for (std::uint16_t i = 0; i < 4; ++i)
        hits.push_back(t.account(pkt(udp, v4(10, 0, 0, 1, 2000 + i), srv, 100), (1 + i) * sec, sink));
    // Touch the oldest so the second one becomes the least recently used.
    t.account(pkt(udp, v4(10, 0, 0, 1, 2000), srv, 100), 5 * sec, sink);
    CHECK(sink.items.empty());
    const auto h = t.account(pkt(udp, v4(10, 0, 0, 1, 3000), srv, 100), 6 * sec, sink);
    CHECK(h.created);
    REQUIRE(sink.items.size() == 1);
    CHECK(sink.items[0].final);
    CHECK(sink.items[0].rec.reason == end_reason::evicted);
    CHECK(sink.items[0].rec.client.port == 2001);
    CHECK(h.slot == hits[1].slot);
    CHECK(t.counters().evictions == 1);
    CHECK(t.active() == 4);
    // The survivors are still found in place.
    CHECK_FALSE(t.account(pkt(udp, v4(10, 0, 0, 1, 2003), srv, 100), 7 * sec, sink).created);
    CHECK_FALSE(t.account(pkt(udp, v4(10, 0, 0, 1, 3000), srv, 100), 7 * sec, sink).created);
}

TEST_CASE("flush exports every live flow once and empties the table", "[flow_table]") {
    flow_table t(small_config(128));
    collecting_sink sink;
    for (std::uint16_t i = 0; i < 100; ++i) t.account(pkt(udp, v4(10, 0, 0, 2, 5000 + i), srv, 70), sec, sink);
    t.flush(2 * sec, sink);
    CHECK(sink.items.size() == 100);
    std::set<std::uint64_t> ids;
    for (const auto& it : sink.items) {
        CHECK(it.final);
        CHECK(it.rec.reason == end_reason::shutdown);
        ids.insert(it.rec.flow_id);
    }
    CHECK(ids.size() == 100);
    CHECK(t.active() == 0);
    sink.items.clear();
    t.flush(3 * sec, sink);
    CHECK(sink.items.empty());
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

// ---- randomized comparison with a plain std::map model ----------------------

namespace {

// The documented rules, written the obvious way.
struct model {
    struct mflow {
        bool client_is_lo;
        std::uint64_t c2s_p = 0, c2s_b = 0, s2c_p = 0, s2c_b = 0, period_first = 0, last = 0;
        std::uint8_t c2s_f = 0, s2c_f = 0;
        bool fin_c = false, fin_s = false;
    };
    using rec = std::tuple<end_reason, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, std::uint8_t,
                           std::uint8_t, endpoint, endpoint>;
    std::uint64_t idle, active;
    std::map<std::vector<std::uint8_t>, mflow> flows;
    std::map<std::vector<std::uint8_t>, flow_key> keys;
    std::map<std::vector<std::uint8_t>, std::vector<rec>> out;

    static std::vector<std::uint8_t> bytes(const flow_key& k) {
        const auto* b = reinterpret_cast<const std::uint8_t*>(&k);
        return {b, b + sizeof k};
    }

    void emit(const std::vector<std::uint8_t>& kb, mflow& f, end_reason why) {
        const flow_key& k = keys[kb];
        const endpoint lo{k.lo_ip, k.lo_port}, hi{k.hi_ip, k.hi_port};
        out[kb].emplace_back(why, f.c2s_p, f.c2s_b, f.s2c_p, f.s2c_b, f.c2s_f, f.s2c_f, f.client_is_lo ? lo : hi,
                             f.client_is_lo ? hi : lo);
        f.c2s_p = f.c2s_b = f.s2c_p = f.s2c_b = 0;
        f.c2s_f = f.s2c_f = 0;
    }

    static end_reason idle_reason(const mflow& f) { return f.fin_c && f.fin_s ? end_reason::tcp_fin : end_reason::idle_timeout; }

    void account(const packet_summary& p, std::uint64_t now) {
        const auto ok = make_flow_key(p.vlan, p.ip_version, p.protocol, p.src, p.dst);
        const auto kb = bytes(ok.key);
        keys[kb] = ok.key;
        auto it = flows.find(kb);
        if (it != flows.end() && now - it->second.last >= idle) {
            emit(kb, it->second, idle_reason(it->second));
            flows.erase(it);
            it = flows.end();
        }
        if (it == flows.end()) {
            bool src_client = true;
            const bool low = p.src.port < 1024 && p.dst.port >= 1024;
            if (p.protocol == tcp) {
                if (p.tcp_flags & tcp_flag::syn) src_client = !(p.tcp_flags & tcp_flag::ack);
                else src_client = !low;
            } else if (p.protocol == udp) {
                src_client = !low;
            }
            mflow f;
            f.client_is_lo = src_client == ok.src_is_lo;
            it = flows.emplace(kb, f).first;
        }
        mflow& f = it->second;
        const bool fc = ok.src_is_lo == f.client_is_lo;
        if (f.c2s_p + f.s2c_p == 0) f.period_first = now;
        f.last = now;
        if (fc) { ++f.c2s_p; f.c2s_b += p.l3_bytes; f.c2s_f |= p.tcp_flags; }
        else { ++f.s2c_p; f.s2c_b += p.l3_bytes; f.s2c_f |= p.tcp_flags; }
        if (p.protocol == tcp) {
            const bool both_before = f.fin_c && f.fin_s;
            if (p.tcp_flags & tcp_flag::fin) (fc ? f.fin_c : f.fin_s) = true;
            if (p.tcp_flags & tcp_flag::rst) {
                emit(kb, f, end_reason::tcp_rst);
                flows.erase(it);
            } else if (both_before && (p.tcp_flags & tcp_flag::ack) && !(p.tcp_flags & tcp_flag::fin)) {
                emit(kb, f, end_reason::tcp_fin);
                flows.erase(it);
            }
        }
    }

    void expire(std::uint64_t now) {
        for (auto it = flows.begin(); it != flows.end();) {
            mflow& f = it->second;
            if (now - f.last >= idle) {
                emit(it->first, f, idle_reason(f));
                it = flows.erase(it);
                continue;
            }
            if (f.c2s_p + f.s2c_p != 0 && now - f.period_first >= active) emit(it->first, f, end_reason::active_timeout);
            ++it;
        }
    }

    void flush() {
        for (auto& [kb, f] : flows) emit(kb, f, end_reason::shutdown);
        flows.clear();
    }
};

}  // namespace

TEST_CASE("random traffic gives the same records per key as a simple reference model", "[flow_table]") {
    auto cfg = small_config(256);  // larger than the key space: no eviction
    cfg.idle_timeout_ns = 10 * sec;
    cfg.active_timeout_ns = 25 * sec;
    flow_table t(cfg);
    collecting_sink sink;
    model m{cfg.idle_timeout_ns, cfg.active_timeout_ns, {}, {}, {}};

    std::mt19937_64 rng(20240611);
    const std::array<endpoint, 3> clients{v4(10, 0, 0, 1, 0), v4(10, 0, 0, 2, 0), v4(172, 16, 0, 1, 0)};
    const std::array<endpoint, 2> servers{v4(10, 0, 0, 3, 0), v4(8, 8, 4, 4, 0)};
    const std::array<std::uint16_t, 2> client_ports{40000, 50001};
    const std::array<std::uint16_t, 3> server_ports{53, 443, 8080};
    const std::array<std::uint8_t, 9> flags{tcp_flag::syn, tcp_flag::syn | tcp_flag::ack, tcp_flag::ack,
                                            tcp_flag::psh | tcp_flag::ack, tcp_flag::ack, tcp_flag::psh | tcp_flag::ack,
                                            tcp_flag::fin | tcp_flag::ack, tcp_flag::fin | tcp_flag::ack,
                                            tcp_flag::rst};
    std::uint64_t now = 0;
    std::uint64_t packets = 0;
    for (int i = 0; i < 20000; ++i) {
        endpoint c = clients[rng() % clients.size()];
        c.port = client_ports[rng() % client_ports.size()];
        endpoint s = servers[rng() % servers.size()];
        s.port = server_ports[rng() % server_ports.size()];
        const std::uint8_t proto = rng() % 2 ? tcp : udp;
        std::uint8_t f = 0;
        if (proto == tcp) {
            const auto r = rng() % 60;  // RST and FIN rarer than data
            f = r < 50 ? flags[r % 6] : (r < 59 ? flags[6] : flags[8]);
        }
        const bool fwd = rng() % 2;
        const auto p = pkt(proto, fwd ? c : s, fwd ? s : c, 40 + static_cast<std::uint32_t>(rng() % 1460), f,
                           static_cast<std::uint16_t>(rng() % 2 ? 0 : 100));
        now += rng() % (sec / 2);  // a key is hit every ~70 packets: some flows go idle
        t.account(p, now, sink);
        m.account(p, now);
        ++packets;
        if (i % 97 == 0) {
            t.expire(now, cfg.capacity, sink);
            m.expire(now);
        }
    }
    t.flush(now, sink);
    m.flush();
    CHECK(t.active() == 0);
    CHECK(t.counters().packets == packets);
    CHECK(t.counters().evictions == 0);

    std::map<std::vector<std::uint8_t>, std::vector<model::rec>> got;
    std::set<std::uint64_t> final_ids;
    std::size_t finals = 0;
    for (const auto& it : sink.items) {
        const auto ok = make_flow_key(it.rec.vlan, it.rec.ip_version, it.rec.protocol, it.rec.client, it.rec.server);
        got[model::bytes(ok.key)].emplace_back(it.rec.reason, it.rec.c2s_packets, it.rec.c2s_bytes,
                                               it.rec.s2c_packets, it.rec.s2c_bytes, it.rec.c2s_tcp_flags,
                                               it.rec.s2c_tcp_flags, it.rec.client, it.rec.server);
        if (it.final) {
            ++finals;
            final_ids.insert(it.rec.flow_id);
        }
    }
    CHECK(final_ids.size() == finals);
    CHECK(t.counters().flows_created == finals);
    REQUIRE(got.size() == m.out.size());
    std::size_t reasons[8]{};
    for (const auto& [kb, recs] : m.out) {
        INFO("key with " << recs.size() << " model records");
        CHECK(got[kb] == recs);
        for (const auto& r : recs) ++reasons[static_cast<int>(std::get<0>(r))];
    }
    // The run must actually exercise every way a flow can end.
    CHECK(reasons[static_cast<int>(end_reason::idle_timeout)] > 0);
    CHECK(reasons[static_cast<int>(end_reason::active_timeout)] > 0);
    CHECK(reasons[static_cast<int>(end_reason::tcp_fin)] > 0);
    CHECK(reasons[static_cast<int>(end_reason::tcp_rst)] > 0);
    CHECK(reasons[static_cast<int>(end_reason::shutdown)] > 0);
}

TEST_CASE("random churn through a tiny table conserves every packet and byte", "[flow_table]") {
    auto cfg = small_config(16);
    flow_table t(cfg);
    collecting_sink sink;
    std::mt19937_64 rng(7);
    std::map<std::vector<std::uint8_t>, std::pair<std::uint64_t, std::uint64_t>> sent;
    std::uint64_t now = 0;
    for (int i = 0; i < 20000; ++i) {
        const endpoint c = v4(10, 0, 0, static_cast<std::uint8_t>(rng() % 8), static_cast<std::uint16_t>(1024 + rng() % 8));
        const endpoint s = v4(10, 0, 1, 1, 80);
        const bool fwd = rng() % 2;
        const auto p = pkt(udp, fwd ? c : s, fwd ? s : c, static_cast<std::uint32_t>(rng() % 1500));
        now += rng() % (sec / 10);
        t.account(p, now, sink);
        auto& e = sent[model::bytes(make_flow_key(0, 4, udp, c, s).key)];
        ++e.first;
        e.second += p.l3_bytes;
        if (i % 50 == 0) t.expire(now, 4, sink);
        CHECK(t.active() <= 16);
    }
    t.flush(now, sink);
    CHECK(t.counters().evictions > 0);
    std::map<std::vector<std::uint8_t>, std::pair<std::uint64_t, std::uint64_t>> got;
    for (const auto& it : sink.items) {
        auto& e = got[model::bytes(make_flow_key(it.rec.vlan, 4, udp, it.rec.client, it.rec.server).key)];
        e.first += it.rec.c2s_packets + it.rec.s2c_packets;
        e.second += it.rec.c2s_bytes + it.rec.s2c_bytes;
    }
    CHECK(got == sent);
}
