// The flow table against a plain std::map model on random traffic.
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "flow/flow_table_test_support.hpp"

using namespace wireflow::probe;
using namespace wireflow::probe::flow_table_test;

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
