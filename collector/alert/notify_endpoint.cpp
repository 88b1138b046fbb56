#include "alert/notify_endpoint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <set>
#include <stdexcept>

namespace wireflow::collector::alert {
namespace {

constexpr std::array<std::string_view, 8> channel_names{"email",      "slack",    "teams",   "discord",
                                                        "mattermost", "telegram", "webhook", "syslog"};

bool set_error(std::string& error, std::string text) {
    error = std::move(text);
    return false;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const auto at = s.find(sep);
        const auto word = s.substr(0, at);
        if (!word.empty()) out.push_back(word);
        if (at == std::string_view::npos) break;
        s.remove_prefix(at + 1);
    }
    return out;
}

bool positive_int(std::string_view v, long max, long& out) {
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc{} && p == v.data() + v.size() && out >= 1 && out <= max;
}

// host:port after a scheme, port required.
bool valid_host_port(std::string_view rest) {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    long port = 0;
    return positive_int(rest.substr(colon + 1), 65535, port);
}

bool check_target(const endpoint_config& e, std::string& error) {
    const std::string_view t = e.target;
    if (t.find_first_of(" \t\r\n") != std::string_view::npos || t.size() > 2048)
        return set_error(error, "target: blanks or longer than 2048 bytes");
    switch (e.kind) {
    case channel::email:
        if (!t.starts_with("smtp://") && !t.starts_with("smtps://"))
            return set_error(error, "email: target must be smtp://HOST:PORT or smtps://HOST:PORT");
        if (e.mail_from.empty() || e.mail_to.empty()) return set_error(error, "email: needs from= and to=");
        return true;
    case channel::syslog:
        if (t == "local") return true;
        if ((t.starts_with("udp://") || t.starts_with("tcp://")) && valid_host_port(t.substr(6))) return true;
        return set_error(error, "syslog: target must be udp://HOST:PORT, tcp://HOST:PORT or local");
    case channel::telegram:
        if (e.chat_id.empty()) return set_error(error, "telegram: needs chat=CHAT_ID");
        [[fallthrough]];
    default:
        if (!t.starts_with("http://") && !t.starts_with("https://"))
            return set_error(error, std::string(to_string(e.kind)) + ": target must be an http:// or https:// URL");
        return true;
    }
}

bool valid_address(std::string_view a) {
    return a.find('@') != std::string_view::npos && a.find_first_of("<>\r\n\" ,") == std::string_view::npos;
}

}  // namespace

std::string_view to_string(channel c) noexcept { return channel_names[static_cast<std::size_t>(c)]; }

std::optional<channel> parse_channel(std::string_view text) noexcept {
    for (std::size_t i = 0; i < channel_names.size(); ++i)
        if (channel_names[i] == text) return static_cast<channel>(i);
    return std::nullopt;
}

std::optional<endpoint_config> parse_endpoint(std::string_view text, std::string& error) {
    const auto words = split(text, ' ');
    if (words.size() < 2) return set_error(error, "expects KIND TARGET [key=value...]"), std::nullopt;
    endpoint_config e;
    const auto kind = parse_channel(words[0]);
    if (!kind)
        return set_error(error, "unknown kind '" + std::string(words[0].substr(0, 32)) +
                                    "' (email, slack, teams, discord, mattermost, telegram, webhook, syslog)"),
               std::nullopt;
    e.kind = *kind;
    e.name = std::string(words[0]);
    e.target = std::string(words[1]);
    for (std::size_t i = 2; i < words.size(); ++i) {
        const auto eq = words[i].find('=');
        if (eq == std::string_view::npos || eq == 0)
            return set_error(error, "expects key=value, got '" + std::string(words[i].substr(0, 64)) + "'"), std::nullopt;
        const auto key = words[i].substr(0, eq);
        const auto value = words[i].substr(eq + 1);
        long n = 0;
        bool ok = !value.empty();
        if (key == "name") {
            ok = ok && value.size() <= 64 &&
                 std::all_of(value.begin(), value.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
                 });
            e.name = std::string(value);
        } else if (key == "min") {
            const auto s = parse_severity(value);
            ok = ok && s.has_value();
            if (s) e.min_severity = *s;
        } else if (key == "types") {
            for (auto t : split(value, ',')) e.types.emplace_back(t);
        } else if (key == "attempts") {
            ok = ok && positive_int(value, 100, n);
            e.max_attempts = static_cast<int>(n);
        } else if (key == "backoff-ms") {
            ok = ok && positive_int(value, 3'600'000, n);
            e.initial_backoff = std::chrono::milliseconds(n);
        } else if (key == "from" && e.kind == channel::email) {
            ok = ok && valid_address(value);
            e.mail_from = std::string(value);
        } else if (key == "to" && e.kind == channel::email) {
            for (auto t : split(value, ',')) {
                ok = ok && valid_address(t);
                e.mail_to.emplace_back(t);
            }
        } else if (key == "user" && e.kind == channel::email) {
            e.user = std::string(value);
        } else if (key == "password-file" && e.kind == channel::email) {
            e.password_file = std::string(value);
        } else if (key == "chat" && e.kind == channel::telegram) {
            ok = ok && value.size() <= 64 && value.find_first_of("\"\\") == std::string_view::npos;
            e.chat_id = std::string(value);
        } else {
            return set_error(error, "unknown key '" + std::string(key.substr(0, 32)) + "' for " +
                                        std::string(to_string(e.kind))),
                   std::nullopt;
        }
        if (!ok) return set_error(error, "bad value for " + std::string(key)), std::nullopt;
    }
    if (!check_target(e, error)) return std::nullopt;
    return e;
}

std::vector<endpoint_config> parse_endpoints(const std::vector<std::string>& options) {
    std::vector<endpoint_config> out;
    std::set<std::string> names;
    for (const auto& text : options) {
        std::string error;
        auto e = parse_endpoint(text, error);
        if (!e) throw std::invalid_argument("--notify: " + error);
        if (!names.insert(e->name).second)
            throw std::invalid_argument("--notify: two endpoints named '" + e->name + "': add name=... to one");
        out.push_back(std::move(*e));
    }
    return out;
}

bool wants(const endpoint_config& e, const stored_alert& a) {
    const auto s = parse_severity(a.severity).value_or(severity::warning);
    if (s < e.min_severity) return false;
    return e.types.empty() || std::find(e.types.begin(), e.types.end(), a.type) != e.types.end();
}

std::string redacted_target(const endpoint_config& e) {
    const auto scheme = e.target.find("://");
    if (scheme == std::string::npos) return e.target;
    std::string rest = e.target.substr(scheme + 3);
    if (const auto at = rest.find('@'); at != std::string::npos && at < rest.find('/')) rest = rest.substr(at + 1);
    const auto slash = rest.find('/');
    std::string out = e.target.substr(0, scheme + 3) + rest.substr(0, slash);
    if (slash != std::string::npos) out += "/...";
    return out;
}

}  // namespace wireflow::collector::alert
