#pragma once
// The collector's own peers, which its blacklist's nftables drop rules must
// never cut off whatever a list says (issue 13, finding 7): loopback, its own
// interface addresses, its database servers, the TCP peers of its ingest port
// (the probes) and the addresses of live dashboard sessions.
//
// The ingest port's peers are read from /proc/net/tcp{,6} (ESTABLISHED
// connections whose local port is the ingest port), so the ingest code needs
// no change; without CURVE any host that keeps a TCP connection to that port
// is spared too (the user guide says so).

#include "net/ip_prefix.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector::app {

struct peer_sources {
    std::string db_conninfo;
    std::uint16_t ingest_port{0};  // 0: none (ipc://)
    std::function<std::vector<std::string>()> session_addresses;  // may throw (PostgreSQL away): skipped
};

// Blocking (name resolution of the database host): call from a control thread.
[[nodiscard]] std::vector<net::ip_prefix> own_peers(const peer_sources& sources);

// The remote addresses of ESTABLISHED connections to local `port` in the
// text of /proc/net/tcp or /proc/net/tcp6.
[[nodiscard]] std::vector<net::ip_address> proc_net_tcp_peers(std::string_view text, std::uint16_t port);

// The port of a ZeroMQ tcp:// endpoint; 0 for anything else.
[[nodiscard]] std::uint16_t endpoint_port(std::string_view endpoint) noexcept;

}  // namespace wireflow::collector::app
