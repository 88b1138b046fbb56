#include "alert/notifier.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace std::chrono_literals;

namespace {

// A real HTTP/1.1 receiver on 127.0.0.1: answers the first `failures`
// requests with 503, then 204, and keeps every request body it received.
class receiver {
public:
    explicit receiver(int failures) : failures_(failures) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        ::listen(fd_, 16);
        thread_ = std::thread([this] { serve(); });
    }
    ~receiver() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
    [[nodiscard]] std::vector<std::string> bodies() {
        std::lock_guard lock(m_);
        return bodies_;
    }
    [[nodiscard]] int requests() const { return requests_; }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            std::string req;
            char buf[4096];
            std::size_t need = std::string::npos;
            while (true) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                req.append(buf, static_cast<std::size_t>(n));
                const auto end = req.find("\r\n\r\n");
                if (end == std::string::npos) continue;
                if (need == std::string::npos) {
                    const auto cl = req.find("Content-Length: ");
                    const std::size_t body_len = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
                    need = end + 4 + body_len;
                }
                if (req.size() >= need) break;
            }
            const int n = ++requests_;
            const bool fail = n <= failures_;
            if (!fail) {
                std::lock_guard lock(m_);
                bodies_.push_back(req.substr(req.find("\r\n\r\n") + 4));
            }
            const std::string resp = fail ? "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                          : "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
            (void)::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
            ::close(c);
        }
    }

    int fd_{-1};
    int port_{0};
    int failures_;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::mutex m_;
    std::vector<std::string> bodies_;
    std::thread thread_;
};

stored_alert sample(std::string sev = "warning") {
    stored_alert a;
    a.id = 42;
    a.type = "syn_scan_attacker";
    a.severity = std::move(sev);
    a.entity_type = "host";
    a.entity_id = "10.0.0.66@0";
    a.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    a.message = "host 10.0.0.66 scanned \"ports\"";
    a.details = R"({"value": 30})";
    return a;
}

// The receivers listen on loopback, an internal address a real endpoint may
// not reach unless --notify-allow-internal says so.
notifier_settings local() {
    notifier_settings s;
    s.delivery.allow_internal = true;
    return s;
}

