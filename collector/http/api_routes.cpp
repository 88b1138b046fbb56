// THE list of API routes. Docs (/api/v1/openapi.json) and the security tests
// enumerate it; add a route here and nowhere else.
#include "handlers.hpp"
#include "router.hpp"

#include <array>

namespace wireflow::collector::http {

namespace {

using bhttp::verb;
namespace h = handlers;

constexpr std::string_view page = "limit offset sort order";

// method, pattern, role, changes state, allowed before the password change, summary, query names, handler
const std::array routes{
    route{verb::post, "/api/v1/login", role::none, true, true, "Log in: sets the wf_session cookie, returns the CSRF token", "", h::login},
    route{verb::post, "/api/v1/logout", role::none, true, true, "Log out: ends the session", "", h::logout},
    route{verb::get, "/api/v1/session", role::viewer, false, true, "The current user, role and CSRF token", "", h::session},
    route{verb::get, "/api/v1/status", role::viewer, false, false, "Collector status and counters", "", h::status},
    route{verb::get, "/api/v1/probes", role::viewer, false, false, "Probes with their ports, counters and up/down state", "", h::probes},
    route{verb::get, "/api/v1/hosts", role::viewer, false, false, "Live hosts: filter, sort, page", "limit offset sort order pool local q vlan country asn", h::hosts},
    route{verb::get, "/api/v1/hosts/{ip}", role::viewer, false, false, "One host with top peers, applications and recent flows", "vlan", h::host},
    route{verb::get, "/api/v1/flows", role::viewer, false, false,
          "Flows: ended (received in the last minutes, or from/to) or, with state=active, in progress (probe and pool filters, sort=throughput)",
          "limit offset sort order from to host vlan app port protocol blacklisted ja3 country asn state probe pool", h::flows},
    route{verb::get, "/api/v1/applications", role::viewer, false, false, "Top applications of the flows received in the last window_s seconds", "limit window_s", h::applications},
    route{verb::get, "/api/v1/pools", role::viewer, false, false, "Host pools with live counters", "", h::list_pools},
    route{verb::post, "/api/v1/pools", role::admin, true, false, "Create a pool {name, members?}", "", h::create_pool},
    route{verb::get, "/api/v1/pools/{id}", role::viewer, false, false, "One pool", "", h::get_pool},
    route{verb::put, "/api/v1/pools/{id}", role::admin, true, false, "Rename a pool {name}", "", h::update_pool},
    route{verb::delete_, "/api/v1/pools/{id}", role::admin, true, false, "Delete a pool (its hosts become unassigned)", "", h::delete_pool},
    route{verb::post, "/api/v1/pools/{id}/members", role::admin, true, false, "Add members {members: [...]}", "", h::add_pool_members},
    route{verb::delete_, "/api/v1/pools/{id}/members", role::admin, true, false, "Remove members {members: [...]} or ?member=", "member", h::remove_pool_members},
    route{verb::get, "/api/v1/devices/unassigned", role::viewer, false, false, "Local devices in no pool", "limit offset", h::unassigned_devices},
    route{verb::get, "/api/v1/alerts", role::viewer, false, false, "Alerts: filter, page (newest first)",
          "limit offset type severity entity_type entity_id state acknowledged from to", h::alerts},
    route{verb::post, "/api/v1/alerts/{id}/ack", role::admin, true, false, "Acknowledge an alert", "", h::ack_alert},
    route{verb::get, "/api/v1/preferences", role::viewer, false, false, "Alert switches, thresholds, notifications", "", h::get_preferences},
    route{verb::put, "/api/v1/preferences", role::admin, true, false, "Change preferences (partial document)", "", h::put_preferences},
    route{verb::get, "/api/v1/blacklists", role::viewer, false, false, "Blacklist sources and their state", "", h::blacklists},
    route{verb::post, "/api/v1/blacklists/reload", role::admin, true, false, "Reload every enabled blacklist now (in the background)", "", h::reload_blacklists},
    route{verb::put, "/api/v1/blacklists/{name}", role::admin, true, false, "Enable or disable a source {enabled}", "", h::update_blacklist},
    route{verb::get, "/api/v1/notifications", role::admin, false, false, "Notification endpoints with their delivery status", "", h::notification_endpoints},
    route{verb::post, "/api/v1/notifications/{name}/test", role::admin, true, false, "Send a test message to one endpoint now", "", h::test_notification},
    route{verb::get, "/api/v1/timeseries", role::viewer, false, false, "One time series in buckets", "metric scope id from to step", h::timeseries},
    route{verb::get, "/api/v1/users", role::admin, false, false, "Users", "", h::list_users},
    route{verb::post, "/api/v1/users", role::admin, true, false, "Create a user {name, role, password}", "", h::create_user},
    route{verb::put, "/api/v1/users/{name}", role::admin, true, false, "Change a user's role or disabled flag", "", h::update_user},
    route{verb::delete_, "/api/v1/users/{name}", role::admin, true, false, "Delete a user", "", h::delete_user},
    route{verb::post, "/api/v1/users/{name}/password", role::viewer, true, true, "Change a password (own: needs current_password; admin: anyone's)", "", h::change_password},
    route{verb::get, "/api/v1/tokens", role::admin, false, false, "API tokens (never the secrets)", "", h::list_tokens},
    route{verb::post, "/api/v1/tokens", role::admin, true, false, "Create an API token {name, expires_days?}: the secret is shown once", "", h::create_token},
    route{verb::delete_, "/api/v1/tokens/{id}", role::admin, true, false, "Revoke an API token", "", h::revoke_token},
    route{verb::get, "/api/v1/openapi.json", role::none, false, false, "This API as OpenAPI 3.0", "", h::openapi},
    route{verb::get, "/metrics", role::viewer, false, false, "Prometheus text exposition of the collector's counters", "", h::metrics},
};

}  // namespace

std::span<const route> api_routes() noexcept { return routes; }

}  // namespace wireflow::collector::http
