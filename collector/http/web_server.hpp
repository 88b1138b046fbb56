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
#include "http_stats.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wireflow::collector::http {

struct web_settings {
    std::string listen{"0.0.0.0:3000"};   // ADDR:PORT (-w)
    std::string tls_cert, tls_key;        // both or neither: HTTPS
    unsigned threads{2};
    bool disable_login{false};
    std::chrono::seconds session_idle{1800};  // 0: no idle timeout (--disable-autologout)
    std::string ui_dir;                    // empty: the built-in candidates
    std::string version{"0.1.0"};
    std::vector<std::string> hosts;        // --http-host: names Host may give (host_check.hpp)
    unsigned max_connections{256};         // beyond, new connections are closed at once
    // The first admin (issue 13, finding 6). With a password file, its first
    // line. Else, on a loopback-only listener, admin/admin with a forced
    // change; on any other, a random password written to
    // DATA_DIR/admin-password (mode 0600) and to the log.
    std::string admin_password_file;
    std::string data_dir;
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
    // Creates the first admin (web_settings) in an empty users table; true
    // once checked. Throws store_error while PostgreSQL is unavailable. Until
    // it returned true, login answers 503.
    bool ensure_default_admin();
    [[nodiscard]] const http_stats& stats() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wireflow::collector::http
