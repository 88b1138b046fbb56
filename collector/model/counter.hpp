#pragma once
// One row of the collector's counter table: the single list of counters that
// /api/v1/status, /metrics and the exit report are built from
// (collector/app/counter_table.cpp fills it).

#include <cstdint>
#include <string>

namespace wireflow::collector {

enum class counter_kind : std::uint8_t {
    counter,  // only grows; Prometheus name gets "_total"
    gauge,    // a level
    flag,     // 0 or 1; JSON true/false
};

struct counter_sample {
    std::string name;   // snake_case, no "_total": "batches_stored"
    std::string help;   // one sentence, for # HELP
    counter_kind kind{counter_kind::counter};
    std::uint64_t value{0};
    // A family of rows sharing `name`, one per label value (e.g. rejects by
    // reason); both empty for a single row.
    std::string label_name;
    std::string label_value;
};

}  // namespace wireflow::collector
