#pragma once
// Notifications of engaged alerts: syslog (openlog/syslog) and a webhook (JSON
// POST with libcurl), each with its own minimum severity, on the notifier's
// own thread behind a bounded queue. post() never blocks: a full queue drops
// its oldest notification (counted). A webhook delivery that fails (network,
// HTTP status >= 300) is retried with exponential backoff
// (initial_backoff doubling, max_attempts in all), then dropped (counted).
//
// Webhook body (Content-Type: application/json):
//   {"id": 42, "type": "syn_scan_attacker", "severity": "warning",
//    "entity_type": "host", "entity_id": "10.0.0.1@0", "engaged": true,
//    "started_at": "2026-11-29T05:33:00Z", "ended_at": null,
//    "message": "...", "details": {...}}

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "alert/alert_types.hpp"
#include "store/alert_store.hpp"

namespace wireflow::collector::alert {

struct notifier_settings {
    std::size_t queue_capacity{1000};
    int max_attempts{5};
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::seconds timeout{10};
    std::string syslog_ident{"wireflow-collector"};
};

struct notifier_stats {
    std::atomic<std::uint64_t> queued{0}, dropped_full{0}, syslog_sent{0};
    std::atomic<std::uint64_t> webhook_sent{0}, webhook_retries{0}, webhook_failed{0};
};

class notifier {
public:
    explicit notifier(notifier_settings settings = {});
    ~notifier();   // stops the thread; undelivered notifications are dropped
    notifier(const notifier&) = delete;
    notifier& operator=(const notifier&) = delete;

    // Where to send (from the alert preferences); takes effect for the next post.
    void configure(bool syslog, severity syslog_min, std::string webhook_url, severity webhook_min);
    // Never blocks on I/O.
    void post(const stored_alert& a);

    [[nodiscard]] const notifier_stats& stats() const noexcept { return stats_; }
    // Tests: true once the queue is empty and nothing is being delivered.
    [[nodiscard]] bool idle() const;

private:
    void run();

    notifier_settings settings_;
    notifier_stats stats_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<stored_alert> queue_;
    bool busy_{false};
    bool stop_{false};
    bool syslog_{false};
    severity syslog_min_{severity::warning};
    std::string webhook_url_;
    severity webhook_min_{severity::warning};
    std::thread thread_;
};

[[nodiscard]] std::string webhook_body(const stored_alert& a);

}  // namespace wireflow::collector::alert
