#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "dpi/dpi_engine.hpp"

using namespace wireflow::probe;

namespace {

constexpr std::uint64_t ms = 1'000'000ULL;

// ---- hand-built packets ------------------------------------------------------

std::uint16_t ip_checksum(const std::uint8_t* h, std::size_t n) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += (h[i] << 8) | h[i + 1];
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

// An IPv4 header (20 bytes, checksummed) followed by l4_len zero bytes.
std::vector<std::uint8_t> ip4(std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst, std::uint8_t proto,
                              std::size_t l4_len) {
    const std::size_t total = 20 + l4_len;
    std::vector<std::uint8_t> p(total, 0);
    p[0] = 0x45;
    p[2] = static_cast<std::uint8_t>(total >> 8);
    p[3] = static_cast<std::uint8_t>(total);
    p[8] = 64;
    p[9] = proto;
    std::copy(src.begin(), src.end(), p.begin() + 12);
    std::copy(dst.begin(), dst.end(), p.begin() + 16);
    const std::uint16_t c = ip_checksum(p.data(), 20);
    p[10] = static_cast<std::uint8_t>(c >> 8);
    p[11] = static_cast<std::uint8_t>(c);
    return p;
}

// IPv4 + UDP around `payload`.
std::vector<std::uint8_t> udp4(std::array<std::uint8_t, 4> src, std::uint16_t sport, std::array<std::uint8_t, 4> dst,
                               std::uint16_t dport, const std::vector<std::uint8_t>& payload) {
    std::vector<std::uint8_t> p = ip4(src, dst, 17, 8 + payload.size());
    p[20] = static_cast<std::uint8_t>(sport >> 8);
    p[21] = static_cast<std::uint8_t>(sport);
    p[22] = static_cast<std::uint8_t>(dport >> 8);
    p[23] = static_cast<std::uint8_t>(dport);
    const std::size_t ulen = 8 + payload.size();
    p[24] = static_cast<std::uint8_t>(ulen >> 8);
    p[25] = static_cast<std::uint8_t>(ulen);
    std::copy(payload.begin(), payload.end(), p.begin() + 28);
    return p;
}

// RFC 1035 4.1: a standard query for one A record.
std::vector<std::uint8_t> dns_query(const std::vector<std::string>& labels) {
    std::vector<std::uint8_t> q = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    for (const auto& l : labels) {
        q.push_back(static_cast<std::uint8_t>(l.size()));
        q.insert(q.end(), l.begin(), l.end());
    }
    q.insert(q.end(), {0, 0, 1, 0, 1});
    return q;
}

// The response to dns_query(labels): the question echoed, then one answer
// (a pointer to the question's name) of type A (4 bytes) or AAAA (16).
std::vector<std::uint8_t> dns_response(const std::vector<std::string>& labels, const std::vector<std::uint8_t>& addr,
                                       std::uint8_t rcode = 0) {
    auto r = dns_query(labels);
    r[2] = 0x81;  // QR, RD
    r[3] = static_cast<std::uint8_t>(0x80 | rcode);  // RA, RCODE
    if (addr.empty()) return r;
    r[7] = 1;     // ANCOUNT
    const std::uint8_t type = addr.size() == 16 ? 28 : 1;
    r.insert(r.end(), {0xC0, 0x0C, 0, type, 0, 1, 0, 0, 0x0E, 0x10, 0, static_cast<std::uint8_t>(addr.size())});
    r.insert(r.end(), addr.begin(), addr.end());
    return r;
}

// IPv4 + TCP (20-byte header, no options) around `payload`.
std::vector<std::uint8_t> tcp4(std::array<std::uint8_t, 4> src, std::uint16_t sport, std::array<std::uint8_t, 4> dst,
                               std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                               const std::string& payload = {}) {
    std::vector<std::uint8_t> p = ip4(src, dst, 6, 20 + payload.size());
    std::uint8_t* t = p.data() + 20;
    t[0] = static_cast<std::uint8_t>(sport >> 8);
    t[1] = static_cast<std::uint8_t>(sport);
    t[2] = static_cast<std::uint8_t>(dport >> 8);
    t[3] = static_cast<std::uint8_t>(dport);
    for (int i = 0; i < 4; ++i) {
        t[4 + i] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
        t[8 + i] = static_cast<std::uint8_t>(ack >> (24 - 8 * i));
    }
    t[12] = 0x50;
    t[13] = flags;
    t[14] = 0xFF;
    t[15] = 0xFF;
    std::copy(payload.begin(), payload.end(), p.begin() + 40);
    return p;
}

void feed(dpi_engine& e, std::uint32_t slot, const std::vector<std::uint8_t>& pkt, std::uint64_t ts, bool created) {
    e.process(slot, pkt.data(), static_cast<std::uint16_t>(pkt.size()), ts, true, created);
}

// A TCP connection from 10.0.0.1:port to 10.0.0.80:80: handshake, one
// request, one response (the engine sees the packets as the worker would).
void http_exchange(dpi_engine& e, std::uint32_t slot, std::uint16_t port, const std::string& request,
                   const std::string& response) {
    const std::array<std::uint8_t, 4> c{10, 0, 0, 1}, s{10, 0, 0, 80};
    constexpr std::uint8_t syn = 0x02, ack = 0x10, psh_ack = 0x18;
    e.process(slot, nullptr, 0, 0, true, true);  // flow created
    const std::vector<std::vector<std::uint8_t>> pkts = {
        tcp4(c, port, s, 80, 1000, 0, syn),
        tcp4(s, 80, c, port, 5000, 1001, syn | ack),
        tcp4(c, port, s, 80, 1001, 5001, ack),
        tcp4(c, port, s, 80, 1001, 5001, psh_ack, request),
        tcp4(s, 80, c, port, 5001, static_cast<std::uint32_t>(1001 + request.size()), psh_ack, response),
    };
    std::uint64_t ts = 1000 * ms;
    for (const auto& p : pkts) feed(e, slot, p, ts += ms, false);
}


flow_record filled(dpi_engine& e, std::uint32_t slot, end_reason why) {
    flow_record r{};
    r.reason = why;
    e.fill(slot, r);
    return r;
}

std::vector<std::uint8_t> noise(std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed * 31 + i * 7 + (i >> 3) * 13);
    return v;
}

