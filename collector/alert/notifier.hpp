#pragma once
// Notifications of alerts to endpoints (notify_endpoint: e-mail, Slack,
// Teams, Discord, Mattermost, Telegram, webhook, syslog), on the notifier's
// own thread behind a bounded queue. post() never blocks: each endpoint that
// wants the alert (minimum severity, types) gets a delivery job; a full queue
// drops its oldest job (counted). A failed delivery is retried with
// exponential backoff (the endpoint's first backoff, doubling, at most 60 s)
// until its attempts are spent, without holding up other endpoints' due jobs;
// the last failure is kept on the endpoint's status.
//
// Endpoints come from --notify options (fixed for the run) and from the alert
// preferences (syslog(3) and one webhook URL, replaced by configure()).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "alert/alert_types.hpp"
#include "alert/notify_delivery.hpp"
#include "alert/notify_endpoint.hpp"
#include "alert/notify_format.hpp"
#include "store/alert_store.hpp"

namespace wireflow::collector::alert {

struct notifier_settings {
    std::size_t queue_capacity{1000};
    // For the preferences' syslog and webhook (--notify endpoints carry their own).
    int max_attempts{5};
    std::chrono::milliseconds initial_backoff{1000};
    delivery_settings delivery;
};

struct notifier_stats {
    std::atomic<std::uint64_t> queued{0}, dropped_full{0};
    std::atomic<std::uint64_t> sent{0}, retries{0}, failed{0};
};

// One endpoint as REST and the status page show it.
struct endpoint_status {
    std::string name;
    channel kind{channel::webhook};
    std::string target;                 // redacted_target()
    severity min_severity{severity::warning};
    std::vector<std::string> types;
    bool from_preferences{false};
    std::uint64_t sent{0}, failed{0}, retries{0};
    std::optional<std::chrono::system_clock::time_point> last_success, last_failure;
    std::string last_error;             // of the last failed attempt; empty: none yet
};

class notifier {
public:
    explicit notifier(notifier_settings settings = {}, std::vector<endpoint_config> endpoints = {});
    ~notifier();   // stops the thread; undelivered notifications are dropped
    notifier(const notifier&) = delete;
    notifier& operator=(const notifier&) = delete;

    // The preferences' endpoints; take effect for the next post.
    void configure(bool syslog, severity syslog_min, std::string webhook_url, severity webhook_min);
    // Never blocks on I/O.
    void post(const stored_alert& a);

    // Sends test_alert() to the named endpoint now, once, on the caller's
    // thread (blocking up to the delivery timeout), whatever its filters;
    // the result is kept on its status. Nothing when no endpoint has the name.
    std::optional<delivery_result> send_test(std::string_view name);

    [[nodiscard]] std::vector<endpoint_status> status() const;
    [[nodiscard]] const notifier_stats& stats() const noexcept { return stats_; }
    // Tests: true once no delivery is queued, waiting for a retry or under way.
    [[nodiscard]] bool idle() const;

private:
    struct endpoint_state;
    using endpoint_ptr = std::shared_ptr<endpoint_state>;
    struct job {
        endpoint_ptr ep;
        stored_alert a;
        int attempt{1};
        std::chrono::steady_clock::time_point due;
    };

    void run();
    void enqueue(job j);   // under mutex_
    void record(endpoint_state& ep, const delivery_result& r);   // under mutex_
    [[nodiscard]] std::vector<endpoint_ptr> endpoints() const;   // under mutex_

    notifier_settings settings_;
    notifier_stats stats_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<endpoint_ptr> configured_;          // --notify
    endpoint_ptr pref_syslog_, pref_webhook_;       // from the preferences; null: none
    std::deque<job> jobs_;
    bool busy_{false};
    bool stop_{false};
    std::thread thread_;
};

}  // namespace wireflow::collector::alert
