#pragma once
// Typed reading of query parameters and JSON body fields for the handlers.
// Every failure throws api_error 400 naming the parameter, so a wrong type,
// a negative limit or an unknown sort key is a 400 and never a 500.

#include "http_types.hpp"
#include "path.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace wireflow::collector::http {

inline constexpr std::size_t max_page_limit = 1000;
// Deeper pages make PostgreSQL read and drop every row before them (issue
// 13, finding 10): beyond this, narrow the filter or the time range.
inline constexpr std::size_t max_page_offset = 10'000;
// The widest from/to of a flow search: the dashboard's longest choice
// ("Last 30 days") with a day to spare. Every daily partition in it is read.
inline constexpr std::chrono::seconds max_flow_range{31 * 86400};
// Host details: top peers and recent flows of the week before the host was last seen.
inline constexpr std::chrono::seconds host_detail_window{7 * 86400};

struct page_params {
    std::size_t limit{50};
    std::size_t offset{0};
    std::string sort;       // one of the allowed keys
    bool descending{true};
};

// limit (1..1000), offset (0..max_page_offset), sort (one of `sort_keys`), order (asc|desc).
[[nodiscard]] page_params read_page(const query_params& q, std::initializer_list<std::string_view> sort_keys,
                                    std::string_view default_sort, bool default_descending = true,
                                    std::size_t default_limit = 50);

[[nodiscard]] std::optional<std::uint64_t> read_uint(const query_params& q, std::string_view name, std::uint64_t max);
[[nodiscard]] std::optional<std::int64_t> read_int(const query_params& q, std::string_view name, std::int64_t min,
                                                   std::int64_t max);
[[nodiscard]] std::optional<bool> read_bool(const query_params& q, std::string_view name);
// A bounded text parameter (max bytes); empty when absent.
[[nodiscard]] std::string read_text(const query_params& q, std::string_view name, std::size_t max);
// A digest in hex (a JA3 fingerprint: 32 digits): exactly `digits` hex
// digits, answered lower-case as the store keeps them; empty when absent.
[[nodiscard]] std::string read_hex_digest(const query_params& q, std::string_view name, std::size_t digits);
// A country: exactly two ASCII letters (ISO 3166-1 alpha-2), answered upper
// case as the collector keeps them; empty when absent.
[[nodiscard]] std::string read_country(const query_params& q, std::string_view name);
// An autonomous system number, 1 to 4294967295 (RFC 6793); AS 0 is reserved (RFC 7607).
[[nodiscard]] std::optional<std::uint32_t> read_asn(const query_params& q, std::string_view name);
// An IPv4 or IPv6 address, as canonical text.
[[nodiscard]] std::optional<std::string> read_ip(const query_params& q, std::string_view name);
// Unix seconds (integer) or RFC 3339 UTC "2024-05-01T12:00:00Z".
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> read_time(const query_params& q,
                                                                            std::string_view name);
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text);
[[nodiscard]] std::string parse_ip_or_400(std::string_view text, std::string_view what);
[[nodiscard]] std::uint64_t parse_uint_or_400(std::string_view text, std::string_view what, std::uint64_t max);

// JSON body fields: absent -> nullopt; wrong type -> 400.
[[nodiscard]] std::optional<std::string> field_string(const boost::json::object& o, std::string_view name,
                                                      std::size_t max_bytes);
[[nodiscard]] std::optional<bool> field_bool(const boost::json::object& o, std::string_view name);
[[nodiscard]] std::optional<std::int64_t> field_int(const boost::json::object& o, std::string_view name,
                                                    std::int64_t min, std::int64_t max);
// 400 when the object has a key outside `known`.
void only_fields(const boost::json::object& o, std::initializer_list<std::string_view> known);

}  // namespace wireflow::collector::http
