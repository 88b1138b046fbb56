#pragma once
// The tunnel a flow's packets came out of (wireflow.v1.TunnelType, value for
// value): the probe's dissector opens it (probe/dissect/dissect.hpp), the
// collector stores and shows it. ip_in_ip covers 4in4, 6in4 (RFC 4213), 4in6
// and 6in6 (RFC 2473): the outer and inner IP versions tell which.

#include <cstdint>
#include <string_view>

namespace wireflow {

enum class tunnel_type : std::uint8_t { none = 0, gre = 1, erspan = 2, vxlan = 3, gtp_u = 4, ip_in_ip = 5 };

inline constexpr std::uint8_t max_tunnel_type = 5;

// "gre", "erspan", "vxlan", "gtp-u", "ip-in-ip"; "none"; "unknown" for a
// value beyond max_tunnel_type (a newer probe's).
[[nodiscard]] constexpr std::string_view name(tunnel_type t) noexcept {
    switch (t) {
    case tunnel_type::none: return "none";
    case tunnel_type::gre: return "gre";
    case tunnel_type::erspan: return "erspan";
    case tunnel_type::vxlan: return "vxlan";
    case tunnel_type::gtp_u: return "gtp-u";
    case tunnel_type::ip_in_ip: return "ip-in-ip";
    }
    return "unknown";
}

}  // namespace wireflow
