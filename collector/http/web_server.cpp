#include "web_server.hpp"

#include "api.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace wireflow::collector::http {

namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using error_code = beast::error_code;

constexpr auto io_timeout = std::chrono::seconds(30);
constexpr std::uint32_t header_limit = 8 * 1024;
constexpr std::uint64_t body_limit = 1024 * 1024;

response plain_error(unsigned status, std::string_view code, std::string_view message) {
    response res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, "application/json");
    res.set(bhttp::field::server, "wireflow");
    res.set("X-Content-Type-Options", "nosniff");
    res.body() = std::string(R"({"error":")") + std::string(code) + R"(","message":")" + std::string(message) + "\"}";
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

// The read/route/write chain shared by plain and TLS connections (Beast's
// advanced_server_flex shape: CRTP over the stream type).
template <class Derived>
class connection {
public:
    // `open` was counted up by the acceptor for this connection.
    connection(services& svc, client_info client, std::atomic<std::size_t>& open)
        : svc_(svc), client_(std::move(client)), open_(open) {}
    ~connection() { open_.fetch_sub(1, std::memory_order_relaxed); }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

protected:
    Derived& derived() { return static_cast<Derived&>(*this); }

    void do_read() {
        parser_.emplace();
        parser_->header_limit(header_limit);
        parser_->body_limit(body_limit);
        beast::get_lowest_layer(derived().stream()).expires_after(io_timeout);
        bhttp::async_read(derived().stream(), buffer_, *parser_,
                          beast::bind_front_handler(&connection::on_read, derived().shared_from_this()));
    }

    void on_read(error_code ec, std::size_t) {
        if (ec == bhttp::error::end_of_stream) return derived().do_eof();
        if (ec == bhttp::error::body_limit) return send(plain_error(413, "too_large", "request body over 1 MiB"), true);
        if (ec == bhttp::error::header_limit)
            return send(plain_error(431, "headers_too_large", "request header over 8 KiB"), true);
        if (ec == beast::error::timeout || ec == net::error::operation_aborted || ec == net::error::eof ||
            ec == net::error::connection_reset || ec == ssl::error::stream_truncated)
            return;
        if (ec) {
            // A parse error: the stream position is unknown, answer and close.
            if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
                return send(plain_error(400, "bad_request", "malformed HTTP request"), true);
            return;
        }
        const request req = parser_->release();
        // route_request answers every failure itself; this guard only keeps
        // an unforeseen exception from escaping io_context::run.
        try {
            send(route_request(req, client_, svc_), false);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "wireflow-collector: http: %s\n", e.what());
            send(plain_error(500, "internal", "internal error"), true);
        }
    }

    void send(response&& res, bool close) {
        res_ = std::make_shared<response>(std::move(res));
        if (close) res_->keep_alive(false);
        beast::get_lowest_layer(derived().stream()).expires_after(io_timeout);
        bhttp::async_write(derived().stream(), *res_,
                           beast::bind_front_handler(&connection::on_write, derived().shared_from_this(),
                                                     res_->need_eof()));
    }

    void on_write(bool close, error_code ec, std::size_t) {
        if (ec) return;
        res_.reset();
        if (close) return derived().do_eof();
        do_read();
    }

    beast::flat_buffer buffer_;

private:
    services& svc_;
    client_info client_;
    std::atomic<std::size_t>& open_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<response> res_;
};

class plain_connection : public connection<plain_connection>, public std::enable_shared_from_this<plain_connection> {
public:
    plain_connection(tcp::socket&& s, services& svc, client_info c, std::atomic<std::size_t>& open)
        : connection(svc, std::move(c), open), stream_(std::move(s)) {}
    beast::tcp_stream& stream() { return stream_; }
    void run() {
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&plain_connection::do_read, shared_from_this()));
    }
    void do_eof() {
        error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

private:
    friend class connection<plain_connection>;
    beast::tcp_stream stream_;
};

