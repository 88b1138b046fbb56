// Handlers: notification endpoints (their status, a test message). Admin
// only: an endpoint's target names where alerts go, even redacted.
#include "handlers.hpp"
#include "json_views.hpp"
#include "params.hpp"

namespace wireflow::collector::http::handlers {

namespace bj = boost::json;

reply notification_endpoints(call& c) {
    const auto list = c.svc.api.notification_endpoints();
    bj::array items;
    for (const auto& e : list) items.emplace_back(notification_endpoint_json(e));
    return json_reply(list_view(list.size(), std::move(items)));
}

reply test_notification(call& c) {
    if (!c.req.body().empty()) only_fields(c.body(), {});
    const auto result = c.svc.api.test_notification(c.param("name"));
    if (!result) throw api_error(404, "not_found", "no such notification endpoint");
    // The delivery's outcome is the answer, not an HTTP error: the request
    // itself worked. The endpoint's status keeps it too.
    return json_reply(bj::object{{"ok", result->ok}, {"error", result->error}});
}

}  // namespace wireflow::collector::http::handlers