dpi_config small(std::uint32_t pool = 4, std::uint16_t budget = 24) {
    dpi_config c;
    c.slots = 16;
    c.pool_size = pool;
    c.max_packets = budget;
    return c;
}

}  // namespace

TEST_CASE("a DNS query is classified on its first packet and its name kept", "[dpi]") {
    dpi_engine e(small());
    feed(e, 3, udp4({10, 0, 0, 1}, 40000, {10, 0, 0, 53}, 53, dns_query({"www", "example", "com"})), 1000 * ms, true);
    CHECK(e.states_in_use() == 1);  // nDPI would like the answer too (extra dissection)
    const auto a = filled(e, 3, end_reason::active_timeout);
    CHECK(std::string(a.app_name) == "DNS");
    CHECK(std::string(a.server_name) == "www.example.com");
    CHECK(e.states_in_use() == 1);
    const auto r = filled(e, 3, end_reason::idle_timeout);  // the flow ended without an answer
    CHECK(e.counters().flows_detected == 1);
    CHECK(e.states_in_use() == 0);  // result kept in the slot, nDPI state back in the pool
    CHECK(r.app_protocol == 5);     // NDPI_PROTOCOL_DNS
    CHECK(std::string(r.app_name) == "DNS");
    CHECK(std::string(r.app_category) == "Network");
    CHECK(std::string(r.server_name) == "www.example.com");
    CHECK(r.server_name_len == 15);
}

TEST_CASE("a hostile DNS name comes out as bounded valid text", "[dpi]") {
    dpi_engine e(small());
    feed(e, 1, udp4({10, 0, 0, 1}, 40001, {10, 0, 0, 53}, 53,
                    dns_query({std::string("a\x1b[2J\r\n", 7), std::string("\xff\xfe\xc0\xaf", 4), "com"})),
         1000 * ms, true);
    const auto r = filled(e, 1, end_reason::idle_timeout);
    const std::string name(r.server_name);
    CHECK(name.size() == r.server_name_len);
    CHECK(name.size() <= max_server_name);
    for (unsigned char c : name) CHECK((c >= 0x20 && c != 0x7F));
    CHECK(name.find('\xff') == std::string::npos);
    CHECK(name.find("\xc0\xaf") == std::string::npos);
}

