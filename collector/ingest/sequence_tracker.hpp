#pragma once
// Per (probe_id, boot_id) batch sequence tracking, for statistics only: the
// store's ingested_batches table is what de-duplicates. Probes number batches
// 1, 2, 3 ... per boot without gaps, so a jump means batches lost on the way
// (or still in the probe's re-send queue), and a number at or below the
// highest seen means a re-send or reordering.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace wireflow::collector::ingest {

struct sequence_event {
    enum kind_t : std::uint8_t { first, in_order, gap, repeat } kind;
    std::uint64_t missing{0};  // for gap: how many numbers were skipped
};

class sequence_tracker {
public:
    // Bounded: a hostile sender inventing boot ids cannot grow it without end;
    // the least recently seen stream is forgotten first.
    explicit sequence_tracker(std::size_t max_streams = 4096) : max_streams_(max_streams) {}

    sequence_event observe(const std::string& probe_id, std::uint64_t boot_id, std::uint64_t sequence);
    [[nodiscard]] std::size_t streams() const { return streams_.size(); }

private:
    struct state {
        std::uint64_t highest;
        std::uint64_t last_touch;
    };
    std::size_t max_streams_;
    std::uint64_t clock_{0};
    std::map<std::pair<std::string, std::uint64_t>, state> streams_;
};

}  // namespace wireflow::collector::ingest
