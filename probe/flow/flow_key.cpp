#include "flow/flow_key.hpp"

#include "hash.hpp"

namespace wireflow::probe {

oriented_key make_flow_key(std::uint16_t vlan, std::uint8_t ip_version, std::uint8_t protocol,
                           const endpoint& src, const endpoint& dst) noexcept {
    oriented_key o{};
    o.src_is_lo = !(dst < src);
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

std::uint64_t hash(const flow_key& k) noexcept {
    // 64-bit FNV-1a variant over 8-byte words with a final avalanche (mix64):
    // the key is 40 bytes = 5 words, so this is 5 multiplies; good enough spread
    // for an open-addressing table and no dependency on CPU features.
    std::uint64_t words[5];
    static_assert(sizeof(words) == sizeof(flow_key));
    std::memcpy(words, &k, sizeof(words));
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::uint64_t w : words) {
        h ^= w;
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return mix64(h);
}

}  // namespace wireflow::probe