bool wait_idle(const notifier& n) {
    for (int i = 0; i < 300; ++i) {
        if (n.idle()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

}  // namespace

TEST_CASE("a webhook is delivered to a local HTTP receiver", "[notifier]") {
    receiver r(0);
    notifier n(local());
    n.configure(false, severity::warning, r.url(), severity::warning);
    n.post(sample());
    REQUIRE(wait_idle(n));
    const auto bodies = r.bodies();
    REQUIRE(bodies.size() == 1);
    CHECK(boost::json::parse(bodies[0]).at("entity_id").as_string() == "10.0.0.66@0");
    CHECK(n.stats().sent == 1);
}

TEST_CASE("a failed webhook delivery is retried with backoff until it succeeds", "[notifier]") {
    receiver r(2);
    notifier_settings s = local();
    s.initial_backoff = 50ms;
    notifier n(s);
    n.configure(false, severity::warning, r.url(), severity::warning);
    n.post(sample());
    REQUIRE(wait_idle(n));
    CHECK(r.requests() == 3);
    CHECK(r.bodies().size() == 1);
    CHECK(n.stats().retries == 2);
    CHECK(n.stats().sent == 1);
    CHECK(n.stats().failed == 0);
}

TEST_CASE("a webhook that keeps failing is given up after the last attempt", "[notifier]") {
    receiver r(100);
    notifier_settings s = local();
    s.initial_backoff = 10ms;
    s.max_attempts = 3;
    notifier n(s);
    n.configure(false, severity::warning, r.url(), severity::warning);
    n.post(sample());
    REQUIRE(wait_idle(n));
    CHECK(r.requests() == 3);
    CHECK(n.stats().failed == 1);
}

TEST_CASE("alerts below the minimum severity are not sent", "[notifier]") {
    receiver r(0);
    notifier n(local());
    n.configure(false, severity::warning, r.url(), severity::error);
    n.post(sample("warning"));
    n.post(sample("critical"));
    REQUIRE(wait_idle(n));
    const auto bodies = r.bodies();
    REQUIRE(bodies.size() == 1);
    CHECK(boost::json::parse(bodies[0]).at("severity").as_string() == "critical");
}

TEST_CASE("a full queue drops its oldest notification and never blocks the poster", "[notifier]") {
    receiver r(1000);   // every delivery fails: the thread is busy retrying
    notifier_settings s = local();
    s.queue_capacity = 4;
    s.initial_backoff = 200ms;
    s.max_attempts = 2;
    notifier n(s);
    n.configure(false, severity::warning, r.url(), severity::warning);
    for (int i = 0; i < 20; ++i) n.post(sample());
    CHECK(n.stats().dropped_full >= 20 - 4 - 1);
    CHECK(n.stats().queued == 20);
}

TEST_CASE("an endpoint's last failure is kept on its status, and a later success counted", "[notifier]") {
    receiver r(1);
    std::string error;
    auto e = parse_endpoint("webhook " + r.url() + " name=hook attempts=3 backoff-ms=20", error);
    REQUIRE(e);
    notifier n(local(), {*e});
    n.post(sample());
    REQUIRE(wait_idle(n));
    const auto st = n.status();
    REQUIRE(st.size() == 1);
    CHECK(st[0].name == "hook");
    CHECK(st[0].sent == 1);
    CHECK(st[0].retries == 1);
    CHECK(st[0].last_error == "HTTP status 503");
    REQUIRE(st[0].last_failure);
    REQUIRE(st[0].last_success);
    CHECK(*st[0].last_success >= *st[0].last_failure);
}

TEST_CASE("an endpoint waiting to retry does not hold up another one", "[notifier]") {
    receiver down(1000), up(0);
    std::string error;
    auto slow = parse_endpoint("webhook " + down.url() + " name=down attempts=2 backoff-ms=2000", error);
    auto fast = parse_endpoint("mattermost " + up.url() + " name=up", error);
    REQUIRE(slow);
    REQUIRE(fast);
    notifier n(local(), {*slow, *fast});
    n.post(sample());
    // The first attempt at "down" failed and waits 2 s; "up" is delivered meanwhile.
    for (int i = 0; i < 100 && up.bodies().empty(); ++i) std::this_thread::sleep_for(20ms);
    REQUIRE(up.bodies().size() == 1);
    CHECK(boost::json::parse(up.bodies()[0]).at("username").as_string() == "wireflow");
    CHECK_FALSE(n.idle());   // the retry is still due
}

TEST_CASE("an endpoint's types filter picks the alerts it gets", "[notifier]") {
    receiver r(0);
    std::string error;
    auto e = parse_endpoint("slack " + r.url() + " types=probe_silent min=info", error);
    REQUIRE(e);
    notifier n(local(), {*e});
    n.post(sample());   // syn_scan_attacker: not wanted
    auto silent = sample("info");
    silent.type = "probe_silent";
    n.post(silent);
    REQUIRE(wait_idle(n));
    REQUIRE(r.bodies().size() == 1);
    CHECK(boost::json::parse(r.bodies()[0]).at("text").as_string().find("probe_silent") != std::string::npos);
}

TEST_CASE("a test message goes to the named endpoint whatever its filters", "[notifier]") {
    receiver r(0);
    std::string error;
    auto e = parse_endpoint("webhook " + r.url() + " name=ops min=critical types=probe_silent", error);
    REQUIRE(e);
    notifier n(local(), {*e});
    CHECK_FALSE(n.send_test("nobody"));
    const auto res = n.send_test("ops");
    REQUIRE(res);
    CHECK(res->ok);
    REQUIRE(r.bodies().size() == 1);
    CHECK(boost::json::parse(r.bodies()[0]).at("type").as_string() == "notification_test");
    CHECK(n.status().at(0).sent == 1);
    n.configure(false, severity::warning, "http://127.0.0.1:1/refused", severity::warning);
    const auto refused = n.send_test("preferences-webhook");
    REQUIRE(refused);
    CHECK_FALSE(refused->ok);
    CHECK_FALSE(n.status().at(1).last_error.empty());
}
