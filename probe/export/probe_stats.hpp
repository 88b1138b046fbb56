#pragma once
// The probe's names for the statistics both binaries share
// (common/records/probe_stats.hpp): the capture side fills ports and workers
// (stats callback), the exporter the export fields before encoding.

#include "records/probe_stats.hpp"

namespace wireflow::probe {

using port_stats = wireflow::probe_port_stats;
using worker_stats = wireflow::probe_worker_stats;
using wireflow::probe_stats;

}  // namespace wireflow::probe