TEST_CASE("an unclassifiable flow gives up after the packet budget and frees its state", "[dpi]") {
    dpi_engine e(small(4, 3));
    for (std::uint8_t i = 0; i < 3; ++i) {
        CHECK(e.states_in_use() == (i == 0 ? 0u : 1u));
        feed(e, 2, udp4({10, 0, 0, 1}, 40002, {10, 0, 0, 2}, 40003, noise(200, i)), (1000 + i) * ms, i == 0);
    }
    CHECK(e.states_in_use() == 0);
    CHECK(e.counters().flows_given_up == 1);
    CHECK(e.counters().packets_inspected == 3);
    feed(e, 2, udp4({10, 0, 0, 1}, 40002, {10, 0, 0, 2}, 40003, noise(200, 9)), 1005 * ms, false);
    CHECK(e.counters().packets_inspected == 3);  // done: later packets are not inspected
}

TEST_CASE("an empty pool leaves new flows without DPI, counted, until a state is released", "[dpi]") {
    dpi_engine e(small(1));
    feed(e, 0, udp4({10, 0, 0, 1}, 40010, {10, 0, 0, 2}, 40011, noise(100, 1)), 1000 * ms, true);
    CHECK(e.states_in_use() == 1);
    feed(e, 1, udp4({10, 0, 0, 1}, 40012, {10, 0, 0, 53}, 53, dns_query({"example", "org"})), 1000 * ms, true);
    CHECK(e.counters().flows_without_state == 1);
    const auto r = filled(e, 1, end_reason::idle_timeout);
    CHECK(r.app_protocol == 0);
    CHECK(std::string(r.app_name) == "Unknown");
    CHECK(r.server_name[0] == '\0');

    e.release(0);
    CHECK(e.states_in_use() == 0);
    feed(e, 5, udp4({10, 0, 0, 1}, 40013, {10, 0, 0, 53}, 53, dns_query({"example", "net"})), 1000 * ms, true);
    CHECK(std::string(filled(e, 5, end_reason::idle_timeout).server_name) == "example.net");
}

TEST_CASE("an active-timeout record keeps inspection going and a final one ends it", "[dpi]") {
    dpi_engine e(small());
    feed(e, 4, udp4({10, 0, 0, 1}, 40020, {10, 0, 0, 2}, 40021, noise(64, 3)), 1000 * ms, true);
    (void)filled(e, 4, end_reason::active_timeout);
    CHECK(e.states_in_use() == 1);
    feed(e, 4, udp4({10, 0, 0, 1}, 40020, {10, 0, 0, 2}, 40021, noise(64, 4)), 1001 * ms, false);
    CHECK(e.counters().packets_inspected == 2);
    (void)filled(e, 4, end_reason::idle_timeout);
    CHECK(e.states_in_use() == 0);
    CHECK(e.counters().flows_given_up == 1);
}

TEST_CASE("a new flow in a reused slot starts from a clean result", "[dpi]") {
    dpi_engine e(small());
    feed(e, 6, udp4({10, 0, 0, 1}, 40030, {10, 0, 0, 53}, 53, dns_query({"first", "example"})), 1000 * ms, true);
    CHECK(std::string(filled(e, 6, end_reason::idle_timeout).server_name) == "first.example");
    feed(e, 6, udp4({10, 0, 0, 1}, 40031, {10, 0, 0, 2}, 40032, noise(80, 5)), 2000 * ms, true);
    const auto r = filled(e, 6, end_reason::active_timeout);
    CHECK(r.server_name[0] == '\0');
    CHECK(r.app_protocol == 0);
}

// ---- real captures against ndpiReader ---------------------------------------

