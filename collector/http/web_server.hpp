#pragma once
// The collector's HTTP(S) server: Boost.Beast over Asio, a few threads
// running one io_context. Each connection is a short chain
//   [TLS handshake] -> read (timeout) -> route_request -> write -> read ...
// with keep-alive, a 30 s timeout on every read and write, an 8 KiB header
// limit (431), a 1 MiB body limit (413) and 400 for malformed requests. The
// request handling itself is the pure route_request (api.hpp).
//
// Owns the REST API's parts: user_store, flow_query, auth_service (creates
// admin/admin on an empty users table at start), and a background runner for
// blacklist reloads. Options: collector_config http (-w ADDR:PORT),
// tls_cert/tls_key, http_threads, disable_login, disable_autologout,
// session_idle_s, ui_dir.

#include <cstdint>
#include <memory>
#include <string>

namespace wireflow::collector::app {
class collector_app;
}

namespace wireflow::collector::http {

class web_server {
public:
    explicit web_server(app::collector_app& app);
    ~web_server();  // stops and joins
    web_server(const web_server&) = delete;
    web_server& operator=(const web_server&) = delete;

    // Creates the default admin if needed (PostgreSQL down: retried at the
    // first login attempt), binds, starts the threads, prints
    // "wireflow-collector: http listening on ADDR:PORT". Throws std::runtime_error.
    void start();
    void stop() noexcept;
    [[nodiscard]] std::uint16_t port() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wireflow::collector::http
