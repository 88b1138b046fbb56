#include "flow_dpi_columns.hpp"

#include <string>

namespace wireflow::collector::flow_dpi_columns {

namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// encode(cert_sha1, 'hex'): 40 lower-case digits for the 20 bytes the
// writer stores; anything else (a row written by hand) reads as none.
std::optional<std::array<std::uint8_t, 20>> sha1_of(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    const std::string_view hex = f.c_str();
    if (hex.size() != 40) return std::nullopt;
    std::array<std::uint8_t, 20> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }

}  // namespace

details read(const pqxx::row& r, int at) {
    details d;
    const auto col = [&](int i) { return r[at + i]; };
    if (!col(0).is_null()) {
        const int v = col(0).as<int>();
        d.confidence = v > 0 && v <= max_dpi_confidence ? static_cast<dpi_confidence>(v) : dpi_confidence::unknown;
    }
    bool any_tls = false;
    for (int i = 1; i <= 9; ++i) any_tls = any_tls || !col(i).is_null();
    if (any_tls) {
        flow_tls& t = d.tls.emplace();
        if (!col(1).is_null()) t.version = static_cast<std::uint16_t>(col(1).as<int>());
        t.ja3_client = text(col(2));
        t.ja3_server = text(col(3));
        t.alpn = text(col(4));
        t.cert_subject = text(col(5));
        t.cert_issuer = text(col(6));
        if (!col(7).is_null()) t.cert_not_before_s = static_cast<std::uint64_t>(col(7).as<long long>());
        if (!col(8).is_null()) t.cert_not_after_s = static_cast<std::uint64_t>(col(8).as<long long>());
        t.cert_sha1 = sha1_of(col(9));
    }
    bool any_http = false;
    for (int i = 10; i <= 13; ++i) any_http = any_http || !col(i).is_null();
    if (any_http) {
        flow_http& h = d.http.emplace();
        h.method = text(col(10));
        h.url = text(col(11));
        h.user_agent = text(col(12));
        if (!col(13).is_null()) h.response_code = static_cast<std::uint16_t>(col(13).as<int>());
    }
    return d;
}

}  // namespace wireflow::collector::flow_dpi_columns
