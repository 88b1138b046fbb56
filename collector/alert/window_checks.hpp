#pragma once
// The windowed checks: at the close of a window, which of its counts passed a
// threshold (scans, floods, host and pool volumes, probe drops). Pure: the
// same window and preferences give the same findings. An alert they engage
// stays engaged while each window finds it again, and ends at the first
// window that does not.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_types.hpp"
#include "alert/alert_window.hpp"
#include "alert/finding.hpp"

namespace wireflow::collector::alert {

// Host -> pool name (empty: no pool), for the pool checks and pool overrides.
using pool_lookup = std::function<std::string(const net::ip_address& ip, std::uint16_t vlan,
                                              const std::optional<net::mac_address>& mac)>;

// True for the checks whose alerts the window holds and releases.
[[nodiscard]] bool windowed(check c) noexcept;

// How many distinct values the window keeps per host: above the threshold is
// all that matters; a margin keeps the count in messages meaningful while
// memory per host stays bounded.
[[nodiscard]] window_caps caps_for(const alert_preferences& p) noexcept;

// Findings of a closed window of `length`. Only enabled checks are evaluated
// (the global switch is the caller's); `pool_of` may be empty.
[[nodiscard]] std::vector<finding> window_findings(const alert_window& w, const alert_preferences& p,
                                                   std::chrono::seconds length, const pool_lookup& pool_of);

// "1.5e+06"-style short numbers for messages.
[[nodiscard]] std::string fmt_number(double v);

}  // namespace wireflow::collector::alert
