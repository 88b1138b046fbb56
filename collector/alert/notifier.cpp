#include "alert/notifier.hpp"

#include <algorithm>

namespace wireflow::collector::alert {

using steady = std::chrono::steady_clock;

struct notifier::endpoint_state {
    endpoint_config config;
    bool from_preferences{false};
    std::uint64_t sent{0}, failed{0}, retries{0};
    std::optional<std::chrono::system_clock::time_point> last_success, last_failure;
    std::string last_error;
};

notifier::notifier(notifier_settings settings, std::vector<endpoint_config> endpoints)
    : settings_(std::move(settings)) {
    if (settings_.queue_capacity == 0) settings_.queue_capacity = 1;
    for (auto& e : endpoints) {
        auto s = std::make_shared<endpoint_state>();
        s->config = std::move(e);
        configured_.push_back(std::move(s));
    }
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
    const auto make = [this](std::string name, channel kind, std::string target, severity min) {
        auto s = std::make_shared<endpoint_state>();
        s->config.name = std::move(name);
        s->config.kind = kind;
        s->config.target = std::move(target);
        s->config.min_severity = min;
        s->config.max_attempts = std::max(1, settings_.max_attempts);
        s->config.initial_backoff = settings_.initial_backoff;
        s->from_preferences = true;
        return s;
    };
    std::lock_guard lock(mutex_);
    const auto keep_or_make = [&](endpoint_ptr& slot, bool on, std::string name, channel kind, std::string target,
                                  severity min) {
        if (!on) {
            slot.reset();
        } else if (!slot || slot->config.target != target || slot->config.min_severity != min) {
            slot = make(std::move(name), kind, std::move(target), min);   // counters start again for a new target
        }
    };
    keep_or_make(pref_syslog_, syslog, "preferences-syslog", channel::syslog, "local", syslog_min);
    const bool webhook = !webhook_url.empty();   // before the move below (argument order is unspecified)
    keep_or_make(pref_webhook_, webhook, "preferences-webhook", channel::webhook, std::move(webhook_url), webhook_min);
}

std::vector<notifier::endpoint_ptr> notifier::endpoints() const {
    std::vector<endpoint_ptr> all = configured_;
    if (pref_syslog_) all.push_back(pref_syslog_);
    if (pref_webhook_) all.push_back(pref_webhook_);
    return all;
}

void notifier::enqueue(job j) {
    if (jobs_.size() >= settings_.queue_capacity) {
        jobs_.pop_front();   // the oldest goes: recent alerts matter more
        stats_.dropped_full.fetch_add(1, std::memory_order_relaxed);
    }
    jobs_.push_back(std::move(j));
}

void notifier::post(const stored_alert& a) {
    {
        std::lock_guard lock(mutex_);
        bool wanted = false;
        for (auto& ep : endpoints()) {
            if (!wants(ep->config, a)) continue;
            wanted = true;
            enqueue(job{ep, a, 1, steady::now()});
        }
        if (!wanted) return;
        stats_.queued.fetch_add(1, std::memory_order_relaxed);
    }
    cv_.notify_one();
}

void notifier::record(endpoint_state& ep, const delivery_result& r) {
    const auto now = std::chrono::system_clock::now();
    if (r.ok) {
        ++ep.sent;
        ep.last_success = now;
    } else {
        ep.last_failure = now;
        ep.last_error = r.error.substr(0, 512);
    }
}

std::optional<delivery_result> notifier::send_test(std::string_view name) {
    endpoint_ptr ep;
    {
        std::lock_guard lock(mutex_);
        for (auto& e : endpoints())
            if (e->config.name == name) ep = e;
    }
    if (!ep) return std::nullopt;
    const auto r = deliver(ep->config, test_alert(ep->config.name, std::chrono::system_clock::now()), settings_.delivery);
    std::lock_guard lock(mutex_);
    record(*ep, r);
    return r;
}

std::vector<endpoint_status> notifier::status() const {
    std::lock_guard lock(mutex_);
    std::vector<endpoint_status> out;
    for (const auto& ep : endpoints()) {
        endpoint_status s;
        s.name = ep->config.name;
        s.kind = ep->config.kind;
        s.target = redacted_target(ep->config);
        s.min_severity = ep->config.min_severity;
        s.types = ep->config.types;
        s.from_preferences = ep->from_preferences;
        s.sent = ep->sent;
        s.failed = ep->failed;
        s.retries = ep->retries;
        s.last_success = ep->last_success;
        s.last_failure = ep->last_failure;
        s.last_error = ep->last_error;
        out.push_back(std::move(s));
    }
    return out;
}

bool notifier::idle() const {
    std::lock_guard lock(mutex_);
    return jobs_.empty() && !busy_;
}

void notifier::run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        if (jobs_.empty()) {
            cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
            continue;
        }
        // The first job due (retries wait their backoff; others go on).
        auto next = jobs_.begin();
        for (auto it = jobs_.begin(); it != jobs_.end(); ++it)
            if (it->due < next->due) next = it;
        if (next->due > steady::now()) {
            cv_.wait_until(lock, next->due);
            continue;
        }
        job j = std::move(*next);
        jobs_.erase(next);
        busy_ = true;
        lock.unlock();
        const auto r = deliver(j.ep->config, j.a, settings_.delivery);
        lock.lock();
        busy_ = false;
        record(*j.ep, r);
        if (r.ok) {
            stats_.sent.fetch_add(1, std::memory_order_relaxed);
        } else if (j.attempt < j.ep->config.max_attempts) {
            ++j.ep->retries;
            stats_.retries.fetch_add(1, std::memory_order_relaxed);
            auto backoff = j.ep->config.initial_backoff;
            for (int i = 1; i < j.attempt && backoff < std::chrono::milliseconds(60'000); ++i) backoff *= 2;
            j.due = steady::now() + std::min(backoff, std::chrono::milliseconds(60'000));
            ++j.attempt;
            enqueue(std::move(j));
        } else {
            ++j.ep->failed;
            stats_.failed.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

}  // namespace wireflow::collector::alert
