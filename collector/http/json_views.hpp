#pragma once
// One JSON shape per REST resource, built here and nowhere else (the OpenAPI
// document describes these). Times are unix seconds (doubles where the
// source has sub-second precision: *_ns / 1e9), addresses are text, counters
// are integers. Lists are {"total": N, "items": [...]} (list_view).

#include "aggregate/aggregator.hpp"
#include "app/pool_service.hpp"
#include "app/probes_view.hpp"
#include "blacklist/blacklist_loader.hpp"
#include "store/alert_store.hpp"
#include "store/flow_query.hpp"
#include "store/timeseries_store.hpp"
#include "store/user_store.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace wireflow::collector::http {

[[nodiscard]] boost::json::value list_view(std::uint64_t total, boost::json::array items);

[[nodiscard]] boost::json::object host_json(const aggregate::host_view& h, std::string_view pool_name);
[[nodiscard]] boost::json::object pool_json(const aggregate::pool_info& p);
[[nodiscard]] boost::json::object device_json(const app::unassigned_device& d);
[[nodiscard]] boost::json::object probe_json(const app::probe_view& p);
[[nodiscard]] boost::json::object flow_json(const flow_item& f);
[[nodiscard]] boost::json::object peer_json(const peer_total& p);
[[nodiscard]] boost::json::object alert_json(const stored_alert& a);
[[nodiscard]] boost::json::object blacklist_json(const blacklist::source_status& s);
[[nodiscard]] boost::json::object user_json(const stored_user& u);
[[nodiscard]] boost::json::object token_json(const stored_token& t);
[[nodiscard]] boost::json::object point_json(const ts_point& p);

[[nodiscard]] double unix_seconds(std::chrono::system_clock::time_point t) noexcept;
[[nodiscard]] double unix_seconds_ns(std::uint64_t ns) noexcept;

}  // namespace wireflow::collector::http
