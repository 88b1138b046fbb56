#include "flow/flow_key.hpp"

#include <bit>
#include <cstddef>
#include <cstring>

namespace wireflow::probe {

namespace {

// endpoint's order (address bytes, then port), as two big-endian words and
// the port: the defaulted comparison called memcmp for every packet.
bool less(const endpoint& a, const endpoint& b) noexcept {
    static_assert(std::endian::native == std::endian::little);
    for (std::size_t off = 0; off < 16; off += 8) {
        std::uint64_t x, y;
        std::memcpy(&x, a.ip.data() + off, 8);
        std::memcpy(&y, b.ip.data() + off, 8);
        if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
    }
    return a.port < b.port;
}

}  // namespace

void make_flow_key(std::uint16_t vlan, std::uint8_t ip_version, std::uint8_t protocol, const endpoint& src,
                   const endpoint& dst, oriented_key& out) noexcept {
    const bool src_is_lo = !less(dst, src);
    const endpoint& lo = src_is_lo ? src : dst;
    const endpoint& hi = src_is_lo ? dst : src;
    out.key.lo_ip = lo.ip;
    out.key.hi_ip = hi.ip;
    // The last eight bytes in one store: the hash reads them as one word, and
    // a load that spans several smaller stores waits for them to retire
    // (a store-forwarding stall, seen on every packet in perf).
    static_assert(offsetof(flow_key, lo_port) == 32 && offsetof(flow_key, hi_port) == 34 &&
                  offsetof(flow_key, vlan) == 36 && offsetof(flow_key, ip_version) == 38 &&
                  offsetof(flow_key, protocol) == 39);
    const std::uint64_t tail = std::uint64_t{lo.port} | std::uint64_t{hi.port} << 16 | std::uint64_t{vlan} << 32 |
                               std::uint64_t{ip_version} << 48 | std::uint64_t{protocol} << 56;
    std::memcpy(&out.key.lo_port, &tail, 8);
    out.src_is_lo = src_is_lo;
}

oriented_key make_flow_key(std::uint16_t vlan, std::uint8_t ip_version, std::uint8_t protocol,
                           const endpoint& src, const endpoint& dst) noexcept {
    oriented_key o{};
    make_flow_key(vlan, ip_version, protocol, src, dst, o);
    return o;
}

}  // namespace wireflow::probe
