#include "cidr.hpp"

#include "text.hpp"

#include <charconv>

namespace wireflow::collector::aggregate {

namespace {
void set_error(std::string* error, std::string msg) {
    if (error != nullptr) *error = std::move(msg);
}
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
// Quote hostile input in messages without letting it run long.
std::string quoted(std::string_view s) {
    std::string q = "'";
    q.append(s.substr(0, 64));
    if (s.size() > 64) q += "...";
    q += "'";
    return q;
}
}  // namespace

std::optional<cidr> cidr::parse(std::string_view text, std::string* error) {
    const auto slash = text.find('/');
    const auto addr_text = text.substr(0, slash);
    const auto addr = ip_address::parse(addr_text);
    if (!addr) {
        set_error(error, concat({"invalid IP address ", quoted(addr_text), " in ", quoted(text)}));
        return std::nullopt;
    }
    unsigned prefix = addr->bit_width();
    if (slash != std::string_view::npos) {
        const auto len_text = text.substr(slash + 1);
        unsigned v = 0;
        const auto* end = len_text.data() + len_text.size();
        const auto [p, ec] = std::from_chars(len_text.data(), end, v);
        if (len_text.empty() || len_text.size() > 3 || ec != std::errc{} || p != end) {
            set_error(error, concat({"invalid prefix length in ", quoted(text)}));
            return std::nullopt;
        }
        if (v > addr->bit_width()) {
            set_error(error, concat({"prefix length ", std::to_string(v), " exceeds ",
                                         std::to_string(addr->bit_width()), " in ", quoted(text)}));
            return std::nullopt;
        }
        prefix = v;
    }
    const ip_address net = addr->masked(prefix);
    if (net != *addr) {
        set_error(error, concat({"host bits set in ", quoted(text), " (did you mean ", net.to_string(), "/",
                                     std::to_string(prefix), "?)"}));
        return std::nullopt;
    }
    return cidr{net, static_cast<std::uint8_t>(prefix)};
}

std::string cidr::to_string() const {
    if (prefix == network.bit_width()) return network.to_string();
    return concat({network.to_string(), "/", std::to_string(prefix)});
}

std::optional<local_networks> local_networks::parse(std::string_view text, std::string* error) {
    std::vector<cidr> nets;
    text = trim(text);
    if (text.empty()) return local_networks{};
    while (true) {
        const auto comma = text.find(',');
        const auto item = trim(text.substr(0, comma));
        if (item.empty()) {
            set_error(error, "empty item in local networks list");
            return std::nullopt;
        }
        std::string why;
        auto c = cidr::parse(item, &why);
        if (!c) {
            set_error(error, concat({"local networks: ", why}));
            return std::nullopt;
        }
        nets.push_back(*c);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return local_networks{std::move(nets)};
}

}  // namespace wireflow::collector::aggregate
