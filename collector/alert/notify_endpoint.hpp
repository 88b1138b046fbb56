#pragma once
// A notification endpoint: where alerts are sent (a channel and its target),
// which ones (a minimum severity and an optional list of alert types) and how
// hard to try (attempts, first backoff). Endpoints come from the collector's
// --notify options, one per line (docs/user-guide.md, "Notifications"):
//
//   --notify=KIND TARGET [name=NAME] [min=SEVERITY] [types=TYPE,TYPE...]
//            [attempts=N] [backoff-ms=MS] [KIND-specific key=value...]
//
//   email      smtp://HOST:PORT or smtps://...  from=ADDR to=ADDR[,ADDR...]
//                                                [user=USER password-file=FILE]
//   slack | teams | discord | mattermost | webhook   http(s)://... (the hook URL)
//   telegram   https://api.telegram.org/bot<TOKEN>/sendMessage  chat=CHAT_ID
//   syslog     udp://HOST:PORT | tcp://HOST:PORT (RFC 5424) | local (syslog(3))

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_types.hpp"
#include "store/alert_store.hpp"

namespace wireflow::collector::alert {

enum class channel : std::uint8_t { email, slack, teams, discord, mattermost, telegram, webhook, syslog };
[[nodiscard]] std::string_view to_string(channel c) noexcept;
[[nodiscard]] std::optional<channel> parse_channel(std::string_view text) noexcept;

struct endpoint_config {
    std::string name;                      // unique; default: the kind
    channel kind{channel::webhook};
    std::string target;                    // URL, or for syslog udp://, tcp:// or "local"
    severity min_severity{severity::warning};
    std::vector<std::string> types;        // alert types sent; empty: all
    int max_attempts{5};                   // in all, the first included
    std::chrono::milliseconds initial_backoff{1000};   // doubles after each failure, at most 60 s
    // email
    std::string mail_from;
    std::vector<std::string> mail_to;
    std::string user;
    std::string password_file;             // read at each delivery, first line
    // telegram
    std::string chat_id;
};

// One --notify value; nothing and a one-line error when malformed.
[[nodiscard]] std::optional<endpoint_config> parse_endpoint(std::string_view text, std::string& error);

// All --notify values: names made unique (a second "slack" is an error unless
// named), a throw of std::invalid_argument naming the bad option.
[[nodiscard]] std::vector<endpoint_config> parse_endpoints(const std::vector<std::string>& options);

// Whether the endpoint wants this alert: at least its minimum severity, and
// one of its types when it lists some.
[[nodiscard]] bool wants(const endpoint_config& e, const stored_alert& a);

// The target without secrets, for status: a URL's path (tokens live there in
// Slack, Discord, Telegram and Teams hook URLs) and user info are cut.
[[nodiscard]] std::string redacted_target(const endpoint_config& e);

}  // namespace wireflow::collector::alert
