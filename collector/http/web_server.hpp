#pragma once
// The collector's HTTP(S) server: Boost.Beast over Asio, a few threads
// running one io_context. Each connection is a short chain
//   [TLS handshake] -> read (timeout) -> route_request -> write -> read ...
// with keep-alive, a 30 s timeout on every read and write, an 8 KiB header
// limit (431), a 1 MiB body limit (413) and 400 for malformed requests. The
// request handling itself is the pure route_request (api.hpp).
//
// Owns the REST API's auth_service; reads and changes the collector only
// through collector_api. Periodic work (session purge, the default-admin
// retry) is the collector's scheduler's: it calls ensure_default_admin().

#include "collector_api.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace wireflow::collector::http {

struct web_settings {
    std::string listen{"0.0.0.0:3000"};   // ADDR:PORT (-w)
    std::string tls_cert, tls_key;        // both or neither: HTTPS
    unsigned threads{2};
    bool disable_login{false};
    std::chrono::seconds session_idle{1800};  // 0: no idle timeout (--disable-autologout)
    std::string ui_dir;                    // empty: the built-in candidates
    std::string version{"0.1.0"};
};

class web_server {
public:
    web_server(collector_api& api, web_settings settings);
    ~web_server();  // stops and joins
    web_server(const web_server&) = delete;
    web_server& operator=(const web_server&) = delete;

    // Binds, starts the threads, prints "wireflow-collector: http server on
    // ADDR:PORT". Throws std::runtime_error.
    void start();
    void stop() noexcept;
    [[nodiscard]] std::uint16_t port() const noexcept;
    // Creates admin/admin (must change) in an empty users table; true once
    // checked. Throws store_error while PostgreSQL is unavailable.
    bool ensure_default_admin();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wireflow::collector::http
