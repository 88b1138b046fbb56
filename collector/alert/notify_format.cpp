#include "alert/notify_format.hpp"

#include <ctime>

#include <boost/json.hpp>

#include "net/utf8.hpp"

namespace wireflow::collector::alert {
namespace {

namespace bj = boost::json;

std::tm utc(std::chrono::system_clock::time_point t) {
    const std::time_t s = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&s, &tm);
    return tm;
}

std::string title(const stored_alert& a) {
    std::string s = "[" + a.severity + "] " + a.type + " " + a.entity_type + " " + a.entity_id;
    if (a.ended_at) s += " (ended)";
    return s;
}

// Slack's mrkdwn: &, < and > are control characters in text.
std::string slack_escape(std::string_view in) {
    std::string out;
    for (const char c : in) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        out += b64[(v >> 6) & 63];
        out += b64[v & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += b64[(v >> 18) & 63];
        out += b64[(v >> 12) & 63];
        out += b64[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

bool plain_ascii(std::string_view s) {
    for (const char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
    return true;
}

// RFC 2047 encoded words of at most 45 bytes of text each (75 characters
// encoded), never splitting a UTF-8 character, folded with CRLF SP.
std::string encoded_words(std::string_view s) {
    std::string out;
    while (!s.empty()) {
        std::size_t n = std::min<std::size_t>(45, s.size());
        while (n < s.size() && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(s.substr(0, n)) + "?=";
        s.remove_prefix(n);
    }
    return out;
}

// RFC 5424 section 6: PRINTUSASCII fields, bounded; anything else becomes '_'.
std::string printusascii(std::string_view s, std::size_t max) {
    std::string out;
    for (const char c : s.substr(0, max)) out += (c > 32 && c < 127) ? c : '_';
    return out.empty() ? "-" : out;
}

// RFC 5424 section 6.3.3: '"', '\' and ']' are escaped in PARAM-VALUE.
std::string sd_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\' || c == ']') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

std::string iso8601(std::chrono::system_clock::time_point t) {
    const std::tm tm = utc(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string alert_line(const stored_alert& a) { return title(a) + ": " + a.message; }

std::string webhook_body(const stored_alert& a) {
    bj::value details;
    boost::system::error_code ec;
    details = bj::parse(a.details.empty() ? "{}" : a.details, ec);
    if (ec) details = bj::object{};
    return bj::serialize(bj::object{
        {"id", a.id},
        {"type", a.type},
        {"severity", a.severity},
        {"entity_type", a.entity_type},
        {"entity_id", a.entity_id},
        {"engaged", !a.ended_at.has_value()},
        {"started_at", iso8601(a.started_at)},
        {"ended_at", a.ended_at ? bj::value(iso8601(*a.ended_at)) : bj::value(nullptr)},
        {"message", a.message},
        {"details", std::move(details)},
    });
}

std::string slack_body(const stored_alert& a) { return bj::serialize(bj::object{{"text", slack_escape(alert_line(a))}}); }

std::string mattermost_body(const stored_alert& a) {
    return bj::serialize(bj::object{{"text", alert_line(a)}, {"username", "wireflow"}});
}

std::string discord_body(const stored_alert& a) {
    // Discord refuses content over 2000 characters; bytes bound characters.
    return bj::serialize(bj::object{{"content", net::sanitize_utf8(alert_line(a), 2000)}, {"username", "wireflow"}});
}

std::string teams_body(const stored_alert& a) {
    bj::array facts{
        bj::object{{"title", "Severity"}, {"value", a.severity}},
        bj::object{{"title", "Type"}, {"value", a.type}},
        bj::object{{"title", a.entity_type.empty() ? std::string("Entity") : a.entity_type}, {"value", a.entity_id}},
        bj::object{{"title", "Started"}, {"value", iso8601(a.started_at)}},
    };
    if (a.ended_at) facts.push_back(bj::object{{"title", "Ended"}, {"value", iso8601(*a.ended_at)}});
    bj::object card{
        {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
        {"type", "AdaptiveCard"},
        {"version", "1.4"},
        {"body", bj::array{bj::object{{"type", "TextBlock"}, {"text", title(a)}, {"weight", "Bolder"}, {"wrap", true}},
                           bj::object{{"type", "TextBlock"}, {"text", a.message}, {"wrap", true}},
                           bj::object{{"type", "FactSet"}, {"facts", std::move(facts)}}}},
    };
    return bj::serialize(bj::object{
        {"type", "message"},
        {"attachments", bj::array{bj::object{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                             {"contentUrl", nullptr},
                                             {"content", std::move(card)}}}},
    });
}

std::string telegram_body(const stored_alert& a, std::string_view chat_id) {
    return bj::serialize(bj::object{
        {"chat_id", chat_id}, {"text", net::sanitize_utf8(alert_line(a), 4096)}, {"disable_web_page_preview", true}});
}

std::string email_message(const stored_alert& a, std::string_view from, const std::vector<std::string>& to,
                          std::chrono::system_clock::time_point now, std::string_view message_id_host) {
    const std::tm tm = utc(now);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);   // RFC 5322 section 3.3
    std::string recipients;
    for (const auto& r : to) recipients += (recipients.empty() ? "" : ", ") + r;
    const std::string subject = "[wireflow] " + title(a);
    std::string body = alert_line(a) + "\r\n\r\nstarted: " + iso8601(a.started_at) + "\r\n";
    if (a.ended_at) body += "ended: " + iso8601(*a.ended_at) + "\r\n";
    body += "details: " + (a.details.empty() ? std::string("{}") : a.details) + "\r\n";
    std::string encoded = base64(body);
    std::string wrapped;
    for (std::size_t i = 0; i < encoded.size(); i += 76) wrapped += encoded.substr(i, 76) + "\r\n";
    const auto secs = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    std::string m;
    m += "Date: " + std::string(date) + "\r\n";
    m += "From: " + std::string(from) + "\r\n";
    m += "To: " + recipients + "\r\n";
    m += "Subject: " + (plain_ascii(subject) ? subject : encoded_words(subject)) + "\r\n";
    m += "Message-ID: <wireflow." + std::to_string(secs) + "." + std::to_string(a.id) + "@" +
         printusascii(message_id_host, 255) + ">\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=utf-8\r\n";
    m += "Content-Transfer-Encoding: base64\r\n";
    m += "\r\n";
    m += wrapped;
    return m;
}

std::string syslog_message(const stored_alert& a, std::string_view hostname, std::string_view app_name, long procid,
                           std::chrono::system_clock::time_point now) {
    const auto sev = [&]() -> int {   // RFC 5424 section 6.2.1
        if (a.severity == "critical") return 2;
        if (a.severity == "error") return 3;
        if (a.severity == "notice") return 5;
        if (a.severity == "info") return 6;
        return 4;
    }();
    constexpr int facility_daemon = 3;
    const std::tm tm = utc(now);
    char ts[40];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms));
    std::string m = "<" + std::to_string(facility_daemon * 8 + sev) + ">1 " + ts + frac + " " +
                    printusascii(hostname, 255) + " " + printusascii(app_name, 48) + " " +
                    std::to_string(procid) + " " + printusascii(a.type, 32) + " ";
    m += "[wireflow@32473 id=\"" + std::to_string(a.id) + "\" severity=\"" + sd_escape(a.severity) +
         "\" entity_type=\"" + sd_escape(a.entity_type) + "\" entity_id=\"" + sd_escape(a.entity_id) +
         "\" engaged=\"" + (a.ended_at ? "false" : "true") + "\"]";
    m += " \xEF\xBB\xBF";   // section 6.4: a UTF-8 MSG starts with the BOM
    m += a.message;
    return m;
}

std::string octet_counted(std::string_view message) {
    return std::to_string(message.size()) + " " + std::string(message);
}

stored_alert test_alert(std::string_view endpoint_name, std::chrono::system_clock::time_point now) {
    stored_alert a;
    a.type = "notification_test";
    a.severity = "info";
    a.entity_type = "endpoint";
    a.entity_id = std::string(endpoint_name);
    a.started_at = now;
    a.ended_at = now;
    a.message = "wireflow test message to endpoint " + std::string(endpoint_name);
    a.details = "{}";
    return a;
}

}  // namespace wireflow::collector::alert
