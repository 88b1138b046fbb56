#pragma once
// The ledger of alerts: which are engaged, and when each one-shot alert was
// last raised. Windowed and status alerts are engaged while their condition
// holds (engage() again holds them, refreshing the message) and released
// after; one-shot alerts are engaged and released at once, at most once per
// (type, entity) per quiet period. Every change is handed to a sink (the
// alert writer's queue). Plain data: the engine owns and locks it.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "alert/alert_stats.hpp"
#include "alert/alert_types.hpp"
#include "alert/finding.hpp"
#include "store/alert_store.hpp"

namespace wireflow::collector::alert {

// An alert as the engine holds it, with what is still to be written.
struct alert_record {
    stored_alert a;
    check from{};
    bool written{false};         // inserted into PostgreSQL (a.id valid)
    bool update_pending{false};
    bool release_pending{false};
    bool queued{false};          // in the writer's queue
    bool seen{false};            // found again in the current window
};
using record_ptr = std::shared_ptr<alert_record>;
using record_sink = std::function<void(const record_ptr&)>;
using check_filter = std::function<bool(check)>;

class alert_ledger {
public:
    static constexpr std::size_t max_message_bytes = 1024;
    static constexpr std::size_t max_quiet_entries = 200'000;

    alert_ledger(record_sink changed, alert_engine_stats& stats) : changed_(std::move(changed)), stats_(stats) {}

    // Engages the alert of the finding, or holds it (marked seen; message,
    // severity and details refreshed, written again only when they changed).
    void engage(finding f, severity level, std::chrono::system_clock::time_point now);
    // Engaged and released at once, unless raised within the quiet period.
    void one_shot(finding f, severity level, std::chrono::seconds quiet, std::chrono::system_clock::time_point now);
    void release(const std::string& key, std::chrono::system_clock::time_point now);

    // At a window's close: windowed alerts not found in it end, and so do the
    // alerts of checks that are no longer active; the others start unseen.
    void close_window(const check_filter& active, std::chrono::system_clock::time_point now);
    // Alerts of event checks (not windowed) that are no longer active end.
    void release_inactive(const check_filter& active, std::chrono::system_clock::time_point now);
    // Forgets one-shot keys whose quiet period is over (bounds the table).
    void forget_quiet(std::chrono::seconds quiet, std::chrono::system_clock::time_point now);

    // An alert engaged before a restart: held, unseen, already written.
    void adopt(stored_alert a, check from);

    [[nodiscard]] std::vector<stored_alert> engaged() const;
    [[nodiscard]] std::size_t engaged_count() const noexcept { return engaged_.size(); }

private:
    void release(std::map<std::string, record_ptr>::iterator it, std::chrono::system_clock::time_point now);

    record_sink changed_;
    alert_engine_stats& stats_;
    std::map<std::string, record_ptr> engaged_;   // key: alert_key()
    std::unordered_map<std::string, std::chrono::system_clock::time_point> quiet_;   // one-shot key -> last raised
};

}  // namespace wireflow::collector::alert
