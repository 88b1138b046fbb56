#pragma once
// The tunnel a flow's packets came out of (issue 14), as the probe opened it
// (probe/dissect/dissect.hpp): the flow's addresses, ports and application are
// the inner packet's, its byte counts the outer IP length. Absent for flows
// that were not tunnelled, records of older probes and rows stored before
// schema v6. Ingest fills it, the store writes and reads it, the JSON view of
// a flow shows it.

#include <cstdint>

#include "net/ip_address.hpp"
#include "records/tunnel_type.hpp"

namespace wireflow::collector {

struct flow_tunnel {
    tunnel_type type{tunnel_type::none};  // a newer probe's value beyond max_tunnel_type is kept as is
    std::uint32_t id{0};                  // GRE key, ERSPAN session, VXLAN VNI, GTP-U TEID; 0 none
    net::ip_address client_side;          // outer address on the client's side
    net::ip_address server_side;          // on the server's side (same family)
    friend bool operator==(const flow_tunnel&, const flow_tunnel&) = default;
};

}  // namespace wireflow::collector
