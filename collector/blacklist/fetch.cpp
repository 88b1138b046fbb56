#include "blacklist/fetch.hpp"

#include <curl/curl.h>

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
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
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
        if (out.overflow || rc == CURLE_FILESIZE_EXCEEDED)
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

fetch_result http_get(const std::string& url, const fetch_settings& s) { return perform(url, nullptr, s); }

fetch_result http_post_json(const std::string& url, const std::string& json, const fetch_settings& s) {
    return perform(url, &json, s);
}

}  // namespace wireflow::collector::blacklist
