#pragma once
// Loads the enabled sources and publishes their union. A source whose read or
// parse fails keeps its previous good version and reports the error in its
// status (the alert engine raises an alert from it). Runs on a control thread;
// readers only ever touch published().

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blacklist/blacklist_set.hpp"
#include "blacklist/blacklist_source.hpp"
#include "blacklist/parse_result.hpp"
#include "blacklist/published_blacklist.hpp"

namespace wireflow::collector::blacklist {

struct loader_limits {
    std::size_t max_list_bytes{256u << 20};   // larger files are refused, not truncated
    // Entries broader than these prefix lengths are refused (issue 13,
    // finding 7): a list saying 0.0.0.0/0, ::/0 or 10.0.0.0/7 would make the
    // nftables drop rules cut the host off. Counted and shown on the status.
    unsigned min_prefix_v4{8};
    unsigned min_prefix_v6{32};
};

inline constexpr std::size_t max_refused_examples = 10;

struct source_status {
    blacklist_source source;
    std::size_t entries{0};          // prefixes in the version in use
    std::size_t broken_lines{0};     // of the last attempt
    std::size_t non_canonical{0};    // of the last attempt
    std::size_t refused_broad{0};    // of the last attempt: broader than the limits
    std::vector<std::string> refused_examples;   // the first max_refused_examples, as CIDR text
    std::vector<broken_line> first_broken_lines;
    std::optional<std::chrono::system_clock::time_point> last_load;      // last success
    std::optional<std::chrono::system_clock::time_point> last_attempt;
    std::string last_error;          // empty when the last attempt succeeded
    std::uint64_t hits{0};
};

class blacklist_loader {
public:
    // Throws std::invalid_argument for more than max_sources sources or duplicate names.
    explicit blacklist_loader(std::vector<blacklist_source> sources, loader_limits limits = {});

    // Reads every enabled file source, then publishes the union. URL sources
    // keep what load_text() last gave them. Returns how many sources failed.
    std::size_t reload();

    // Feeds one source's downloaded text (the http(s) fetcher's entry point),
    // then publishes. False (and the previous version kept) if it does not parse.
    bool load_text(std::size_t source, std::string_view text);

    // Switches a source on or off and publishes (its last good list is kept
    // while off). False for an unknown index.
    bool set_enabled(std::size_t source, bool enabled);

    [[nodiscard]] const published_blacklist& published() const noexcept { return published_; }
    [[nodiscard]] std::vector<source_status> status() const;
    [[nodiscard]] std::size_t source_count() const noexcept { return sources_.size(); }

    // Called by the ingest path after a match; relaxed counters, no lock.
    void count_hits(blacklist_match match) noexcept;

private:
    struct source_state {
        source_status status;
        std::vector<net::ip_prefix> prefixes;   // the version in use
    };

    bool apply(source_state& state, std::string_view text);   // under mutex_
    void fail(source_state& state, std::string error);
    void publish_locked();

    loader_limits limits_;
    mutable std::mutex mutex_;   // control plane only
    std::vector<source_state> sources_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> hits_;
    std::uint64_t version_{0};
    published_blacklist published_;
};

// Reads a whole file of at most `max_bytes`; nothing and an error otherwise.
[[nodiscard]] std::optional<std::string> read_list_file(const std::string& path, std::size_t max_bytes,
                                                        std::string& error);

}  // namespace wireflow::collector::blacklist
