#pragma once
// The alert writer: the bounded queue of alert changes waiting for
// PostgreSQL, and the writes themselves (insert, update, release), each new
// or ended alert then handed to the notifier. The queue is filled under the
// engine's lock; write() runs without it, so a slow or absent PostgreSQL never
// blocks the hooks. What could not be written goes back to the front of the
// queue, with its flags, for the next tick; a full queue drops its oldest
// change (counted).

#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "alert/alert_ledger.hpp"
#include "alert/alert_stats.hpp"
#include "store/alert_store.hpp"

namespace wireflow::collector::alert {

class notifier;

// A queued change and a copy of the alert as it was when taken.
struct pending_write {
    record_ptr ptr;
    alert_record copy;
};

class alert_writer {
public:
    // `notify` may be null.
    alert_writer(alert_store& store, notifier* notify, std::size_t capacity, alert_engine_stats& stats)
        : store_(store), notify_(notify), capacity_(capacity == 0 ? 1 : capacity), stats_(stats) {}

    // Under the engine's lock.
    void queue(const record_ptr& r);
    [[nodiscard]] std::vector<pending_write> take();
    [[nodiscard]] std::size_t pending() const noexcept { return pending_.size(); }

    // Without the engine's lock: writes `work` in order; `lock` (the engine's)
    // is taken briefly to record ids and to put back what failed.
    void write(std::vector<pending_write>& work, std::mutex& lock) noexcept;

private:
    alert_store& store_;
    notifier* notify_;
    std::size_t capacity_;
    alert_engine_stats& stats_;
    std::deque<record_ptr> pending_;
};

}  // namespace wireflow::collector::alert
