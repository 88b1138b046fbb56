// Micro-benchmark, not a test: packets/s of flow_table::account() with 1M live
// flows, against std::unordered_map doing the same accounting in the same run.
// Usage: flow_table_bench [flows=1000000] [packets=8000000] [udp|tcp]
// With tcp, every packet is a TCP segment with a whole header and advancing
// sequence numbers (the TCP health analysis runs); udp (default) measures
// the table alone.
// Build it optimised (buildtype=release) for meaningful figures.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "flow/flow_table.hpp"

using namespace wireflow::probe;

namespace {

struct null_sink final : record_sink {
    std::uint64_t records{0};
    void on_record(flow_record&, std::uint32_t, bool) noexcept override { ++records; }
};

// What the reference keeps per flow: the same counters as the table.
struct ref_flow {
    std::uint64_t c2s_p{0}, c2s_b{0}, s2c_p{0}, s2c_b{0}, first{0}, last{0};
    std::uint8_t c2s_f{0}, s2c_f{0};
    bool client_is_lo{false};
};

struct key_hash {
    std::size_t operator()(const flow_key& k) const noexcept { return hash(k, wireflow::process_hash_key()); }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint32_t flows = argc > 1 ? static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 1'000'000;
    const std::size_t packets = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 8'000'000;
    const bool tcp = argc > 3 && std::string_view(argv[3]) == "tcp";

    // Packets drawn uniformly over `flows` conversations, random direction:
    // the worst case for caches (no locality), like a busy link. One summary
    // per conversation plus a compact packet list keeps the input small.
    std::mt19937_64 rng(1);
    std::vector<packet_summary> convs(flows);
    for (std::uint32_t f = 0; f < flows; ++f) {
        packet_summary& p = convs[f];
        p.status = parse_status::ok;
        p.ip_version = 4;
        p.protocol = tcp ? 6 : 17;
        p.has_l4 = true;
        p.src.ip = {10, static_cast<std::uint8_t>(f >> 16), static_cast<std::uint8_t>(f >> 8), static_cast<std::uint8_t>(f)};
        p.src.port = static_cast<std::uint16_t>(1024 + (f % 50000));
        p.dst.ip = {192, 168, 0, static_cast<std::uint8_t>(f % 7)};
        p.dst.port = 443;
    }
    std::vector<std::uint32_t> order(packets);  // bit 31: reverse direction
    for (auto& o : order) o = static_cast<std::uint32_t>(rng() % flows) | (rng() & 1 ? 0x8000'0000u : 0);
    // TCP: each direction's sequence number advances by the segment's payload
    // and acknowledges the other's, as a healthy connection does.
    std::vector<std::uint32_t> seq(tcp ? 2 * std::size_t{flows} : 0);
    const auto packet = [&](std::uint32_t o) {
        const std::uint32_t f = o & 0x7FFF'FFFF;
        packet_summary p = convs[f];
        const bool rev = (o >> 31) != 0;
        if (rev) std::swap(p.src, p.dst);
        p.l3_bytes = 60 + (o & 1023);
        p.ip_length = p.l3_bytes;
        if (tcp) {
            const std::uint32_t payload = p.l3_bytes - 40;
            std::uint32_t& mine = seq[2 * std::size_t{f} + rev];
            p.tcp_flags = tcp_flag::ack;
            p.l3_offset = 14;
            p.payload_offset = 14 + 40;
            // Compiles against a packet_summary without the TCP fields too
            // (the reference build of the code before the analysis).
            [&](auto& q) {
                if constexpr (requires { q.has_tcp_header; }) {
                    q.has_tcp_header = true;
                    q.tcp_seq = mine;
                    q.tcp_ack = seq[2 * std::size_t{f} + !rev];
                    q.tcp_window = 512;
                    q.ttl = 64;
                }
            }(p);
            mine += payload;
        }
        return p;
    };

    flow_table_config cfg;
    cfg.capacity = flows + flows / 8;  // headroom: no eviction in the measured run
    cfg.idle_timeout_ns = ~0ULL / 4;
    cfg.active_timeout_ns = ~0ULL / 4;
    flow_table table(cfg);
    null_sink sink;

    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t now = 1;
    for (const std::uint32_t o : order) table.account(packet(o), ++now, sink);
    const double t_table = seconds_since(t0);

    std::unordered_map<flow_key, ref_flow, key_hash> ref;
    ref.reserve(cfg.capacity);
    t0 = std::chrono::steady_clock::now();
    now = 1;
    for (const std::uint32_t o : order) {
        const packet_summary p = packet(o);
        const auto ok = make_flow_key(p.vlan, p.ip_version, p.protocol, p.src, p.dst);
        auto [it, created] = ref.try_emplace(ok.key);
        ref_flow& f = it->second;
        ++now;
        if (created) {
            f.client_is_lo = ok.src_is_lo;
            f.first = now;
        }
        f.last = now;
        if (ok.src_is_lo == f.client_is_lo) {
            ++f.c2s_p;
            f.c2s_b += p.l3_bytes;
            f.c2s_f |= p.tcp_flags;
        } else {
            ++f.s2c_p;
            f.s2c_b += p.l3_bytes;
            f.s2c_f |= p.tcp_flags;
        }
    }
    const double t_ref = seconds_since(t0);

    const double pps_table = static_cast<double>(packets) / t_table;
    const double pps_ref = static_cast<double>(packets) / t_ref;
    std::printf("flows=%u packets=%zu live_table=%u live_ref=%zu records=%llu\n", flows, packets, table.active(),
                ref.size(), static_cast<unsigned long long>(sink.records));
    std::printf("flow_table::account   %8.2f Mpps  (%.1f ns/packet)\n", pps_table / 1e6, 1e9 / pps_table);
    std::printf("std::unordered_map    %8.2f Mpps  (%.1f ns/packet)\n", pps_ref / 1e6, 1e9 / pps_ref);
    std::printf("ratio table/reference %8.2f\n", pps_table / pps_ref);
    return table.active() == ref.size() ? 0 : 1;
}
