// The REST API's request path without a socket or a database: raw bytes
// through Beast's request parser with web_server's limits, then
// route_request (target and query parsing, the router table, authentication,
// CSRF and origin checks, the handlers) against route_test's in-memory
// collector (collector/http/route_fixture.hpp), the dashboard's files from
// the source tree's ui-static/.
//
// Input: up to four requests in a row on the same collector state (so a pool
// created by one can be changed by the next), each a credential byte and an
// HTTP/1.1 request. The byte picks what a logged-in client would add, since a
// fuzzer cannot guess a 256-bit token: 0 nothing, 1/2/3 the Bearer token of
// admin, viewer, or an admin who must still change the default password,
// 4 the admin's session cookie with its CSRF token, 5 the cookie alone;
// bit 3 marks a TLS connection.
//
// Findings: any 5xx (an exception no handler turned into a 4xx), a JSON
// answer that does not parse or carries a raw '<', and of course ASan/UBSan.
#include <sodium.h>

#include <boost/asio/buffer.hpp>
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

#include "fuzz_input.hpp"
#include "route_fixture.hpp"

using namespace wireflow::collector::http;
namespace bhttp = boost::beast::http;

// argon2id costs 64 MiB and tens of milliseconds per call by design; the
// fuzzer would spend its time there (every login, user creation and password
// change). This executable replaces libsodium's two entry points with a keyed
// BLAKE2b of the same shape: the code around them is what is under test.
extern "C" int crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char* const passwd,
                                 unsigned long long passwdlen, unsigned long long, size_t) {
    unsigned char h[32];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(passwd), passwdlen, nullptr, 0);
    std::memcpy(out, "$fuzz$", 6);
    sodium_bin2hex(out + 6, 65, h, sizeof h);
    return 0;
}
extern "C" int crypto_pwhash_str_verify(const char* str, const char* const passwd, unsigned long long passwdlen) {
    char again[crypto_pwhash_STRBYTES];
    (void)crypto_pwhash_str(again, passwd, passwdlen, 0, 0);
    return std::strcmp(str, again) == 0 ? 0 : -1;
}

namespace {

constexpr std::uint32_t header_limit = 8 * 1024;  // web_server.cpp's limits
constexpr std::uint64_t body_limit = 1024 * 1024;

// One request off the front of `buf`; nothing when the bytes are not one.
std::optional<request> next_request(boost::asio::const_buffer& buf) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(header_limit);
    parser.body_limit(body_limit);
    parser.eager(true);
    boost::beast::error_code ec;
    while (buf.size() != 0 && !parser.is_done()) {
        const std::size_t used = parser.put(buf, ec);
        buf += used;
        if (ec == bhttp::error::need_more && used != 0) ec = {};
        if (ec) break;
    }
    if (!parser.is_done()) {
        // The connection closes here: only a request without a length can end so.
        if ((ec && ec != bhttp::error::need_more) || !parser.got_some()) return std::nullopt;
        ec = {};
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return std::nullopt;
    }
    return parser.release();
}

void add_credentials(request& req, unsigned who, const testing::fixture& fx) {
    switch (who & 7) {
    case 1: req.set(bhttp::field::authorization, "Bearer " + fx.admin); break;
    case 2: req.set(bhttp::field::authorization, "Bearer " + fx.viewer); break;
    case 3: req.set(bhttp::field::authorization, "Bearer " + fx.fresh); break;
    case 4: req.set("X-CSRF-Token", auth_service::csrf_token(fx.admin_cookie)); [[fallthrough]];
    case 5: req.set(bhttp::field::cookie, "wf_session=" + fx.admin_cookie); break;
    default: break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    testing::fixture fx;  // a new collector per input: inputs do not depend on each other
    fx.svc.ui_dir = WIREFLOW_UI_DIR;
    boost::asio::const_buffer buf(data, size);
    for (int n = 0; n < 4 && buf.size() != 0; ++n) {
        const unsigned who = *static_cast<const std::uint8_t*>(buf.data());
        buf += 1;
        auto req = next_request(buf);
        if (!req) break;
        add_credentials(*req, who, fx);
        const response res = route_request(*req, client_info{"198.51.100.1", (who & 8) != 0}, fx.svc);
        FUZZ_CHECK(res.result_int() < 500);
        if (res[bhttp::field::content_type] == "application/json" && !res.body().empty()) {
            boost::system::error_code ec;
            (void)boost::json::parse(res.body(), ec);
            FUZZ_CHECK(!ec);
            FUZZ_CHECK(res.body().find('<') == std::string::npos);
        }
    }
    return 0;
}
