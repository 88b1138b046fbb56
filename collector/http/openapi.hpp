#pragma once
// The OpenAPI 3.0 document of the REST API, generated from the router table
// (api_routes()), so it cannot drift from what the server routes. Each
// operation carries x-wireflow-role, x-wireflow-changes-state and
// x-wireflow-before-password-change, which the API tests compare with the
// server's behaviour.

#include <string>

namespace wireflow::collector::http {

[[nodiscard]] const std::string& openapi_document();

}  // namespace wireflow::collector::http
