#include "openapi.hpp"

#include "router.hpp"

#include <boost/json.hpp>

#include <cctype>

namespace wireflow::collector::http {

namespace bj = boost::json;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

bj::object error_response(std::string_view what) {
    return bj::object{{"description", what},
                      {"content", bj::object{{"application/json", bj::object{{"schema", bj::object{{"$ref", "#/components/schemas/Error"}}}}}}}};
}

// Query parameters whose form the schema states beyond "a string". The
// handlers check them (params.hpp); this only tells clients.
struct param_doc {
    std::string_view name, description, pattern;
};
constexpr param_doc param_docs[] = {
    {"ja3", "A TLS fingerprint: flows whose client JA3 or server JA3S is this MD5 (32 hex digits, any case)",
     "^[0-9A-Fa-f]{32}$"},
    {"country", "A country, ISO 3166-1 alpha-2 (any case): hosts located there; flows with either side there",
     "^[A-Za-z]{2}$"},
    {"asn", "An autonomous system number: hosts in it; flows with either side in it", "^[1-9][0-9]{0,9}$"},
};

bj::object query_param(std::string_view name) {
    bj::object schema{{"type", "string"}};
    bj::object p{{"name", name}, {"in", "query"}, {"required", false}};
    for (const auto& d : param_docs)
        if (d.name == name) {
            p["description"] = d.description;
            schema["pattern"] = d.pattern;
        }
    p["schema"] = std::move(schema);
    return p;
}

std::string build() {
    bj::object paths;
    for (const auto& r : api_routes()) {
        bj::object op;
        op["summary"] = r.summary;
        op["operationId"] = lower(bhttp::to_string(r.method)) + std::string(r.pattern);
        bj::array params;
        std::string_view p = r.pattern;
        for (std::size_t at = p.find('{'); at != std::string_view::npos; at = p.find('{', at + 1)) {
            const auto end = p.find('}', at);
            params.emplace_back(bj::object{{"name", p.substr(at + 1, end - at - 1)},
                                           {"in", "path"},
                                           {"required", true},
                                           {"schema", bj::object{{"type", "string"}}}});
        }
        std::string_view q = r.query_names;
        while (!q.empty()) {
            const auto sp = q.find(' ');
            params.emplace_back(query_param(q.substr(0, sp)));
            if (sp == std::string_view::npos) break;
            q.remove_prefix(sp + 1);
        }
        op["parameters"] = std::move(params);
        if (r.changes_state)
            op["requestBody"] = bj::object{{"required", false},
                                           {"content", bj::object{{"application/json", bj::object{{"schema", bj::object{{"type", "object"}}}}}}}};
        bj::object responses;
        responses["200"] = bj::object{{"description", "OK (JSON; lists are {total, items})"}};
        responses["400"] = error_response("invalid parameter or body");
        if (r.need != role::none) {
            responses["401"] = error_response("no valid session or token");
            responses["403"] = error_response("role too low, default password unchanged, or CSRF/origin check failed");
            op["security"] = bj::array{bj::object{{"cookie", bj::array{}}}, bj::object{{"bearer", bj::array{}}}};
        } else {
            op["security"] = bj::array{};
        }
        op["responses"] = std::move(responses);
        op["x-wireflow-role"] = to_string(r.need);
        op["x-wireflow-changes-state"] = r.changes_state;
        op["x-wireflow-before-password-change"] = r.before_password_change;
        auto& path = paths[r.pattern];
        if (!path.is_object()) path = bj::object{};
        path.as_object()[lower(bhttp::to_string(r.method))] = std::move(op);
    }
    bj::object doc;
    doc["openapi"] = "3.0.3";
    doc["info"] = bj::object{{"title", "wireflow collector API"}, {"version", "1"}};
    doc["paths"] = std::move(paths);
    doc["components"] = bj::object{
        {"securitySchemes",
         bj::object{{"cookie", bj::object{{"type", "apiKey"}, {"in", "cookie"}, {"name", "wf_session"}}},
                    {"bearer", bj::object{{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas", bj::object{{"Error", bj::object{{"type", "object"},
                                                     {"required", bj::array{"error", "message"}},
                                                     {"properties", bj::object{{"error", bj::object{{"type", "string"}}},
                                                                               {"message", bj::object{{"type", "string"}}}}}}}}}};
    return bj::serialize(doc);
}

}  // namespace

const std::string& openapi_document() {
    static const std::string doc = build();
    return doc;
}

}  // namespace wireflow::collector::http