namespace {

struct reader_flow {
    std::string proto_ids;   // "5.126" or "91"
    std::string name;        // "DNS.Google"
    std::string host;        // Hostname/SNI, may be empty
};

std::string canonical(const std::string& l4, std::string a, std::string b) {
    if (b < a) std::swap(a, b);
    return l4 + " " + a + " " + b;
}

// ndpiReader prints IPv6 with its own zero compression ("b00c::25de" where
// inet_ntop writes "b00c:0:25de"): re-print its addresses the way we do.
std::string normalise(const std::string& ep) {
    if (ep.empty() || ep[0] != '[') return ep;
    const auto close = ep.find(']');
    std::uint8_t a[16];
    if (close == std::string::npos || inet_pton(AF_INET6, ep.substr(1, close - 1).c_str(), a) != 1) return ep;
    char t[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a, t, sizeof t);
    return "[" + std::string(t) + ep.substr(close);
}

// Runs the reference: ndpiReader's per-flow lines, keyed like ours.
std::map<std::string, reader_flow> run_ndpi_reader(const std::string& file) {
    std::map<std::string, reader_flow> out;
    const std::string cmd = "ndpiReader -q -v 2 -i '" + file + "' 2>/dev/null";
    FILE* f = popen(cmd.c_str(), "r");
    REQUIRE(f != nullptr);
    static const std::regex line(R"(^\s+\d+\s+(TCP|UDP) (\S+) (?:<->|->|<-) (\S+) .*?\[proto: ([0-9.]+)/([^\]]+)\])");
    static const std::regex host(R"(\[Hostname/SNI: ([^\]]*)\])");
    char buf[8192];
    while (fgets(buf, sizeof buf, f) != nullptr) {
        std::smatch m;
        const std::string s(buf);
        if (!std::regex_search(s, m, line)) continue;
        reader_flow r{m[4], m[5], {}};
        std::smatch h;
        if (std::regex_search(s, h, host)) r.host = h[1];
        out[canonical(m[1], normalise(m[2]), normalise(m[3]))] = r;
    }
    pclose(f);
    return out;
}

std::string endpoint_text(int family, const std::uint8_t* ip, std::uint16_t port) {
    char a[INET6_ADDRSTRLEN];
    inet_ntop(family, ip, a, sizeof a);
    return family == AF_INET6 ? "[" + std::string(a) + "]:" + std::to_string(port) : a + (":" + std::to_string(port));
}

// Minimal link + IP offset code, for the test only (the probe uses the real
// dissector): Ethernet with VLAN tags, raw IP and Linux cooked captures.
bool locate_l3(int dlt, const std::uint8_t* d, std::size_t n, std::size_t& off) {
    std::uint16_t type;
    if (dlt == DLT_EN10MB) {
        if (n < 14) return false;
        off = 14;
        type = static_cast<std::uint16_t>(d[12] << 8 | d[13]);
        while ((type == 0x8100 || type == 0x88A8) && n >= off + 4) {
            type = static_cast<std::uint16_t>(d[off + 2] << 8 | d[off + 3]);
            off += 4;
        }
    } else if (dlt == DLT_LINUX_SLL) {
        if (n < 16) return false;
        off = 16;
        type = static_cast<std::uint16_t>(d[14] << 8 | d[15]);
    } else if (dlt == DLT_RAW) {
        off = 0;
        if (n < 1) return false;
        type = (d[0] >> 4) == 6 ? 0x86DD : 0x0800;
    } else {
        return false;
    }
    return type == 0x0800 || type == 0x86DD;
}

struct corpus_result {
    std::size_t reader_flows{0};
    std::size_t compared{0};
    std::vector<std::string> mismatches;
};

corpus_result compare_with_reader(const std::string& file) {
    corpus_result res;
    const auto reference = run_ndpi_reader(file);
    res.reader_flows = reference.size();

    char err[PCAP_ERRBUF_SIZE];
    pcap_t* pc = pcap_open_offline(file.c_str(), err);
    REQUIRE(pc != nullptr);
    const int dlt = pcap_datalink(pc);
    dpi_config cfg;
    cfg.slots = 4096;
    cfg.pool_size = 4096;
    dpi_engine e(cfg);
    std::map<std::string, std::uint32_t> slots;

    pcap_pkthdr* h;
    const u_char* d;
    while (pcap_next_ex(pc, &h, &d) == 1) {
        std::size_t off = 0;
        if (!locate_l3(dlt, d, h->caplen, off)) continue;
        const std::uint8_t* ip = d + off;
        const std::size_t len = h->caplen - off;
        if (len < 20) continue;
        int family;
        std::uint8_t proto;
        std::size_t l4;
        const std::uint8_t *src, *dst;
        if ((ip[0] >> 4) == 4) {
            family = AF_INET;
            proto = ip[9];
            l4 = (ip[0] & 0x0F) * 4u;
            if ((ip[6] & 0x1F) != 0 || ip[7] != 0) continue;  // later fragments carry no ports
            src = ip + 12;
            dst = ip + 16;
        } else if ((ip[0] >> 4) == 6 && len >= 40) {
            family = AF_INET6;
            proto = ip[6];
            l4 = 40;
            src = ip + 8;
            dst = ip + 24;
        } else {
            continue;
        }
        if ((proto != 6 && proto != 17) || len < l4 + 4) continue;
        const auto sport = static_cast<std::uint16_t>(ip[l4] << 8 | ip[l4 + 1]);
        const auto dport = static_cast<std::uint16_t>(ip[l4 + 2] << 8 | ip[l4 + 3]);
        const std::string key = canonical(proto == 6 ? "TCP" : "UDP", endpoint_text(family, src, sport),
                                          endpoint_text(family, dst, dport));
        const auto [it, created] = slots.try_emplace(key, static_cast<std::uint32_t>(slots.size()));
        REQUIRE(it->second < cfg.slots);
        const std::uint64_t ts = std::uint64_t(h->ts.tv_sec) * 1'000'000'000ULL + std::uint64_t(h->ts.tv_usec) * 1000;
        e.process(it->second, ip, static_cast<std::uint16_t>(std::min<std::size_t>(len, 65535)), ts, true, created);
    }
    pcap_close(pc);

    for (const auto& [key, slot] : slots) {
        const auto ref = reference.find(key);
        if (ref == reference.end()) continue;
        flow_record r{};
        r.reason = end_reason::idle_timeout;
        e.fill(slot, r);
        ++res.compared;
        const std::string ids = r.master_protocol != 0 && r.master_protocol != r.app_protocol
                                    ? std::to_string(r.master_protocol) + "." + std::to_string(r.app_protocol)
                                    : std::to_string(r.app_protocol);
        if (ids != ref->second.proto_ids || r.app_name != ref->second.name || r.server_name != ref->second.host)
            res.mismatches.push_back(key + ": ours " + ids + "/" + r.app_name + " '" + r.server_name +
                                     "' ndpiReader " + ref->second.proto_ids + "/" + ref->second.name + " '" +
                                     ref->second.host + "'");
    }
    for (const auto& [key, ref] : reference)
        if (slots.count(key) == 0) res.mismatches.push_back(key + ": in ndpiReader only");
    for (const auto& [key, slot] : slots) e.release(slot);
    CHECK(e.states_in_use() == 0);
    return res;
}

}  // namespace

