#pragma once
// The status checks: conditions of the probes and of the collector's own parts
// reported as events (a probe's silence, a blacklist source that failed to
// load). The alert is engaged while the reported condition holds and released
// by the report that it is over.

#include <optional>
#include <string>
#include <string_view>

#include "alert/alert_types.hpp"
#include "alert/alert_window.hpp"
#include "alert/finding.hpp"

namespace wireflow::collector::alert {

// Engage `engage`, or, when empty, release the alert of `key`.
struct status_change {
    std::string key;
    std::optional<finding> engage;
};

// probe_silent: silent for at least the threshold (seconds).
[[nodiscard]] status_change probe_silence(const probe_health& p, const alert_preferences& prefs);

// blacklist_update_failed: engaged by a failure, released by the next success;
// nothing while the check is switched off (a success still releases).
[[nodiscard]] std::optional<status_change> blacklist_status(std::string_view source, bool ok, std::string_view error,
                                                            const alert_preferences& prefs);

// nft_sync_failed: writing the nftables file or running the nft command
// failed (the kernel keeps the previous set); released by the next success.
[[nodiscard]] std::optional<status_change> nft_status(bool ok, std::string_view error, const alert_preferences& prefs);

}  // namespace wireflow::collector::alert
