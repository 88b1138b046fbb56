#pragma once
// The one scheduler of the collector's periodic work: host purge and
// persistence, time-series roll-up, retention, alert ticks, probe health,
// session purge, blacklist refresh, and one-off jobs such as a blacklist
// reload asked for over HTTP.
//
// Three lanes, each served by its own thread once start() ran:
//   quick       work of milliseconds (maintenance, alerts, probe health);
//   blocking    work that may take seconds (blacklist downloads, seals), so
//               a slow download never delays an alert tick;
//   background  work that may take minutes (merging a past day's flow
//               segments), so it never delays a seal or a reload.
// Within a lane tasks run one after the other, never concurrently.
//
// A periodic task first runs one period after the lane first looked at it
// and then every period after its previous run (no burst to catch up). An
// exception from a task is caught, counted and logged (rate-limited per
// task); the task runs again next period.
//
// run_due() is the whole decision "what runs now": the lane threads call it
// with the clock, tests call it with their own time points (no threads, no
// sleeping).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wireflow::collector::app {

class scheduler {
public:
    using clock = std::chrono::steady_clock;
    using wall_clock = std::chrono::system_clock;
    using task_fn = std::function<void(wall_clock::time_point now)>;
    enum class lane : std::uint8_t { quick, blocking, background };

    scheduler() = default;
    ~scheduler();  // stop()
    scheduler(const scheduler&) = delete;
    scheduler& operator=(const scheduler&) = delete;

    // Runs `fn` every `period` on lane `l`. Any time (also after start()).
    void every(std::string name, std::chrono::milliseconds period, task_fn fn, lane l = lane::quick);
    // Runs `fn` once, as soon as lane `l` is free. False (nothing queued)
    // when a job of that name is already waiting or running.
    bool once(std::string name, std::function<void()> fn, lane l = lane::blocking);

    // One thread per lane. stop() wakes them, waits for the task in
    // progress and joins; queued one-off jobs are dropped.
    void start();
    void stop() noexcept;

    // Runs the one-off jobs queued on `l`, then every periodic task of `l`
    // due at `now`. Returns how many ran. Not concurrently for one lane.
    std::size_t run_due(lane l, clock::time_point now, wall_clock::time_point wall);

    // Tasks and jobs that threw (each also logged).
    [[nodiscard]] std::uint64_t failures() const noexcept;

private:
    struct task {
        std::string name;
        std::chrono::milliseconds period;
        task_fn fn;
        lane where;
        bool armed{false};
        clock::time_point next{};
    };
    struct job {
        std::string name;
        std::function<void()> fn;
        lane where;
    };
    void serve(lane l);
    [[nodiscard]] clock::time_point wake_time(lane l, clock::time_point now) const;
    void report(const std::string& name, const char* what);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::unique_ptr<task>> tasks_;
    std::deque<job> jobs_;
    std::vector<std::string> running_jobs_;
    std::vector<std::thread> threads_;
    bool stopping_{false};
    std::uint64_t failures_{0};
    std::vector<std::pair<std::string, clock::time_point>> last_logged_;
};

}  // namespace wireflow::collector::app
