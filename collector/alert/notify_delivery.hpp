#pragma once
// One delivery attempt of one alert to one endpoint, blocking (the
// notifier's thread, or the caller of a test message): HTTP POST of the
// channel's JSON (libcurl, collector/blacklist/fetch), SMTP (libcurl), or
// syslog over UDP (one datagram, RFC 5426), TCP (a connection per message,
// octet counting, RFC 6587) or syslog(3).

#include <chrono>
#include <string>

#include "alert/notify_endpoint.hpp"
#include "store/alert_store.hpp"

namespace wireflow::collector::alert {

struct delivery_settings {
    std::chrono::seconds timeout{10};
    std::string hostname;                          // syslog HOSTNAME, Message-ID; empty: gethostname()
    std::string app_name{"wireflow-collector"};
    // --notify-allow-internal: webhooks may reach loopback, link-local and
    // cloud metadata addresses (blacklist::fetch_settings::refuse_internal).
    bool allow_internal{false};
};

struct delivery_result {
    bool ok{false};
    std::string error;   // one line; empty when ok
};

[[nodiscard]] delivery_result deliver(const endpoint_config& e, const stored_alert& a, const delivery_settings& s);

}  // namespace wireflow::collector::alert
