#include "scheduler.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <exception>

namespace wireflow::collector::app {

namespace {
// The longest a lane sleeps without looking (a task added by every() after
// start() is picked up within this).
constexpr auto max_sleep = std::chrono::milliseconds(500);
constexpr auto log_interval = std::chrono::seconds(60);
}  // namespace

scheduler::~scheduler() { stop(); }

void scheduler::every(std::string name, std::chrono::milliseconds period, task_fn fn, lane l) {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::make_unique<task>(task{std::move(name), period, std::move(fn), l}));
}

bool scheduler::once(std::string name, std::function<void()> fn, lane l) {
    {
        std::lock_guard lock(mutex_);
        if (std::find(running_jobs_.begin(), running_jobs_.end(), name) != running_jobs_.end()) return false;
        for (const auto& j : jobs_)
            if (j.name == name) return false;
        jobs_.push_back({std::move(name), std::move(fn), l});
    }
    wake_.notify_all();
    return true;
}

std::size_t scheduler::run_due(lane l, clock::time_point now, wall_clock::time_point wall) {
    std::size_t ran = 0;
    // One-off jobs first: someone is waiting for them.
    for (;;) {
        job j;
        {
            std::lock_guard lock(mutex_);
            const auto it = std::find_if(jobs_.begin(), jobs_.end(), [l](const job& x) { return x.where == l; });
            if (it == jobs_.end()) break;
            j = std::move(*it);
            jobs_.erase(it);
            running_jobs_.push_back(j.name);
        }
        try {
            j.fn();
        } catch (const std::exception& e) {
            report(j.name, e.what());
        }
        ++ran;
        std::lock_guard lock(mutex_);
        running_jobs_.erase(std::find(running_jobs_.begin(), running_jobs_.end(), j.name));
    }
    // Periodic tasks: the vector only grows and its elements never move
    // (unique_ptr), so a task runs without the lock held.
    std::size_t count = 0;
    {
        std::lock_guard lock(mutex_);
        count = tasks_.size();
    }
    for (std::size_t i = 0; i < count; ++i) {
        task* t = nullptr;
        {
            std::lock_guard lock(mutex_);
            t = tasks_[i].get();
        }
        if (t->where != l) continue;
        if (!t->armed) {
            t->armed = true;
            t->next = now + t->period;
            continue;
        }
        if (now < t->next) continue;
        t->next = now + t->period;
        try {
            t->fn(wall);
        } catch (const std::exception& e) {
            report(t->name, e.what());
        }
        ++ran;
    }
    return ran;
}

scheduler::clock::time_point scheduler::wake_time(lane l, clock::time_point now) const {
    auto at = now + max_sleep;
    for (const auto& t : tasks_)
        if (t->where == l && t->armed) at = std::min(at, t->next);
    return at;
}

void scheduler::serve(lane l) {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        run_due(l, clock::now(), wall_clock::now());
        lock.lock();
        if (stopping_) break;
        const bool job_waiting =
            std::any_of(jobs_.begin(), jobs_.end(), [l](const job& j) { return j.where == l; });
        if (job_waiting) continue;
        wake_.wait_until(lock, wake_time(l, clock::now()), [&] {
            return stopping_ || std::any_of(jobs_.begin(), jobs_.end(), [l](const job& j) { return j.where == l; });
        });
    }
}

void scheduler::start() {
    std::lock_guard lock(mutex_);
    if (!threads_.empty()) return;
    stopping_ = false;
    threads_.emplace_back([this] { serve(lane::quick); });
    threads_.emplace_back([this] { serve(lane::blocking); });
    threads_.emplace_back([this] { serve(lane::background); });
}

void scheduler::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

std::uint64_t scheduler::failures() const noexcept {
    std::lock_guard lock(mutex_);
    return failures_;
}

void scheduler::report(const std::string& name, const char* what) {
    const auto now = clock::now();
    std::lock_guard lock(mutex_);
    ++failures_;
    auto it = std::find_if(last_logged_.begin(), last_logged_.end(), [&](const auto& e) { return e.first == name; });
    if (it != last_logged_.end() && now - it->second < log_interval) return;
    if (it == last_logged_.end()) it = last_logged_.insert(last_logged_.end(), {name, now});
    it->second = now;
    std::fprintf(stderr, "wireflow-collector: %s: %s\n", name.c_str(), what);
}

}  // namespace wireflow::collector::app
