#pragma once
// The alert engine's counters (status, /metrics, the exit report). One writer
// per counter at a time; readers anywhere.

#include <atomic>
#include <cstdint>

namespace wireflow::collector::alert {

struct alert_engine_stats {
    std::atomic<std::uint64_t> engaged{0}, released{0}, one_shot{0}, suppressed_quiet{0};
    std::atomic<std::uint64_t> untracked_hosts{0}, db_errors{0}, pending_dropped{0};
};

}  // namespace wireflow::collector::alert
