#include "params.hpp"

#include "net/ip_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <ctime>

namespace wireflow::collector::http {

namespace {

[[noreturn]] void bad(std::string_view name, std::string_view what) {
    throw api_error(400, "bad_parameter", std::string(name) + ": " + std::string(what));
}

}  // namespace

std::uint64_t parse_uint_or_400(std::string_view text, std::string_view what, std::uint64_t max) {
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || p != text.data() + text.size() || v > max)
        bad(what, "expects an integer from 0 to " + std::to_string(max));
    return v;
}

std::optional<std::uint64_t> read_uint(const query_params& q, std::string_view name, std::uint64_t max) {
    const auto* v = q.get(name);
    if (!v) return std::nullopt;
    return parse_uint_or_400(*v, name, max);
}

std::optional<std::int64_t> read_int(const query_params& q, std::string_view name, std::int64_t min,
                                     std::int64_t max) {
    const auto* v = q.get(name);
    if (!v) return std::nullopt;
    std::int64_t x = 0;
    const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
    if (v->empty() || ec != std::errc{} || p != v->data() + v->size() || x < min || x > max)
        bad(name, "expects an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return x;
}

std::optional<bool> read_bool(const query_params& q, std::string_view name) {
    const auto* v = q.get(name);
    if (!v) return std::nullopt;
    if (*v == "true" || *v == "1") return true;
    if (*v == "false" || *v == "0") return false;
    bad(name, "expects true or false");
}

std::string read_text(const query_params& q, std::string_view name, std::size_t max) {
    const auto* v = q.get(name);
    if (!v) return {};
    if (v->size() > max) bad(name, "longer than " + std::to_string(max) + " bytes");
    return *v;
}

std::string read_hex_digest(const query_params& q, std::string_view name, std::size_t digits) {
    const auto* v = q.get(name);
    if (!v) return {};
    std::string out = *v;
    bool ok = out.size() == digits;
    for (auto& ch : out) {
        if (ch >= 'A' && ch <= 'F') ch = static_cast<char>(ch - 'A' + 'a');
        ok = ok && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
    }
    if (!ok) bad(name, "expects " + std::to_string(digits) + " hexadecimal digits");
    return out;
}

std::string read_country(const query_params& q, std::string_view name) {
    const auto* v = q.get(name);
    if (!v) return {};
    std::string out = *v;
    bool ok = out.size() == 2;
    for (auto& ch : out) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        ok = ok && ch >= 'A' && ch <= 'Z';
    }
    if (!ok) bad(name, "expects a two-letter country code (ISO 3166-1 alpha-2), e.g. DE");
    return out;
}

std::optional<std::uint32_t> read_asn(const query_params& q, std::string_view name) {
    const auto* v = q.get(name);
    if (!v) return std::nullopt;
    const auto n = parse_uint_or_400(*v, name, 0xffffffffULL);
    if (n == 0) bad(name, "expects an AS number from 1 to 4294967295");
    return static_cast<std::uint32_t>(n);
}

std::string parse_ip_or_400(std::string_view text, std::string_view what) {
    // One address parser for the whole tree (common/net); answered in the
    // canonical text form (RFC 5952) the store and the live tables use.
    if (text.size() > 64) bad(what, "expects an IPv4 or IPv6 address");
    const auto ip = net::ip_address::parse(text);
    if (!ip) bad(what, "expects an IPv4 or IPv6 address");
    return ip->to_string();
}

std::optional<std::string> read_ip(const query_params& q, std::string_view name) {
    const auto* v = q.get(name);
    if (!v) return std::nullopt;
    return parse_ip_or_400(*v, name);
}

std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view t) {
    using namespace std::chrono;
    if (t.empty() || t.size() > 32) return std::nullopt;
    std::int64_t secs = 0;
    if (const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), secs);
        ec == std::errc{} && p == t.data() + t.size()) {
        if (secs < 0 || secs > 253402300799) return std::nullopt;  // up to 9999-12-31
        return system_clock::time_point(seconds(secs));
    }
    // RFC 3339, UTC only: YYYY-MM-DDTHH:MM:SSZ
    if (t.size() != 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
        t[16] != ':' || (t[19] != 'Z' && t[19] != 'z'))
        return std::nullopt;
    const auto num = [&](std::size_t at, std::size_t n, int& out) {
        const auto [p, ec] = std::from_chars(t.data() + at, t.data() + at + n, out);
        return ec == std::errc{} && p == t.data() + at + n;
    };
    int y, mo, d, h, mi, s;
    if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) || !num(17, 2, s))
        return std::nullopt;
    const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 59 || y < 1970) return std::nullopt;
    return sys_days(ymd) + hours(h) + minutes(mi) + seconds(s);
}

std::optional<std::chrono::system_clock::time_point> read_time(const query_params& q, std::string_view name) {
    const auto* v = q.get(name);
    if (!v) return std::nullopt;
    const auto t = parse_time(*v);
    if (!t) bad(name, "expects unix seconds or an RFC 3339 UTC time (2024-05-01T12:00:00Z)");
    return t;
}

page_params read_page(const query_params& q, std::initializer_list<std::string_view> sort_keys,
                      std::string_view default_sort, bool default_descending, std::size_t default_limit) {
    page_params p;
    p.limit = read_uint(q, "limit", max_page_limit).value_or(default_limit);
    if (p.limit == 0) bad("limit", "expects an integer from 1 to 1000");
    p.offset = read_uint(q, "offset", max_page_offset).value_or(0);
    p.sort = std::string(default_sort);
    p.descending = default_descending;
    if (const auto* s = q.get("sort")) {
        bool known = false;
        for (const auto k : sort_keys) known = known || k == *s;
        if (!known) {
            std::string keys;
            for (const auto k : sort_keys) keys += (keys.empty() ? "" : ", ") + std::string(k);
            bad("sort", "expects one of " + keys);
        }
        p.sort = *s;
    }
    if (const auto* o = q.get("order")) {
        if (*o == "asc") p.descending = false;
        else if (*o == "desc") p.descending = true;
        else bad("order", "expects asc or desc");
    }
    return p;
}

std::optional<std::string> field_string(const boost::json::object& o, std::string_view name, std::size_t max_bytes) {
    const auto* v = o.if_contains(name);
    if (!v) return std::nullopt;
    if (!v->is_string()) bad(name, "expects a string");
    const auto& s = v->get_string();
    if (s.size() > max_bytes) bad(name, "longer than " + std::to_string(max_bytes) + " bytes");
    if (std::string_view(s).find('\0') != std::string_view::npos) bad(name, "contains NUL");
    return std::string(s);
}

std::optional<bool> field_bool(const boost::json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (!v) return std::nullopt;
    if (!v->is_bool()) bad(name, "expects true or false");
    return v->get_bool();
}

std::optional<std::int64_t> field_int(const boost::json::object& o, std::string_view name, std::int64_t min,
                                      std::int64_t max) {
    const auto* v = o.if_contains(name);
    if (!v) return std::nullopt;
    std::int64_t x = 0;
    if (v->is_int64()) x = v->get_int64();
    else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(max)) x = static_cast<std::int64_t>(v->get_uint64());
    else bad(name, "expects an integer");
    if (x < min || x > max) bad(name, "expects an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return x;
}

void only_fields(const boost::json::object& o, std::initializer_list<std::string_view> known) {
    for (const auto& kv : o) {
        bool ok = false;
        for (const auto k : known) ok = ok || kv.key() == k;
        if (!ok) bad(clip_utf8(kv.key(), 64), "unknown field");
    }
}

}  // namespace wireflow::collector::http
