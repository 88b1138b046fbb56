#include "router.hpp"

namespace wireflow::collector::http {

std::string_view to_string(role r) noexcept {
    switch (r) {
    case role::none: return "none";
    case role::viewer: return "viewer";
    case role::admin: return "admin";
    }
    return "admin";
}

bool accepts_query_name(const route& r, std::string_view name) noexcept {
    std::string_view list = r.query_names;
    while (!list.empty()) {
        const auto sp = list.find(' ');
        if (list.substr(0, sp) == name) return true;
        if (sp == std::string_view::npos) break;
        list.remove_prefix(sp + 1);
    }
    return false;
}

bool match_pattern(std::string_view pattern, std::string_view path, path_params* params) {
    if (params) params->clear();
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    while (true) {
        const auto pe = pattern.find('/');
        const auto se = path.find('/');
        const std::string_view p = pattern.substr(0, pe);
        const std::string_view s = path.substr(0, se);
        if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
            if (s.empty()) return false;
            if (params) params->emplace_back(p.substr(1, p.size() - 2), std::string(s));
        } else if (p != s) {
            return false;
        }
        if ((pe == std::string_view::npos) != (se == std::string_view::npos)) return false;  // segment counts differ
        if (pe == std::string_view::npos) return true;
        pattern.remove_prefix(pe + 1);
        path.remove_prefix(se + 1);
    }
}

route_match match_route(std::span<const route> table, bhttp::verb method, std::string_view path) {
    route_match m;
    const bhttp::verb want = method == bhttp::verb::head ? bhttp::verb::get : method;
    path_params params;
    for (const auto& r : table) {
        if (!match_pattern(r.pattern, path, &params)) continue;
        m.path_exists = true;
        if (r.method == want) {
            m.found = &r;
            m.params = std::move(params);
            return m;
        }
    }
    return m;
}

}  // namespace wireflow::collector::http
