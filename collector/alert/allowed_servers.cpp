#include "alert/allowed_servers.hpp"

namespace wireflow::collector::alert {
namespace {

constexpr std::array<std::string_view, service_count> service_names{"dns", "ntp", "smtp", "dhcp"};

std::optional<allowed_servers> fail(std::string& error, std::string text) {
    error = std::move(text);
    return std::nullopt;
}

}  // namespace

std::string_view to_string(service s) noexcept { return service_names[static_cast<std::size_t>(s)]; }

boost::json::object to_json(const allowed_servers& a) {
    boost::json::object out;
    for (std::size_t i = 0; i < service_count; ++i) {
        boost::json::array list;
        for (const auto& p : a.lists[i]) list.emplace_back(p.to_compact_string());
        out[service_names[i]] = std::move(list);
    }
    return out;
}

std::optional<allowed_servers> apply_json(const allowed_servers& base, const boost::json::value& v,
                                          std::string& error) {
    if (!v.is_object()) return fail(error, "allowed_servers: expected an object");
    allowed_servers out = base;
    for (const auto& [key, value] : v.get_object()) {
        std::size_t i = 0;
        while (i < service_count && service_names[i] != key) ++i;
        if (i == service_count) return fail(error, "allowed_servers: unknown service (dns, ntp, smtp, dhcp)");
        if (!value.is_array()) return fail(error, "allowed_servers." + std::string(key) + ": expected an array");
        if (value.get_array().size() > allowed_servers::max_per_service)
            return fail(error, "allowed_servers." + std::string(key) + ": at most 1000 entries");
        std::vector<net::ip_prefix> list;
        for (const auto& item : value.get_array()) {
            std::string why;
            const auto p = item.is_string() ? net::ip_prefix::parse(item.get_string(), &why) : std::nullopt;
            if (!p) return fail(error, "allowed_servers." + std::string(key) + ": " + (why.empty() ? "expected addresses" : why));
            list.push_back(*p);
        }
        out.lists[i] = std::move(list);
    }
    return out;
}

}  // namespace wireflow::collector::alert