class tls_connection : public connection<tls_connection>, public std::enable_shared_from_this<tls_connection> {
public:
    tls_connection(tcp::socket&& s, ssl::context& ctx, services& svc, client_info c, std::atomic<std::size_t>& open)
        : connection(svc, std::move(c), open), stream_(std::move(s), ctx) {}
    beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
    void run() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            beast::get_lowest_layer(self->stream_).expires_after(io_timeout);
            self->stream_.async_handshake(ssl::stream_base::server,
                                          beast::bind_front_handler(&tls_connection::on_handshake, self));
        });
    }
    void do_eof() {
        beast::get_lowest_layer(stream_).expires_after(io_timeout);
        stream_.async_shutdown([self = shared_from_this()](error_code) {});
    }

private:
    friend class connection<tls_connection>;
    void on_handshake(error_code ec) {
        if (ec) return;
        do_read();
    }
    beast::ssl_stream<beast::tcp_stream> stream_;
};

std::pair<std::string, std::uint16_t> split_host_port(const std::string& v) {
    const auto colon = v.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("http: expects ADDR:PORT, got '" + v + "'");
    std::string host = v.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    const auto [p, ec] = std::from_chars(v.data() + colon + 1, v.data() + v.size(), port);
    if (ec != std::errc{} || p != v.data() + v.size() || port > 65535) throw std::runtime_error("http: bad port in '" + v + "'");
    return {host.empty() ? std::string("0.0.0.0") : host, static_cast<std::uint16_t>(port)};
}

std::string find_ui_dir(const std::string& configured) {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates;
    if (!configured.empty()) candidates.emplace_back(configured);
#ifdef WIREFLOW_UI_DIR
    candidates.emplace_back(WIREFLOW_UI_DIR);
#endif
    candidates.emplace_back("/usr/share/wireflow/ui-static");
    for (const auto& c : candidates) {
        std::error_code ec;
        const auto real = fs::canonical(c, ec);
        if (!ec && fs::is_directory(real, ec)) return real.native();
        if (!configured.empty() && c == fs::path(configured))
            throw std::runtime_error("--ui-dir: no such folder '" + configured + "'");
    }
    return {};
}


host_policy policy_of(const web_settings& s) {
    host_policy p;
    for (const auto& h : s.hosts) p.names.push_back(host_of(h));
    p.listen_address = split_host_port(s.listen).first;
    return p;
}

// The first line of --admin-password-file, checked like any password.
std::string read_admin_password(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) throw std::runtime_error("--admin-password-file: cannot read " + path);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (const auto p = password_problem(line); !p.empty())
        throw std::runtime_error("--admin-password-file: " + std::string(p));
    return line;
}

// The random first password, in a new file of the data folder readable by
// the collector's user only: mkstemp (O_EXCL, mode 0600, never through a
// planted symlink), then renamed over DATA_DIR/admin-password. Empty path:
// not written (the log still has it).
class password_file {
public:
    explicit password_file(const std::string& data_dir) {
        if (data_dir.empty()) return;
        std::error_code ec;
        std::filesystem::create_directories(data_dir, ec);
        final_ = (std::filesystem::path(data_dir) / "admin-password").native();
        tmp_ = (std::filesystem::path(data_dir) / ".admin-password.XXXXXX").native();
        fd_ = ::mkstemp(tmp_.data());
        if (fd_ < 0) throw std::runtime_error("cannot create a file in " + data_dir + ": " + std::strerror(errno));
    }
    ~password_file() {
        if (fd_ >= 0) ::close(fd_);
        if (!tmp_.empty() && !kept_) ::unlink(tmp_.c_str());
    }
    password_file(const password_file&) = delete;
    password_file& operator=(const password_file&) = delete;

