#include "alert/alert_writer.hpp"

#include "alert/notifier.hpp"

namespace wireflow::collector::alert {

void alert_writer::queue(const record_ptr& r) {
    if (r->queued) return;
    if (pending_.size() >= capacity_) {
        pending_.front()->queued = false;
        pending_.pop_front();
        stats_.pending_dropped.fetch_add(1, std::memory_order_relaxed);
    }
    r->queued = true;
    pending_.push_back(r);
}

std::vector<pending_write> alert_writer::take() {
    std::vector<pending_write> work;
    work.reserve(pending_.size());
    for (auto& r : pending_) {
        work.push_back(pending_write{r, *r});   // a copy to write without the lock
        r->update_pending = false;
        r->release_pending = false;
        r->queued = false;
    }
    pending_.clear();
    return work;
}

void alert_writer::write(std::vector<pending_write>& work, std::mutex& lock) noexcept {
    std::size_t done = 0;
    try {
        for (; done < work.size(); ++done) {
            auto& [ptr, copy] = work[done];
            bool posted = false;
            if (!copy.written) {
                copy.a.id = store_.insert(copy.a);
                std::lock_guard guard(lock);
                ptr->a.id = copy.a.id;
                ptr->written = true;
                posted = true;
            } else {
                if (copy.update_pending) store_.update(copy.a.id, copy.a.severity, copy.a.message, copy.a.details);
                if (copy.release_pending && copy.a.ended_at) {
                    store_.release(copy.a.id, *copy.a.ended_at);
                    posted = true;
                }
            }
            if (posted && notify_) notify_->post(copy.a);
        }
    } catch (...) {
        stats_.db_errors.fetch_add(1, std::memory_order_relaxed);
        // Put the unwritten ones back, first in line, with their flags.
        std::lock_guard guard(lock);
        for (std::size_t i = work.size(); i-- > done;) {
            auto& [ptr, copy] = work[i];
            ptr->update_pending = ptr->update_pending || copy.update_pending;
            ptr->release_pending = ptr->release_pending || copy.release_pending;
            if (!ptr->queued) {
                ptr->queued = true;
                pending_.push_front(ptr);
            }
        }
    }
}

}  // namespace wireflow::collector::alert
