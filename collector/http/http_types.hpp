#pragma once
// The HTTP vocabulary shared by the server (web_server), the dispatcher
// (dispatch) and the handlers: Beast's string-body messages, the reply a
// handler builds, and api_error, the one way a handler says "4xx/5xx".

#include <boost/beast/http.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace wireflow::collector::http {

namespace bhttp = boost::beast::http;
using request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;

// What a handler returns; the dispatcher adds the security headers and
// turns it into a Beast response.
struct reply {
    unsigned status{200};
    std::string content_type{"application/json"};
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // e.g. Set-Cookie, Retry-After
};

// Thrown by handlers and parameter parsers; becomes
// {"error": code, "message": message} with `status`. Messages never echo
// unbounded client input (the JSON writer escapes what they quote).
class api_error : public std::runtime_error {
public:
    api_error(unsigned status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    [[nodiscard]] unsigned status() const noexcept { return status_; }
    [[nodiscard]] const std::string& code() const noexcept { return code_; }
    std::vector<std::pair<std::string, std::string>> headers;

private:
    unsigned status_;
    std::string code_;
};

// The connection a request came from.
struct client_info {
    std::string ip;   // peer address text
    bool tls{false};
};

}  // namespace wireflow::collector::http
