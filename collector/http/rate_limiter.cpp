#include "rate_limiter.hpp"

#include <algorithm>

namespace wireflow::collector::http {

void rate_limiter::prune(std::deque<clock::time_point>& q, clock::time_point now) const {
    while (!q.empty() && q.front() + window_ <= now) q.pop_front();
}

std::chrono::seconds rate_limiter::retry_after(std::string_view key, clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto it = failures_.find(std::string(key));
    if (it == failures_.end()) return std::chrono::seconds(0);
    prune(it->second, now);
    if (it->second.size() < max_failures_) return std::chrono::seconds(0);
    const auto wait = it->second.front() + window_ - now;
    const auto s = std::chrono::ceil<std::chrono::seconds>(wait);
    return std::max(s, std::chrono::seconds(1));
}

void rate_limiter::failure(std::string_view key, clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = failures_.find(std::string(key));
    if (it == failures_.end()) {
        if (failures_.size() >= max_keys_) make_room(now);
        it = failures_.emplace(std::string(key), std::deque<clock::time_point>{}).first;
    }
    prune(it->second, now);
    it->second.push_back(now);
    // Only the newest max_failures matter for the decision.
    while (it->second.size() > max_failures_) it->second.pop_front();
}

void rate_limiter::forget(std::string_view key) {
    std::lock_guard lock(mutex_);
    failures_.erase(std::string(key));
}

std::size_t rate_limiter::keys() const {
    std::lock_guard lock(mutex_);
    return failures_.size();
}

void rate_limiter::make_room(clock::time_point now) {
    for (auto it = failures_.begin(); it != failures_.end();) {
        prune(it->second, now);
        it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() < max_keys_) return;
    // Still full: drop the key whose latest failure is oldest.
    auto oldest = failures_.begin();
    for (auto it = failures_.begin(); it != failures_.end(); ++it)
        if (it->second.back() < oldest->second.back()) oldest = it;
    failures_.erase(oldest);
}

}  // namespace wireflow::collector::http
