// The peers the blacklist's nftables export spares (issue 13, finding 7).
#include "own_peers.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace wireflow::collector::app;
namespace net = wireflow::net;

TEST_CASE("established peers of the ingest port are read from /proc/net/tcp and tcp6", "[own_peers]") {
    const std::string tcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000:15B4 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
        "   1: 0100007F:15B4 0200000A:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1\n"
        "   2: 0100007F:15B5 0300000A:C351 01 00000000:00000000 00:00000000 00000000     0        0 3 1\n"
        "   3: 0100007F:15B4 0400000A:C352 06 00000000:00000000 00:00000000 00000000     0        0 4 1\n";
    // 5556 = 0x15B4: 10.0.0.2 is connected; 10.0.0.3 is on another port, 10.0.0.4 in TIME_WAIT.
    CHECK(proc_net_tcp_peers(tcp, 5556) == std::vector<net::ip_address>{*net::ip_address::parse("10.0.0.2")});
    const std::string tcp6 =
        "  sl  local_address                         remote_address                        st\n"
        "   0: 00000000000000000000000001000000:15B4 B80D0120000000000000000001000000:D431 01 0\n";
    CHECK(proc_net_tcp_peers(tcp6, 5556) == std::vector<net::ip_address>{*net::ip_address::parse("2001:db8::1")});
    CHECK(proc_net_tcp_peers("garbage\nmore garbage 1 2 3\n   0: zz:15B4 yy:1 01\n", 5556).empty());
}

TEST_CASE("own peers always hold loopback, the database and live session addresses", "[own_peers]") {
    peer_sources s;
    s.db_conninfo = "host=192.0.2.40,/run/postgresql hostaddr=192.0.2.41 dbname=wireflow";
    s.session_addresses = [] { return std::vector<std::string>{"198.51.100.23", "not an address"}; };
    const auto peers = own_peers(s);
    const auto has = [&](const char* text) {
        return std::find(peers.begin(), peers.end(), *net::ip_prefix::parse(text)) != peers.end();
    };
    CHECK(has("127.0.0.0/8"));
    CHECK(has("::1/128"));
    CHECK(has("192.0.2.40/32"));
    CHECK(has("192.0.2.41/32"));
    CHECK(has("198.51.100.23/32"));
    CHECK(endpoint_port("tcp://127.0.0.1:5556") == 5556);
    CHECK(endpoint_port("tcp://[::1]:7") == 7);
    CHECK(endpoint_port("ipc:///run/x") == 0);
}
