#pragma once
// A probe's periodic statistics in the collector's model: the struct both
// binaries share (common/records/probe_stats.hpp), by its collector names.
// The decoder fills it from wireflow.v1.ProbeStats; the store keeps the
// latest per probe and a series; the status and /metrics views read it.

#include "records/probe_stats.hpp"

namespace wireflow::collector {

using wireflow::probe_port_stats;
using wireflow::probe_stats;
using wireflow::probe_worker_stats;

}  // namespace wireflow::collector
