#include "flow/flow_key.hpp"

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

}  // namespace wireflow::probe
