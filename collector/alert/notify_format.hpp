#pragma once
// What each channel receives for an alert: pure functions from the alert to
// the bytes sent, so each format is tested without a network.
//   webhook      our own JSON object (below)
//   slack        incoming webhook {"text": ...} (api.slack.com/messaging/webhooks)
//   mattermost   incoming webhook {"text": ..., "username": ...}
//   discord      execute webhook {"content": ... (at most 2000 characters), "username": ...}
//   teams        Workflows webhook: a message with one Adaptive Card attachment
//   telegram     Bot API sendMessage {"chat_id": ..., "text": ...}
//   email        an RFC 5322 message (CRLF lines, UTF-8 quoted-printable body)
//   syslog       an RFC 5424 message; over TCP framed by octet counting (RFC 6587 3.4.1)
//
// Webhook body (Content-Type: application/json):
//   {"id": 42, "type": "syn_scan_attacker", "severity": "warning",
//    "entity_type": "host", "entity_id": "10.0.0.1@0", "engaged": true,
//    "started_at": "2026-11-29T05:33:00Z", "ended_at": null,
//    "message": "...", "details": {...}}

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "store/alert_store.hpp"

namespace wireflow::collector::alert {

[[nodiscard]] std::string iso8601(std::chrono::system_clock::time_point t);

// One line for chat channels: "[warning] syn_scan_attacker host 10.0.0.1@0: message (ended)".
[[nodiscard]] std::string alert_line(const stored_alert& a);

[[nodiscard]] std::string webhook_body(const stored_alert& a);
[[nodiscard]] std::string slack_body(const stored_alert& a);
[[nodiscard]] std::string mattermost_body(const stored_alert& a);
[[nodiscard]] std::string discord_body(const stored_alert& a);
[[nodiscard]] std::string teams_body(const stored_alert& a);
[[nodiscard]] std::string telegram_body(const stored_alert& a, std::string_view chat_id);

// Headers and body of the e-mail, CRLF line ends, ready for SMTP DATA (dot
// lines are stuffed by libcurl).
[[nodiscard]] std::string email_message(const stored_alert& a, std::string_view from, const std::vector<std::string>& to,
                                        std::chrono::system_clock::time_point now, std::string_view message_id_host);

// RFC 5424 section 6: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM MSG
// with facility daemon (3), the alert's severity, MSGID the alert type and
// one SD element wireflow@32473 (the documentation enterprise number, RFC 5612).
[[nodiscard]] std::string syslog_message(const stored_alert& a, std::string_view hostname, std::string_view app_name,
                                         long procid, std::chrono::system_clock::time_point now);
// RFC 6587 3.4.1: "MSG-LEN SP SYSLOG-MSG".
[[nodiscard]] std::string octet_counted(std::string_view message);

// The alert a "send test message" sends: type notification_test, severity
// info, entity the endpoint's name.
[[nodiscard]] stored_alert test_alert(std::string_view endpoint_name, std::chrono::system_clock::time_point now);

}  // namespace wireflow::collector::alert
