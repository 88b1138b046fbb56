#pragma once
// The REST handlers, one function per route (the table is api_routes.cpp).
// Each reads its parameters with params.hpp (400 on anything malformed),
// calls the collector's parts and answers one JSON view (json_views.hpp).

#include "api.hpp"

namespace wireflow::collector::http::handlers {

// session.cpp: authentication and accounts
reply login(call& c);
reply logout(call& c);
reply session(call& c);
reply list_users(call& c);
reply create_user(call& c);
reply update_user(call& c);
reply delete_user(call& c);
reply change_password(call& c);
reply list_tokens(call& c);
reply create_token(call& c);
reply revoke_token(call& c);

// monitoring.cpp: what the collector sees
reply status(call& c);
reply probes(call& c);
reply hosts(call& c);
reply host(call& c);
reply flows(call& c);
reply applications(call& c);
reply timeseries(call& c);
reply metrics(call& c);
reply openapi(call& c);

// settings.cpp: pools, alerts, preferences, blacklists
reply list_pools(call& c);
reply create_pool(call& c);
reply get_pool(call& c);
reply update_pool(call& c);
reply delete_pool(call& c);
reply add_pool_members(call& c);
reply remove_pool_members(call& c);
reply unassigned_devices(call& c);
reply alerts(call& c);
reply ack_alert(call& c);
reply get_preferences(call& c);
reply put_preferences(call& c);
reply blacklists(call& c);
// notifications.cpp: notification endpoints
reply notification_endpoints(call& c);
reply test_notification(call& c);
reply reload_blacklists(call& c);
reply update_blacklist(call& c);

}  // namespace wireflow::collector::http::handlers
