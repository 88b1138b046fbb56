#include "blacklist/fetch.hpp"

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <memory>
#include <mutex>

namespace wireflow::collector::blacklist {
namespace {

// curl_global_init is not thread-safe before 7.84; do it once.
void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct sink {
    std::string* body;
    std::size_t max;
    bool overflow{false};
};

std::size_t write_cb(char* data, std::size_t size, std::size_t n, void* user) {
    auto* s = static_cast<sink*>(user);
    const std::size_t bytes = size * n;
    if (s->body->size() + bytes > s->max) {
        s->overflow = true;
        return 0;   // makes libcurl fail the transfer (CURLE_WRITE_ERROR)
    }
    s->body->append(data, bytes);
    return bytes;
}

// CURLOPT_OPENSOCKETFUNCTION: the address libcurl is about to connect to
// (after name resolution, for the first request and every redirect).
struct socket_guard {
    std::string refused;   // "ADDRESS (KIND)" of the first refusal
};

curl_socket_t open_checked(void* user, curlsocktype purpose, curl_sockaddr* address) {
    auto* g = static_cast<socket_guard*>(user);
    if (purpose == CURLSOCKTYPE_IPCXN && address) {
        std::optional<net::ip_address> a;
        if (address->family == AF_INET) {
            sockaddr_in in{};
            std::memcpy(&in, &address->addr, sizeof in);
            a = net::ip_address::v4(ntohl(in.sin_addr.s_addr));
        } else if (address->family == AF_INET6) {
            sockaddr_in6 in6{};
            std::memcpy(&in6, &address->addr, sizeof in6);
            std::array<std::uint8_t, 16> b{};
            std::memcpy(b.data(), in6.sin6_addr.s6_addr, 16);
            a = net::ip_address::v6(b);
        }
        const auto kind = a ? internal_address_kind(*a) : std::string_view("not an IP address");
        if (!kind.empty()) {
            if (g->refused.empty()) g->refused = (a ? a->to_string() : std::string("?")) + " (" + std::string(kind) + ")";
            return CURL_SOCKET_BAD;
        }
    }
    return ::socket(address->family, address->socktype, address->protocol);
}

struct easy_deleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct slist_deleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

fetch_result perform(const std::string& url, const std::string* post_json, const fetch_settings& s) {
    global_init();
    fetch_result r;
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
        r.error = "only http:// and https:// URLs";
        return r;
    }
    std::unique_ptr<CURL, easy_deleter> curl(curl_easy_init());
    if (!curl) {
        r.error = "curl_easy_init failed";
        return r;
    }
    char errbuf[CURL_ERROR_SIZE] = {};
    sink out{&r.body, s.max_bytes};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);   // threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    // Redirects stay on http(s) whatever the libcurl version (issue 13,
    // finding 11): the _STR options from 7.85, the bit masks before.
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    socket_guard guard;
    if (s.refuse_internal) {
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
    }
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(s.timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(s.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_USERAGENT, s.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");   // whatever libcurl can decode
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(s.max_bytes));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    std::unique_ptr<curl_slist, slist_deleter> headers;
    if (post_json) {
        headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_json->data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_json->size()));
    }
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.http_status);
    if (rc != CURLE_OK) {
        if (!guard.refused.empty())
            r.error = "refused to connect to " + guard.refused + ": an internal address (--notify-allow-internal allows it)";
        else if (out.overflow || rc == CURLE_FILESIZE_EXCEEDED)
            r.error = "body larger than " + std::to_string(s.max_bytes) + " bytes";
        else
            r.error = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
        r.body.clear();
        return r;
    }
    if (r.http_status < 200 || r.http_status >= 300) {
        r.error = "HTTP status " + std::to_string(r.http_status);
        r.body.clear();
        return r;
    }
    r.ok = true;
    return r;
}

}  // namespace

std::string_view internal_address_kind(const net::ip_address& a) noexcept {
    const auto& b = a.bytes;
    if (a.is_v6()) {
        static constexpr std::array<std::uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        static constexpr std::array<std::uint8_t, 12> nat64{0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
        if (std::equal(mapped.begin(), mapped.end(), b.begin()) || std::equal(nat64.begin(), nat64.end(), b.begin()))
            return internal_address_kind(net::ip_address::v4(static_cast<std::uint32_t>(b[12]) << 24 |
                                                             static_cast<std::uint32_t>(b[13]) << 16 |
                                                             static_cast<std::uint32_t>(b[14]) << 8 | b[15]));
        bool zero15 = true;
        for (std::size_t i = 0; i < 15; ++i) zero15 = zero15 && b[i] == 0;
        if (zero15 && b[15] == 0) return "unspecified";
        if (zero15 && b[15] == 1) return "loopback";
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";
        // fd00:ec2::254, the AWS instance metadata service over IPv6.
        static constexpr std::array<std::uint8_t, 16> aws{0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
        if (b == aws) return "cloud metadata";
        return {};
    }
    if (!a.is_v4()) return "not an IP address";
    if (b[0] == 0) return "unspecified";   // 0.0.0.0/8 reaches this host on Linux
    if (b[0] == 127) return "loopback";
    if (b[0] == 169 && b[1] == 254) return b[2] == 169 && b[3] == 254 ? "cloud metadata" : "link-local";
    if (b[0] == 100 && b[1] == 100 && b[2] == 100 && b[3] == 200) return "cloud metadata";   // Alibaba Cloud
    return {};
}

fetch_result http_get(const std::string& url, const fetch_settings& s) { return perform(url, nullptr, s); }

fetch_result http_post_json(const std::string& url, const std::string& json, const fetch_settings& s) {
    return perform(url, &json, s);
}

}  // namespace wireflow::collector::blacklist
