#pragma once
// Why a flow record was emitted (wireflow.v1.EndReason): the probe's flow
// table sets it, the collector's host table and alert checks read it (an
// active_timeout record is an update of a flow that goes on).

#include <cstdint>

namespace wireflow {

enum class end_reason : std::uint8_t {
    unspecified = 0,
    idle_timeout = 1,
    active_timeout = 2,
    tcp_fin = 3,
    tcp_rst = 4,
    evicted = 5,
    shutdown = 6,
};

// True when the flow ended; false for an active-timeout update of a flow
// that goes on.
[[nodiscard]] constexpr bool ends_flow(end_reason r) noexcept { return r != end_reason::active_timeout; }

}  // namespace wireflow
