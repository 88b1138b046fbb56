#include "sequence_tracker.hpp"

#include <algorithm>

namespace wireflow::collector::ingest {

sequence_event sequence_tracker::observe(const std::string& probe_id, std::uint64_t boot_id, std::uint64_t sequence) {
    ++clock_;
    auto key = std::make_pair(probe_id, boot_id);
    auto it = streams_.find(key);
    if (it == streams_.end()) {
        if (streams_.size() >= max_streams_) {
            auto oldest = std::min_element(streams_.begin(), streams_.end(), [](const auto& a, const auto& b) {
                return a.second.last_touch < b.second.last_touch;
            });
            streams_.erase(oldest);
        }
        streams_.emplace(std::move(key), state{sequence, clock_});
        // A collector (re)start joins a stream mid-way: not a gap.
        return {sequence_event::first, 0};
    }
    auto& s = it->second;
    s.last_touch = clock_;
    if (sequence <= s.highest) return {sequence_event::repeat, 0};
    const std::uint64_t missing = sequence - s.highest - 1;
    s.highest = sequence;
    return missing == 0 ? sequence_event{sequence_event::in_order, 0} : sequence_event{sequence_event::gap, missing};
}

}  // namespace wireflow::collector::ingest
