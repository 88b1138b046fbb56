#include "flow/flow_key.hpp"

#include <bit>
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

oriented_key make_flow_key(std::uint16_t vlan, std::uint8_t ip_version, std::uint8_t protocol,
                           const endpoint& src, const endpoint& dst) noexcept {
    oriented_key o{};
    o.src_is_lo = !less(dst, src);
    const endpoint& lo = o.src_is_lo ? src : dst;
    const endpoint& hi = o.src_is_lo ? dst : src;
    o.key.lo_ip = lo.ip;
    o.key.hi_ip = hi.ip;
    o.key.lo_port = lo.port;
    o.key.hi_port = hi.port;
    o.key.vlan = vlan;
    o.key.ip_version = ip_version;
    o.key.protocol = protocol;
    return o;
}

}  // namespace wireflow::probe
