#include "static_files.hpp"

#include "api.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace wireflow::collector::http {

std::string_view content_type_for(std::string_view name) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> types{{
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".webp", "image/webp"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
    }};
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return {};
    const auto ext = name.substr(dot);
    for (const auto& [e, t] : types)
        if (e == ext) return t;
    return {};
}

bool development_file(std::string_view rel) noexcept {
    std::string_view rest = rel;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        if (segment == "node_modules") return true;
        if (slash == std::string_view::npos) {
            if (segment.starts_with("package") && segment.ends_with(".json")) return true;
            break;
        }
        rest.remove_prefix(slash + 1);
    }
    return false;
}

reply serve_static(const std::string& root, bhttp::verb method, std::string_view path) {
    if (method != bhttp::verb::get && method != bhttp::verb::head) {
        auto r = error_reply(405, "method_not_allowed", "static files are read-only");
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    }
    const reply not_found = error_reply(404, "not_found", "no such file");
    if (root.empty()) return not_found;
    std::string rel = path == "/" ? std::string("index.html") : std::string(path.substr(1));
    // Hidden segments (dot files) are never part of the dashboard, nor is
    // what npm leaves in ui-static/ for the browser tests: node_modules/ and
    // package.json / package-lock.json (issue 13, finding 12: they tell
    // versions and hold code nobody reviewed for serving).
    if (rel.front() == '.' || rel.find("/.") != std::string::npos) return not_found;
    if (development_file(rel)) return not_found;
    const auto type = content_type_for(rel);
    if (type.empty()) return not_found;

    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path real = fs::canonical(fs::path(root) / rel, ec);
    if (ec) return not_found;
    const std::string& s = real.native();
    if (s.size() <= root.size() || s.compare(0, root.size(), root) != 0 || s[root.size()] != '/') return not_found;
    if (!fs::is_regular_file(real, ec) || ec) return not_found;
    const auto size = fs::file_size(real, ec);
    if (ec || size > max_static_file_bytes) return not_found;
    std::ifstream in(real, std::ios::binary);
    if (!in) return not_found;
    reply r;
    r.content_type = std::string(type);
    r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    // Revalidate each time: a new deployment is seen at the next load.
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
}

}  // namespace wireflow::collector::http
