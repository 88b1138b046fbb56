#pragma once
// Typed reading of query parameters and JSON body fields for the handlers.
// Every failure throws api_error 400 naming the parameter, so a wrong type,
// a negative limit or an unknown sort key is a 400 and never a 500.

#include "net/ip_address.hpp"
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

struct page_params {
    std::size_t limit{50};
    std::size_t offset{0};
    std::string sort;       // one of the allowed keys
    bool descending{true};
};

// limit (1..1000), offset (0..1e9), sort (one of `sort_keys`), order (asc|desc).
[[nodiscard]] page_params read_page(const query_params& q, std::initializer_list<std::string_view> sort_keys,
                                    std::string_view default_sort, bool default_descending = true,
                                    std::size_t default_limit = 50);

[[nodiscard]] std::optional<std::uint64_t> read_uint(const query_params& q, std::string_view name, std::uint64_t max);
[[nodiscard]] std::optional<std::int64_t> read_int(const query_params& q, std::string_view name, std::int64_t min,
                                                   std::int64_t max);
[[nodiscard]] std::optional<bool> read_bool(const query_params& q, std::string_view name);
// A bounded text parameter (max bytes); empty when absent.
[[nodiscard]] std::string read_text(const query_params& q, std::string_view name, std::size_t max);
[[nodiscard]] std::optional<net::ip_address> read_ip(const query_params& q, std::string_view name);
// Unix seconds (integer) or RFC 3339 UTC "2024-05-01T12:00:00Z".
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> read_time(const query_params& q,
                                                                            std::string_view name);
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text);
[[nodiscard]] net::ip_address parse_ip_or_400(std::string_view text, std::string_view what);
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