    void write(const std::string& text) {
        if (fd_ < 0) return;
        const std::string line = text + "\n";
        if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fsync(fd_) != 0)
            throw std::runtime_error("cannot write " + tmp_ + ": " + std::strerror(errno));
    }
    void keep() {
        if (fd_ < 0) return;
        ::close(fd_);
        fd_ = -1;
        if (::rename(tmp_.c_str(), final_.c_str()) != 0)
            throw std::runtime_error("cannot rename " + tmp_ + ": " + std::strerror(errno));
        kept_ = true;
    }
    [[nodiscard]] const std::string& path() const noexcept { return final_; }

private:
    std::string final_, tmp_;
    int fd_{-1};
    bool kept_{false};
};

}  // namespace

struct web_server::impl {
    impl(collector_api& a, web_settings s)
        : settings(std::move(s)),
          auth(a, [this] {
              auth_settings as;
              as.disable_login = settings.disable_login;
              as.idle = settings.session_idle;
              // One argon2id at a time leaves the other HTTP threads to
              // everything else (each hash holds 64 MiB and a core).
              as.max_concurrent_hashes = std::max<std::ptrdiff_t>(1, static_cast<std::ptrdiff_t>(settings.threads) - 1);
              return as;
          }()),
          svc{a, auth, find_ui_dir(settings.ui_dir), std::chrono::system_clock::now(), settings.version,
              policy_of(settings), {}},
          ioc(static_cast<int>(settings.threads)),
          acceptor(net::make_strand(ioc)),
          accept_timer(acceptor.get_executor()) {
        if (!settings.admin_password_file.empty()) admin_password = read_admin_password(settings.admin_password_file);
    }

    void accept() {
        acceptor.async_accept(net::make_strand(ioc), [this](error_code ec, tcp::socket s) {
            if (ec == net::error::operation_aborted) return;
            if (ec) {
                // EMFILE, ENFILE, ENOBUFS...: the pending connection stays in
                // the backlog and accept fails again at once; retrying without
                // a pause spins a core (issue 13, finding 12). Back off, up to 1 s.
                svc.stats.accept_errors.fetch_add(1, std::memory_order_relaxed);
                accept_backoff = std::min(std::max(accept_backoff * 2, std::chrono::milliseconds(20)),
                                          std::chrono::milliseconds(1000));
                accept_timer.expires_after(accept_backoff);
                accept_timer.async_wait([this](error_code wait_ec) {
                    if (wait_ec != net::error::operation_aborted) accept();
                });
                return;
            }
            accept_backoff = std::chrono::milliseconds(0);
            if (open_connections.load(std::memory_order_relaxed) >= std::max(1u, settings.max_connections)) {
                // Closed at once: its descriptor is back before the next accept.
                svc.stats.connections_refused.fetch_add(1, std::memory_order_relaxed);
                error_code ignored;
                s.close(ignored);
                return accept();
            }
            open_connections.fetch_add(1, std::memory_order_relaxed);
            error_code ep_ec;
            const auto ep = s.remote_endpoint(ep_ec);
            client_info c{ep_ec ? std::string() : ep.address().to_string(), tls.has_value()};
            if (tls) std::make_shared<tls_connection>(std::move(s), *tls, svc, std::move(c), open_connections)->run();
            else std::make_shared<plain_connection>(std::move(s), svc, std::move(c), open_connections)->run();
            accept();
        });
    }

    web_settings settings;
    auth_service auth;
    services svc;
    std::string admin_password;  // from --admin-password-file
    // Before ioc: connections still queued in it count down when it dies.
    std::atomic<std::size_t> open_connections{0};
    net::io_context ioc;
    std::optional<ssl::context> tls;
    tcp::acceptor acceptor;
    net::steady_timer accept_timer;
    std::chrono::milliseconds accept_backoff{0};
    std::vector<std::thread> threads;
    std::uint16_t bound_port{0};
};

web_server::web_server(collector_api& api, web_settings settings)
    : impl_(std::make_unique<impl>(api, std::move(settings))) {}

