#pragma once
// DNS rebinding (issue 13, finding 5): a page on attacker.example whose name
// later resolves to 127.0.0.1 talks to the collector as "same origin"; only
// the Host header still says attacker.example. So every request's Host must
// name this server: a name given with --http-host, "localhost", a loopback
// address, or the address the server listens on (any address literal when it
// listens on all of them: an address literal cannot be rebound). The port is
// not compared: a reverse proxy may publish the server on another one.
// Otherwise the answer is 421 Misdirected Request (RFC 9110 section 15.5.20).

#include <string>
#include <string_view>
#include <vector>

namespace wireflow::collector::http {

struct host_policy {
    std::vector<std::string> names;  // --http-host values, lower case, without port
    std::string listen_address;      // the listener's address text ("0.0.0.0", "::", "192.0.2.1")
};

// The host part of a Host header value ("[::1]:3005" -> "::1", "Example.COM." ->
// "example.com"); empty when malformed.
[[nodiscard]] std::string host_of(std::string_view host_header);
[[nodiscard]] bool host_allowed(std::string_view host_header, const host_policy& policy);
// True when the listener accepts only loopback connections (127.0.0.0/8, ::1).
[[nodiscard]] bool loopback_only(std::string_view listen_address);

}  // namespace wireflow::collector::http