TEST_CASE("applications and server names on real captures match ndpiReader", "[dpi][corpus]") {
    const char* corpus = std::getenv("WIREFLOW_CORPUS");
    if (corpus == nullptr || !std::filesystem::is_directory(std::filesystem::path(corpus) / "real")) {
        WARN("WIREFLOW_CORPUS not set or has no real/: corpus comparison skipped");
        return;
    }
    if (std::system("command -v ndpiReader >/dev/null 2>&1") != 0) {
        WARN("ndpiReader not installed: corpus comparison skipped");
        return;
    }
    // DNS (Google and plain, punycode), TLS with SNI and QUIC over IPv6, HTTP Host.
    for (const char* name : {"dns_long_domainname.pcap", "punycode-idn.pcap", "http_ipv6.pcap",
                             "windowsupdate_over_http.pcap"}) {
        const auto path = std::filesystem::path(corpus) / "real" / name;
        if (!std::filesystem::exists(path)) {
            WARN("missing " << path.string());
            continue;
        }
        INFO(name);
        const auto res = compare_with_reader(path.string());
        std::string report;
        for (const auto& m : res.mismatches) report += m + "\n";
        INFO(report);
        CHECK(res.reader_flows > 0);
        CHECK(res.compared == res.reader_flows);
        CHECK(res.mismatches.empty());
    }
}

