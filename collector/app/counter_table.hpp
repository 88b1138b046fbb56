#pragma once
// The counter table: every counter the collector reports, once, with its
// help text. Status, /metrics and the exit report are views of it.

#include "aggregate/active_flows.hpp"
#include "alert/alert_engine.hpp"
#include "http/http_stats.hpp"
#include "ingest/collector_stats.hpp"
#include "model/counter.hpp"

#include <span>
#include <string>
#include <vector>

namespace wireflow::collector::app {

[[nodiscard]] std::vector<counter_sample> counter_table(const ingest::collector_stats& s, std::size_t hosts,
                                                        const alert::alert_engine_stats& a, std::size_t alerts_engaged);

// The HTTP layer's refusals (http_stats), appended to the table.
void add_http_counters(std::vector<counter_sample>& table, const http::http_stats& s);

// The active-flow table (issue 15): reports received and the table's own counters.
void add_active_flow_counters(std::vector<counter_sample>& table, std::uint64_t reports_received,
                              const aggregate::active_flows_counters& c, std::size_t size);

// "wireflow-collector: counters name=value ..." (a family's rows as
// name_labelvalue=value): the machine-readable exit report.
[[nodiscard]] std::string counters_line(std::span<const counter_sample> table);

}  // namespace wireflow::collector::app
