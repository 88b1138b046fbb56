#pragma once
// The blacklist manager: the configured sources (--blacklist values and the
// built-in public lists, disabled until enabled), downloads (http(s) through
// fetch.hpp) or reads them on their update interval, publishes the union
// atomically, marks flows, writes the nftables file and runs the nft command
// after each change, and persists each source's state in blacklist_sources.
//
// Threads: mark() on ONE thread (the one that writes batches to PostgreSQL,
// right before writing: live and spool replay alike); tick()/reload() on one
// control thread (blocking downloads); status()/set_enabled() from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "blacklist/blacklist_loader.hpp"
#include "blacklist/blacklist_source.hpp"
#include "blacklist/fetch.hpp"
#include "blacklist/nft_export.hpp"
#include "blacklist/published_blacklist.hpp"
#include "model/flow_batch.hpp"

namespace wireflow::collector {
class blacklist_source_store;
}

namespace wireflow::collector::blacklist {

struct manager_settings {
    std::vector<std::string> blacklist_options;   // --blacklist values: [FORMAT:]FILE_OR_URL
    bool include_well_known{true};                // add the built-in descriptors (disabled)
    std::string nft_file;                         // empty: no nftables file
    std::string nft_command;                      // empty: none; split on blanks, run without a shell
    nft_options nft;
    fetch_settings fetch;
    loader_limits limits;
    // The collector's own peers, never dropped by the nftables sets
    // (to_nft_set's `spared`); asked at each write and once a minute.
    std::function<std::vector<net::ip_prefix>()> spared_peers;
};

// Called after each attempt at a source: ok, or the error (the alert engine's
// on_blacklist_status).
using status_listener = std::function<void(std::string_view source, bool ok, std::string_view error)>;
// Called after each attempt at writing and applying the nftables set: ok, or
// the error (the alert engine's on_nft_status).
using nft_listener = std::function<void(bool ok, std::string_view error)>;

class blacklist_manager {
public:
    // Throws std::invalid_argument for a malformed --blacklist value or
    // duplicate names. `store` may be null (no persistence). Loads nothing yet.
    blacklist_manager(manager_settings settings, blacklist_source_store* store);
    ~blacklist_manager();
    blacklist_manager(const blacklist_manager&) = delete;
    blacklist_manager& operator=(const blacklist_manager&) = delete;

    void on_status(status_listener f);
    void on_nft_status(nft_listener f);

    // Reads the enabled switches persisted in blacklist_sources (user choices
    // for built-in lists); store errors are returned as text, not thrown.
    std::string restore();

    // Sets client_blacklist / server_blacklist of every listed record to a
    // batch label ("name,name" of the listing sources, in blacklist_labels)
    // and counts the hits. One published-set lookup per address; no lock, no
    // allocation unless a record matches.
    void mark(flow_batch& batch) noexcept;

    // Loads every enabled source now (downloads included), publishes, writes
    // the nft file, runs the nft command, persists. Returns how many failed.
    std::size_t reload();
    // Reloads the sources whose update interval elapsed (and, on the first
    // call, all), and writes the sources' state (hit counts) to PostgreSQL at
    // least once a minute. Call every few seconds from a control thread.
    void tick(std::chrono::system_clock::time_point now);

    // Enables or disables a source by name (persisted; applied by the next
    // reload). False when unknown.
    bool set_enabled(std::string_view name, bool enabled);

    [[nodiscard]] std::vector<source_status> status() const;
    [[nodiscard]] const published_blacklist& published() const noexcept { return published_; }
    // Last nft command's result: empty when none ran or it succeeded.
    [[nodiscard]] std::string last_nft_error() const;
    // The spared peers the lists cover, as CIDR text, as of the last write.
    [[nodiscard]] std::vector<std::string> nft_spared() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    published_blacklist published_;
};

// "nft -f /run/wireflow.nft" -> {"nft", "-f", "/run/wireflow.nft"}: split on
// blanks; double quotes group words ("a b"), a backslash escapes the next
// character; no variables, globbing or redirection (no shell runs).
[[nodiscard]] std::vector<std::string> split_command(std::string_view command);

}  // namespace wireflow::collector::blacklist