TEST_CASE("the state pool starts empty and grows by chunks as flows start, never past its size", "[dpi]") {
    dpi_config c;
    c.slots = 1024;
    c.pool_size = 300;   // one chunk of 256, then a partial one of 44
    dpi_engine e(c);
    CHECK(e.states_allocated() == 0);  // nothing touched for flows that never come
    feed(e, 0, udp4({10, 0, 0, 1}, 40000, {10, 0, 0, 2}, 40001, noise(100, 1)), 1000 * ms, true);
    CHECK(e.states_allocated() == 256);
    for (std::uint32_t s = 1; s < 400; ++s)
        feed(e, s, udp4({10, 0, 1, static_cast<std::uint8_t>(s)}, 40000, {10, 0, 0, 2}, 40001, noise(100, 2)),
             1000 * ms, true);
    CHECK(e.states_allocated() == 300);
    CHECK(e.states_in_use() == 300);
    CHECK(e.counters().flows_without_state == 100);
    // A released state is reused without growing.
    e.release(0);
    feed(e, 500, udp4({10, 0, 2, 1}, 40000, {10, 0, 0, 2}, 40001, noise(100, 3)), 1000 * ms, true);
    CHECK(e.states_in_use() == 300);
    CHECK(e.states_allocated() == 300);
}

TEST_CASE("a DNS response's first address is kept with the question's type and the response code", "[dpi]") {
    dpi_engine e(small());
    const std::vector<std::string> name{"cdn", "example", "net"};
    feed(e, 2, udp4({10, 0, 0, 1}, 40100, {10, 0, 0, 53}, 53, dns_query(name)), 1000 * ms, true);
    feed(e, 2, udp4({10, 0, 0, 53}, 53, {10, 0, 0, 1}, 40100, dns_response(name, {198, 51, 100, 7})), 1004 * ms,
         false);
    const auto r = filled(e, 2, end_reason::idle_timeout);
    CHECK(std::string(r.app_name) == "DNS");
    CHECK(std::string(r.server_name) == "cdn.example.net");  // the query: it names the answer, not the resolver
    CHECK(r.dns_query_type == 1);
    CHECK(r.dns_reply_code == 0);
    REQUIRE(r.dns_answer_len == 4);
    CHECK(std::vector<std::uint8_t>(r.dns_answer.begin(), r.dns_answer.begin() + 4) ==
          std::vector<std::uint8_t>{198, 51, 100, 7});
}

TEST_CASE("a DNS query without an answer carries its type but no address; other flows carry no DNS fields", "[dpi]") {
    dpi_engine e(small());
    const std::vector<std::string> name{"missing", "example"};
    feed(e, 4, udp4({10, 0, 0, 1}, 40101, {10, 0, 0, 53}, 53, dns_query(name)), 1000 * ms, true);
    feed(e, 4, udp4({10, 0, 0, 53}, 53, {10, 0, 0, 1}, 40101, dns_response(name, {}, 3)), 1004 * ms, false);
    const auto r = filled(e, 4, end_reason::idle_timeout);
    CHECK(r.dns_query_type == 1);
    CHECK(r.dns_reply_code == 3);  // NXDOMAIN
    CHECK(r.dns_answer_len == 0);

    feed(e, 5, udp4({10, 0, 0, 1}, 40102, {10, 0, 0, 9}, 9999, noise(64, 3)), 1000 * ms, true);
    const auto other = filled(e, 5, end_reason::idle_timeout);
    CHECK(other.dns_query_type == 0);
    CHECK(other.dns_answer_len == 0);
}

