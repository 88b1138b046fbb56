#include "alert/alert_ledger.hpp"

#include "net/utf8.hpp"
#include "alert/window_checks.hpp"

namespace wireflow::collector::alert {

using clock = std::chrono::system_clock;

void alert_ledger::engage(finding f, severity level, clock::time_point now) {
    std::string key = alert_key(f.type, f.entity_type, f.entity_id);
    auto& slot = engaged_[key];
    const std::string sev(to_string(level));
    std::string message = net::sanitize_utf8(f.message, max_message_bytes);
    std::string det = boost::json::serialize(f.details);
    if (slot) {
        slot->seen = true;
        if (slot->a.message != message || slot->a.severity != sev || slot->a.details != det) {
            slot->a.message = std::move(message);
            slot->a.severity = sev;
            slot->a.details = std::move(det);
            slot->update_pending = true;
            changed_(slot);
        }
        return;
    }
    slot = std::make_shared<alert_record>();
    slot->from = f.from;
    slot->seen = true;
    slot->a.type = std::move(f.type);
    slot->a.severity = sev;
    slot->a.entity_type = std::move(f.entity_type);
    slot->a.entity_id = std::move(f.entity_id);
    slot->a.started_at = now;
    slot->a.message = std::move(message);
    slot->a.details = std::move(det);
    stats_.engaged.fetch_add(1, std::memory_order_relaxed);
    changed_(slot);
}

void alert_ledger::one_shot(finding f, severity level, std::chrono::seconds quiet, clock::time_point now) {
    std::string key = alert_key(f.type, f.entity_type, f.entity_id);
    if (const auto it = quiet_.find(key); it != quiet_.end() && now - it->second < quiet) {
        stats_.suppressed_quiet.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (quiet_.size() >= max_quiet_entries && !quiet_.count(key)) {
        stats_.suppressed_quiet.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    quiet_[key] = now;
    auto r = std::make_shared<alert_record>();
    r->from = f.from;
    r->a.type = std::move(f.type);
    r->a.severity = std::string(to_string(level));
    r->a.entity_type = std::move(f.entity_type);
    r->a.entity_id = std::move(f.entity_id);
    r->a.started_at = now;
    r->a.ended_at = now;
    r->a.message = net::sanitize_utf8(f.message, max_message_bytes);
    r->a.details = boost::json::serialize(f.details);
    stats_.one_shot.fetch_add(1, std::memory_order_relaxed);
    changed_(r);
}

void alert_ledger::release(std::map<std::string, record_ptr>::iterator it, clock::time_point now) {
    auto r = it->second;
    r->a.ended_at = now;
    r->release_pending = true;
    stats_.released.fetch_add(1, std::memory_order_relaxed);
    engaged_.erase(it);
    changed_(r);
}

void alert_ledger::release(const std::string& key, clock::time_point now) {
    if (const auto it = engaged_.find(key); it != engaged_.end()) release(it, now);
}

void alert_ledger::close_window(const check_filter& active, clock::time_point now) {
    for (auto it = engaged_.begin(); it != engaged_.end();) {
        auto next = std::next(it);
        const auto& r = *it->second;
        if ((windowed(r.from) && !r.seen) || !active(r.from)) release(it, now);
        else it->second->seen = false;
        it = next;
    }
}

void alert_ledger::release_inactive(const check_filter& active, clock::time_point now) {
    for (auto it = engaged_.begin(); it != engaged_.end();) {
        auto next = std::next(it);
        if (!windowed(it->second->from) && !active(it->second->from)) release(it, now);
        it = next;
    }
}

void alert_ledger::forget_quiet(std::chrono::seconds quiet, clock::time_point now) {
    for (auto it = quiet_.begin(); it != quiet_.end();) {
        if (now - it->second >= quiet) it = quiet_.erase(it);
        else ++it;
    }
}

void alert_ledger::adopt(stored_alert a, check from) {
    std::string key = alert_key(a.type, a.entity_type, a.entity_id);
    if (engaged_.count(key)) return;
    auto r = std::make_shared<alert_record>();
    r->from = from;
    r->a = std::move(a);
    r->written = true;
    r->seen = false;   // released at the end of the first window unless its condition holds
    engaged_.emplace(std::move(key), std::move(r));
}

std::vector<stored_alert> alert_ledger::engaged() const {
    std::vector<stored_alert> out;
    out.reserve(engaged_.size());
    for (const auto& [key, r] : engaged_) out.push_back(r->a);
    return out;
}

}  // namespace wireflow::collector::alert
