#include "net/local_networks.hpp"

namespace wireflow::net {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
}  // namespace

std::optional<local_networks> local_networks::parse(std::string_view text, std::string* error) {
    std::vector<ip_prefix> nets;
    text = trim(text);
    if (text.empty()) return local_networks{};
    while (true) {
        const auto comma = text.find(',');
        const auto item = trim(text.substr(0, comma));
        std::string why = "empty item in local networks list";
        const auto net = item.empty() ? std::nullopt : ip_prefix::parse(item, &why);
        if (!net) {
            if (error != nullptr) *error = std::string("local networks: ") + why;
            return std::nullopt;
        }
        nets.push_back(*net);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return local_networks{std::move(nets)};
}

}  // namespace wireflow::net