TEST_CASE("an HTTP exchange's method, URL, user agent and status are kept as bounded valid text", "[dpi][details]") {
    dpi_engine e(small());
    const std::string path = "/" + std::string(400, 'p');
    http_exchange(e, 2, 40200,
                  "POST " + path + " HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: ua\x1b[2J\xff<b>x</b>\r\n"
                  "Content-Length: 0\r\n\r\n",
                  "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    const flow_record r = filled(e, 2, end_reason::tcp_fin);
    CHECK(std::string(r.app_name) == "HTTP");
    REQUIRE(r.app.kind == app_details_kind::http);
    CHECK(r.app.confidence == dpi_confidence::dpi);
    CHECK(std::string(r.app.http.method) == "POST");
    const std::string url(r.app.http.url);
    CHECK(url.size() == max_url);  // nDPI's Host + path, cut to the field
    CHECK(url.rfind("www.example.org/ppp", 0) == 0);
    CHECK(std::string(r.app.http.user_agent) == "ua\xEF\xBF\xBD[2J\xEF\xBF\xBD<b>x</b>");  // ESC and 0xFF replaced
    CHECK(r.app.http.response_code == 404);
}

TEST_CASE("details are held only by flows that have some and go back with the flow", "[dpi][details]") {
    dpi_engine e(small());
    feed(e, 1, udp4({10, 0, 0, 1}, 40210, {10, 0, 0, 53}, 53, dns_query({"example", "com"})), 1000 * ms, true);
    CHECK(filled(e, 1, end_reason::idle_timeout).app.kind == app_details_kind::none);
    CHECK(e.details_in_use() == 0);

    http_exchange(e, 3, 40211, "GET /a HTTP/1.1\r\nHost: h.example\r\nUser-Agent: t\r\n\r\n",
                  "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    CHECK(filled(e, 3, end_reason::active_timeout).app.kind == app_details_kind::http);
    CHECK(filled(e, 3, end_reason::active_timeout).app.http.response_code == 200);  // repeated per record
    CHECK(e.details_in_use() == 1);
    e.release(3);
    CHECK(e.details_in_use() == 0);

    // A DNS flow landing in the slot afterwards carries nothing of the old one.
    http_exchange(e, 3, 40212, "GET /b HTTP/1.1\r\nHost: h.example\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n");
    feed(e, 3, udp4({10, 0, 0, 1}, 40213, {10, 0, 0, 53}, 53, dns_query({"example", "net"})), 2000 * ms, true);
    const flow_record r = filled(e, 3, end_reason::idle_timeout);
    CHECK(r.app.kind == app_details_kind::none);
    CHECK(e.details_in_use() == 0);
}

TEST_CASE("an mDNS flow carries the first name its responses claim, a querier's flow none", "[dpi][details][names]") {
    dpi_engine e(small());
    const std::array<std::uint8_t, 4> group{224, 0, 0, 251};
    const std::vector<std::string> name{"printer", "local"};
    // Someone asks for the printer: a query names nobody.
    feed(e, 1, udp4({10, 0, 0, 5}, 5353, group, 5353, dns_query(name)), 1000 * ms, true);
    const auto asker = filled(e, 1, end_reason::idle_timeout);
    CHECK(std::string(asker.app_name) == "MDNS");
    CHECK(asker.app.kind == app_details_kind::none);
    // The printer's flow: its own probe query first, then its announcement,
    // then a later one with another name, which the flow does not take.
    feed(e, 2, udp4({10, 0, 0, 20}, 5353, group, 5353, dns_query(name)), 1000 * ms, true);
    feed(e, 2, udp4({10, 0, 0, 20}, 5353, group, 5353, dns_response(name, {10, 0, 0, 20})), 1001 * ms, false);
    feed(e, 2, udp4({10, 0, 0, 20}, 5353, group, 5353, dns_response({"other", "local"}, {10, 0, 0, 21})), 1002 * ms,
         false);
    auto r = filled(e, 2, end_reason::active_timeout);
    REQUIRE(r.app.kind == app_details_kind::name);
    CHECK(r.app.claim.service == name_service::mdns);
    CHECK(std::string(r.app.claim.name) == "printer.local");
    REQUIRE(r.app.claim.address_len == 4);
    CHECK(std::vector<std::uint8_t>(r.app.claim.address, r.app.claim.address + 4) ==
          std::vector<std::uint8_t>{10, 0, 0, 20});
    CHECK(e.details_in_use() == 1);
    // The flow ends: its details go back; the slot's next flow starts clean.
    e.release(2);
    CHECK(e.details_in_use() == 0);
    feed(e, 2, udp4({10, 0, 0, 6}, 40000, {10, 0, 0, 53}, 53, dns_query({"www", "example", "com"})), 1003 * ms, true);
    CHECK(filled(e, 2, end_reason::idle_timeout).app.kind == app_details_kind::none);
}

TEST_CASE("a flow on the mDNS port that nDPI does not call mDNS is not read for names", "[dpi][details][names]") {
    dpi_engine e(small());
    // DNS to a unicast resolver on 53 with an answer: nDPI says DNS, and a
    // DNS answer names its address through the DNS fields, not as a claim.
    const std::vector<std::string> name{"printer", "local"};
    feed(e, 4, udp4({10, 0, 0, 5}, 40001, {10, 0, 0, 53}, 53, dns_query(name)), 1000 * ms, true);
    feed(e, 4, udp4({10, 0, 0, 53}, 53, {10, 0, 0, 5}, 40001, dns_response(name, {10, 0, 0, 20})), 1001 * ms, false);
    const auto r = filled(e, 4, end_reason::idle_timeout);
    CHECK(std::string(r.app_name) == "DNS");
    CHECK(r.app.kind == app_details_kind::none);
}

TEST_CASE("a lone LLMNR answer, which nDPI guesses by port only when the flow ends, keeps its claim",
          "[dpi][details][names]") {
    dpi_engine e(small());
    auto answer = dns_response({"kiosk"}, {10, 2, 0, 50});
    answer[2] = 0x80;  // QR only: LLMNR answers carry no RD/RA
    answer[3] = 0x00;
    feed(e, 5, udp4({10, 2, 0, 50}, 5355, {10, 2, 0, 5}, 50000, answer), 1000 * ms, true);
    const auto r = filled(e, 5, end_reason::idle_timeout);
    CHECK(std::string(r.app_name) == "LLMNR");
    REQUIRE(r.app.kind == app_details_kind::name);
    CHECK(r.app.claim.service == name_service::llmnr);
    CHECK(std::string(r.app.claim.name) == "kiosk");
    // A flow on the port that nDPI calls something else carries no claim.
    feed(e, 6, udp4({10, 2, 0, 51}, 5355, {10, 2, 0, 5}, 53, dns_response({"x"}, {10, 2, 0, 51})), 1000 * ms, true);
    const auto other = filled(e, 6, end_reason::idle_timeout);
    INFO("nDPI: " << other.app_name);
    CHECK((std::string(other.app_name) == "LLMNR") == (other.app.kind == app_details_kind::name));
}

TEST_CASE("the packet path stops feeding a flow once its detection is over and no name can follow",
          "[dpi][names]") {
    dpi_engine e(small(1, 3));
    // Given up after the budget: its later packets have nothing to do here.
    for (std::uint8_t i = 0; i < 3; ++i) {
        CHECK(e.wants(2, i == 0));
        feed(e, 2, udp4({10, 0, 0, 1}, 40002, {10, 0, 0, 2}, 40003, noise(200, i)), (1000 + i) * ms, i == 0);
    }
    CHECK_FALSE(e.wants(2, false));
    CHECK(e.wants(2, true));  // a new flow in the slot always is
    // The given-up flow returned its state: a new flow takes it; a second
    // finds the pool empty and has nothing to do either.
    feed(e, 3, udp4({10, 0, 0, 1}, 40004, {10, 0, 0, 2}, 40005, noise(200, 7)), 1010 * ms, true);
    feed(e, 4, udp4({10, 0, 0, 1}, 40006, {10, 0, 0, 2}, 40007, noise(200, 8)), 1010 * ms, true);
    CHECK(e.counters().flows_without_state == 1);
    CHECK(e.wants(3, false));
    CHECK_FALSE(e.wants(4, false));
    // A released slot is fed again (its next flow starts it afresh).
    e.release(2);
    CHECK(e.wants(2, false));
}

TEST_CASE("an mDNS flow is fed after its detection until it has claimed a name", "[dpi][names]") {
    dpi_engine e(small(4, 1));  // a budget of one packet: detection is over after the first
    const std::array<std::uint8_t, 4> group{224, 0, 0, 251};
    const std::vector<std::string> name{"printer", "local"};
    feed(e, 2, udp4({10, 0, 0, 20}, 5353, group, 5353, dns_query(name)), 1000 * ms, true);
    CHECK(e.states_in_use() == 0);
    CHECK(e.wants(2, false));  // a query names nobody: the responses may
    feed(e, 2, udp4({10, 0, 0, 20}, 5353, group, 5353, dns_response(name, {10, 0, 0, 20})), 1001 * ms, false);
    CHECK_FALSE(e.wants(2, false));
    REQUIRE(filled(e, 2, end_reason::active_timeout).app.kind == app_details_kind::name);
}
