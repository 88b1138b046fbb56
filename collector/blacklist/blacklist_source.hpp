#pragma once
// A blacklist source: where a list comes from, how to read it, how often to
// refresh it, and the well-known public lists wireflow knows by name.

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "blacklist/list_format.hpp"

namespace wireflow::collector::blacklist {

struct blacklist_source {
    std::string name;       // unique, e.g. "spamhaus-drop"
    std::string category;   // what a match means, e.g. "hijacked-network", "botnet-c2"
    format_spec format;
    std::string location;   // a file path or an http(s) URL
    std::chrono::seconds update_interval{std::chrono::hours(24)};
    bool enabled{true};

    [[nodiscard]] bool is_url() const noexcept {
        return location.starts_with("http://") || location.starts_with("https://");
    }
};

// Public lists, all disabled: they need network access and the http(s)
// fetcher. Enable them by name.
[[nodiscard]] std::span<const blacklist_source> well_known_sources();

// A source from one `--blacklist [FORMAT:]LOCATION` value, named after the
// file (or a well-known list's name when the URL is one of theirs), category
// "blacklist". Throws std::invalid_argument for malformed values.
[[nodiscard]] blacklist_source source_from_option(std::string_view value);

}  // namespace wireflow::collector::blacklist
