#pragma once
// One JSON shape per REST resource, built here and nowhere else (the OpenAPI
// document describes these). Times are unix seconds (doubles where the
// source has sub-second precision: *_ns / 1e9), addresses are text, counters
// are integers. Lists are {"total": N, "items": [...]} (list_view).

#include "collector_api.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace wireflow::collector::http {

[[nodiscard]] boost::json::value list_view(std::uint64_t total, boost::json::array items);

// A host in a list; host_detail_json adds what GET /api/v1/hosts/{ip} shows.
[[nodiscard]] boost::json::object host_json(const host_info& h);
[[nodiscard]] boost::json::object host_detail_json(const host_info& h, const std::vector<peer_total>& peers,
                                                   const std::vector<flow_item>& recent);
[[nodiscard]] boost::json::object pool_json(const pool_info& p);
[[nodiscard]] boost::json::object device_json(const device_info& d);
[[nodiscard]] boost::json::object probe_json(const probe_view& p);
[[nodiscard]] boost::json::object flow_json(const flow_item& f);
[[nodiscard]] boost::json::object peer_json(const peer_total& p);
[[nodiscard]] boost::json::object alert_json(const stored_alert& a);
// `secrets` false (viewers): the location (a URL may carry a key) is cut to
// its scheme and host or its file name, also inside last_error.
[[nodiscard]] boost::json::object blacklist_json(const blacklist_info& s, bool secrets);
// A URL or path without what may be secret: "https://hooks.example/…" (no
// user info, path or query), "…/name" for a file path; empty stays empty.
[[nodiscard]] std::string redact_location(std::string_view location);
[[nodiscard]] boost::json::object notification_endpoint_json(const notification_endpoint_info& e);
[[nodiscard]] boost::json::object app_total_json(const app_total& a);
[[nodiscard]] boost::json::object user_json(const stored_user& u);
[[nodiscard]] boost::json::object token_json(const stored_token& t);
[[nodiscard]] boost::json::object point_json(const ts_point& p);

[[nodiscard]] double unix_seconds(std::chrono::system_clock::time_point t) noexcept;
[[nodiscard]] double unix_seconds_ns(std::uint64_t ns) noexcept;

}  // namespace wireflow::collector::http
