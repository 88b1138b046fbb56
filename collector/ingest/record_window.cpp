#include "record_window.hpp"

namespace wireflow::collector::ingest {

bool records_in_window(std::span<const flow_record> rows, std::uint64_t now_ns, const record_window& w) noexcept {
    const auto future_ns = static_cast<std::uint64_t>(std::chrono::nanoseconds(w.max_future).count());
    const auto age_ns = static_cast<std::uint64_t>(std::chrono::nanoseconds(w.max_age).count());
    const std::uint64_t earliest = now_ns > age_ns ? now_ns - age_ns : 0;
    const std::uint64_t latest = now_ns + future_ns;
    for (const auto& r : rows)
        if (r.first_seen_ns < earliest || r.last_seen_ns > latest) return false;
    return true;
}

}  // namespace wireflow::collector::ingest