bool web_server::ensure_default_admin() {
    auto& m = *impl_;
    if (m.settings.disable_login) {
        m.auth.set_ready();
        return true;
    }
    if (!m.admin_password.empty()) {
        if (m.auth.bootstrap(m.admin_password, false))
            std::fprintf(stderr, "wireflow-collector: created user 'admin' with the password of %s\n",
                         m.settings.admin_password_file.c_str());
        return true;
    }
    if (loopback_only(m.svc.hosts.listen_address)) {
        // Only this machine reaches the listener: whoever logs in first is
        // already local, and must choose a password at once.
        if (m.auth.bootstrap("admin", true))
            std::fprintf(stderr, "wireflow-collector: created user 'admin' with password 'admin' (must be changed at "
                                 "first login; the HTTP listener is loopback-only)\n");
        return true;
    }
    // Reachable beyond loopback: admin/admin would belong to whoever comes
    // first (issue 13, finding 6). A random password, known to whoever reads
    // the log or the data folder, changed at first login.
    const std::string password = auth_service::random_secret().substr(0, 24);
    password_file file(m.settings.data_dir);
    file.write(password);
    if (!m.auth.bootstrap(password, true)) return true;  // the table has users: the file goes away
    file.keep();
    std::fprintf(stderr,
                 "wireflow-collector: created user 'admin' with the random password %s (the HTTP listener is reachable "
                 "beyond loopback; also in %s, mode 0600; must be changed at first login)\n",
                 password.c_str(), file.path().empty() ? "no file: no data folder" : file.path().c_str());
    return true;
}

const http_stats& web_server::stats() const noexcept { return impl_->svc.stats; }

web_server::~web_server() { stop(); }

void web_server::start() {
    auto& m = *impl_;
    const auto& cfg = m.settings;
    if (!cfg.tls_cert.empty()) {
        m.tls.emplace(ssl::context::tls_server);
        m.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
        error_code ec;
        m.tls->use_certificate_chain_file(cfg.tls_cert, ec);
        if (ec) throw std::runtime_error("--tls-cert " + cfg.tls_cert + ": " + ec.message());
        m.tls->use_private_key_file(cfg.tls_key, ssl::context::pem, ec);
        if (ec) throw std::runtime_error("--tls-key " + cfg.tls_key + ": " + ec.message());
    }
    if (cfg.disable_login)
        std::fprintf(stderr, "wireflow-collector: WARNING: --disable-login: every HTTP client is admin; use only in a lab\n");
    const auto [host, port] = split_host_port(cfg.listen);
    error_code ec;
    const auto addr = net::ip::make_address(host, ec);
    if (ec) throw std::runtime_error("http: bad address '" + host + "'");
    const tcp::endpoint ep{addr, port};
    m.acceptor.open(ep.protocol(), ec);
    if (!ec) m.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) m.acceptor.bind(ep, ec);
    if (!ec) m.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("http: cannot listen on " + cfg.listen + ": " + ec.message());
    m.bound_port = m.acceptor.local_endpoint().port();
    m.accept();
    std::fprintf(stderr, "wireflow-collector: http%s server on %s:%u (ui %s)\n", m.tls ? "s" : "", host.c_str(),
                 static_cast<unsigned>(m.bound_port), m.svc.ui_dir.empty() ? "not found" : m.svc.ui_dir.c_str());
    const unsigned n = std::max(1u, cfg.threads);
    for (unsigned i = 0; i < n; ++i) m.threads.emplace_back([&m] { m.ioc.run(); });
}

void web_server::stop() noexcept {
    if (!impl_) return;
    impl_->ioc.stop();
    for (auto& t : impl_->threads)
        if (t.joinable()) t.join();
    impl_->threads.clear();
}

std::uint16_t web_server::port() const noexcept { return impl_->bound_port; }

}  // namespace wireflow::collector::http
