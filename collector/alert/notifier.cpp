#include "alert/notifier.hpp"

#include <syslog.h>

#include <ctime>

#include "blacklist/fetch.hpp"

namespace wireflow::collector::alert {
namespace {

std::string iso8601(std::chrono::system_clock::time_point t) {
    const std::time_t s = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int syslog_priority(severity s) {
    switch (s) {   // RFC 5424 section 6.2.1
    case severity::info: return LOG_INFO;
    case severity::notice: return LOG_NOTICE;
    case severity::warning: return LOG_WARNING;
    case severity::error: return LOG_ERR;
    case severity::critical: return LOG_CRIT;
    }
    return LOG_WARNING;
}

}  // namespace

std::string webhook_body(const stored_alert& a) {
    boost::json::value details;
    boost::system::error_code ec;
    details = boost::json::parse(a.details.empty() ? "{}" : a.details, ec);
    if (ec) details = boost::json::object{};
    return boost::json::serialize(boost::json::object{
        {"id", a.id},
        {"type", a.type},
        {"severity", a.severity},
        {"entity_type", a.entity_type},
        {"entity_id", a.entity_id},
        {"engaged", !a.ended_at.has_value()},
        {"started_at", iso8601(a.started_at)},
        {"ended_at", a.ended_at ? boost::json::value(iso8601(*a.ended_at)) : boost::json::value(nullptr)},
        {"message", a.message},
        {"details", std::move(details)},
    });
}

notifier::notifier(notifier_settings settings) : settings_(std::move(settings)) {
    if (settings_.queue_capacity == 0) settings_.queue_capacity = 1;
    thread_ = std::thread([this] { run(); });
}

notifier::~notifier() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void notifier::configure(bool syslog, severity syslog_min, std::string webhook_url, severity webhook_min) {
    std::lock_guard lock(mutex_);
    syslog_ = syslog;
    syslog_min_ = syslog_min;
    webhook_url_ = std::move(webhook_url);
    webhook_min_ = webhook_min;
}

void notifier::post(const stored_alert& a) {
    {
        std::lock_guard lock(mutex_);
        const auto s = parse_severity(a.severity).value_or(severity::warning);
        const bool wanted = (syslog_ && s >= syslog_min_) || (!webhook_url_.empty() && s >= webhook_min_);
        if (!wanted) return;
        if (queue_.size() >= settings_.queue_capacity) {
            queue_.pop_front();   // the oldest goes: recent alerts matter more
            stats_.dropped_full.fetch_add(1, std::memory_order_relaxed);
        }
        queue_.push_back(a);
        stats_.queued.fetch_add(1, std::memory_order_relaxed);
    }
    cv_.notify_one();
}

bool notifier::idle() const {
    std::lock_guard lock(mutex_);
    return queue_.empty() && !busy_;
}

void notifier::run() {
    bool log_open = false;
    std::unique_lock lock(mutex_);
    while (true) {
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (stop_) break;
        stored_alert a = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        const bool to_syslog = syslog_;
        const severity syslog_min = syslog_min_;
        const std::string url = webhook_url_;
        const severity webhook_min = webhook_min_;
        lock.unlock();

        const auto s = parse_severity(a.severity).value_or(severity::warning);
        if (to_syslog && s >= syslog_min) {
            if (!log_open) {
                openlog(settings_.syslog_ident.c_str(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
                log_open = true;
            }
            // The message is bounded, valid UTF-8 text: passed as an argument, never a format.
            syslog(syslog_priority(s), "alert %s %s %s %s: %s%s", a.severity.c_str(), a.type.c_str(),
                   a.entity_type.c_str(), a.entity_id.c_str(), a.message.c_str(), a.ended_at ? " (ended)" : "");
            stats_.syslog_sent.fetch_add(1, std::memory_order_relaxed);
        }
        if (!url.empty() && s >= webhook_min) {
            const std::string body = webhook_body(a);
            blacklist::fetch_settings fs;
            fs.timeout = settings_.timeout;
            fs.connect_timeout = settings_.timeout;
            fs.max_bytes = 1u << 20;
            auto backoff = settings_.initial_backoff;
            bool sent = false;
            for (int attempt = 1; attempt <= settings_.max_attempts; ++attempt) {
                if (blacklist::http_post_json(url, body, fs).ok) {
                    sent = true;
                    break;
                }
                if (attempt == settings_.max_attempts) break;
                stats_.webhook_retries.fetch_add(1, std::memory_order_relaxed);
                std::unique_lock wait(mutex_);
                if (cv_.wait_for(wait, backoff, [this] { return stop_; })) break;
                backoff = std::min(backoff * 2, std::chrono::milliseconds(60'000));
            }
            (sent ? stats_.webhook_sent : stats_.webhook_failed).fetch_add(1, std::memory_order_relaxed);
        }
        lock.lock();
        busy_ = false;
    }
    if (log_open) closelog();
}

}  // namespace wireflow::collector::alert
