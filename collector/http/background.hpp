#pragma once
// Runs one long job at a time on its own thread, off the HTTP threads (a
// blacklist reload downloads lists: seconds, not milliseconds). start()
// refuses a second job while one runs; the destructor waits for the job.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace wireflow::collector::http {

class background_runner {
public:
    background_runner() = default;
    background_runner(const background_runner&) = delete;
    background_runner& operator=(const background_runner&) = delete;
    ~background_runner() {
        std::lock_guard lock(mutex_);
        if (worker_.joinable()) worker_.join();
    }

    // False when a job is still running.
    bool start(std::function<void()> job) {
        std::lock_guard lock(mutex_);
        if (running_) return false;
        if (worker_.joinable()) worker_.join();
        running_ = true;
        worker_ = std::thread([this, job = std::move(job)] {
            try {
                job();
            } catch (...) {
                // the job reports its own failures (status, alerts)
            }
            running_ = false;
        });
        return true;
    }
    [[nodiscard]] bool running() const noexcept { return running_; }

private:
    std::mutex mutex_;
    std::thread worker_;
    std::atomic<bool> running_{false};
};

}  // namespace wireflow::collector::http
