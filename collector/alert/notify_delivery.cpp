#include "alert/notify_delivery.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>

#include "alert/notify_format.hpp"
#include "blacklist/fetch.hpp"

namespace wireflow::collector::alert {
namespace {

using clock = std::chrono::system_clock;

delivery_result failed(std::string error) { return delivery_result{false, std::move(error)}; }

std::string local_hostname(const delivery_settings& s) {
    if (!s.hostname.empty()) return s.hostname;
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "-";
    return buf;
}

delivery_result post(const std::string& url, const std::string& body, const delivery_settings& s) {
    blacklist::fetch_settings fs;
    fs.timeout = s.timeout;
    fs.connect_timeout = s.timeout;
    fs.max_bytes = 1u << 20;
    fs.refuse_internal = !s.allow_internal;
    auto r = blacklist::http_post_json(url, body, fs);
    if (r.ok) return {true, {}};
    return failed(r.error);
}

// ---- SMTP (libcurl) ----

struct easy_deleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct upload {
    std::string_view data;
    std::size_t at{0};
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* user) {
    auto* u = static_cast<upload*>(user);
    const std::size_t len = std::min(size * n, u->data.size() - u->at);
    std::memcpy(buf, u->data.data() + u->at, len);
    u->at += len;
    return len;
}

delivery_result send_mail(const endpoint_config& e, const stored_alert& a, const delivery_settings& s) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    std::string password;
    if (!e.password_file.empty()) {
        std::ifstream in(e.password_file);
        if (!in || !std::getline(in, password)) return failed("cannot read password file " + e.password_file);
    }
    const std::string message = email_message(a, e.mail_from, e.mail_to, clock::now(), local_hostname(s));
    std::unique_ptr<CURL, easy_deleter> curl(curl_easy_init());
    if (!curl) return failed("curl_easy_init failed");
    CURL* c = curl.get();
    char errbuf[CURL_ERROR_SIZE] = {};
    std::unique_ptr<curl_slist, slist_deleter> rcpt;
    for (const auto& to : e.mail_to) rcpt.reset(curl_slist_append(rcpt.release(), ("<" + to + ">").c_str()));
    const std::string from = "<" + e.mail_from + ">";
    upload up{message, 0};
    curl_easy_setopt(c, CURLOPT_URL, e.target.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(s.timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(s.timeout.count()));
    if (!e.user.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, e.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
        // Credentials never travel in clear: STARTTLS is required on smtp://.
        curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    } else {
        curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    }
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) return failed(errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc)));
    return {true, {}};
}

// ---- syslog ----

struct fd_closer {
    int fd{-1};
    ~fd_closer() {
        if (fd >= 0) ::close(fd);
    }
};

// "udp://host:port", "tcp://[v6]:port" -> host, port.
bool split_host_port(std::string_view rest, std::string& host, std::string& port) {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = std::string(rest.substr(0, colon));
    port = std::string(rest.substr(colon + 1));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return !host.empty() && !port.empty();
}

delivery_result send_syslog_net(const endpoint_config& e, const stored_alert& a, const delivery_settings& s) {
    const bool tcp = e.target.starts_with("tcp://");
    std::string host, port;
    if (!split_host_port(std::string_view(e.target).substr(6), host, port)) return failed("bad syslog target");
    addrinfo hints{};
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    addrinfo* res = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
        return failed(std::string("resolve ") + host + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(res, ::freeaddrinfo);
    const std::string msg = syslog_message(a, local_hostname(s), s.app_name, static_cast<long>(::getpid()), clock::now());
    std::string error = "no address";
    for (const addrinfo* ai = res; ai; ai = ai->ai_next) {
        fd_closer sock{::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)};
        if (sock.fd < 0) {
            error = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        if (!tcp) {
            if (::sendto(sock.fd, msg.data(), msg.size(), 0, ai->ai_addr, ai->ai_addrlen) ==
                static_cast<ssize_t>(msg.size()))
                return {true, {}};
            error = std::string("sendto: ") + std::strerror(errno);
            continue;
        }
        // TCP: connect within the timeout, then send the octet-counted frame.
        const int flags = ::fcntl(sock.fd, F_GETFL, 0);
        ::fcntl(sock.fd, F_SETFL, flags | O_NONBLOCK);
        if (::connect(sock.fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                error = std::string("connect: ") + std::strerror(errno);
                continue;
            }
            pollfd p{sock.fd, POLLOUT, 0};
            int soerr = 0;
            socklen_t len = sizeof soerr;
            if (::poll(&p, 1, static_cast<int>(s.timeout.count() * 1000)) != 1 ||
                ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
                error = std::string("connect: ") + (soerr ? std::strerror(soerr) : "timed out");
                continue;
            }
        }
        ::fcntl(sock.fd, F_SETFL, flags);
        timeval tv{static_cast<time_t>(s.timeout.count()), 0};
        ::setsockopt(sock.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        const std::string frame = octet_counted(msg);
        std::size_t sent = 0;
        while (sent < frame.size()) {
            const ssize_t n = ::send(sock.fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        if (sent == frame.size()) return {true, {}};
        error = std::string("send: ") + std::strerror(errno);
    }
    return failed(error);
}

delivery_result send_syslog_local(const stored_alert& a, const delivery_settings& s) {
    static std::once_flag open;
    static std::string ident;
    std::call_once(open, [&] {
        ident = s.app_name;
        openlog(ident.c_str(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
    });
    int priority = LOG_WARNING;   // RFC 5424 section 6.2.1
    if (a.severity == "info") priority = LOG_INFO;
    else if (a.severity == "notice") priority = LOG_NOTICE;
    else if (a.severity == "error") priority = LOG_ERR;
    else if (a.severity == "critical") priority = LOG_CRIT;
    // The message is bounded, valid UTF-8 text: passed as an argument, never a format.
    syslog(priority, "alert %s %s %s %s: %s%s", a.severity.c_str(), a.type.c_str(), a.entity_type.c_str(),
           a.entity_id.c_str(), a.message.c_str(), a.ended_at ? " (ended)" : "");
    return {true, {}};
}

}  // namespace

delivery_result deliver(const endpoint_config& e, const stored_alert& a, const delivery_settings& s) {
    try {
        switch (e.kind) {
        case channel::email: return send_mail(e, a, s);
        case channel::slack: return post(e.target, slack_body(a), s);
        case channel::teams: return post(e.target, teams_body(a), s);
        case channel::discord: return post(e.target, discord_body(a), s);
        case channel::mattermost: return post(e.target, mattermost_body(a), s);
        case channel::telegram: return post(e.target, telegram_body(a, e.chat_id), s);
        case channel::webhook: return post(e.target, webhook_body(a), s);
        case channel::syslog: return e.target == "local" ? send_syslog_local(a, s) : send_syslog_net(e, a, s);
        }
    } catch (const std::exception& ex) {
        return failed(ex.what());
    }
    return failed("unknown channel");
}

}  // namespace wireflow::collector::alert
