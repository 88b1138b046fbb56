#pragma once
// An address and port as the dissector reads them from a packet. The flow
// key (flow/flow_key.hpp) is built from two of these: flow depends on
// dissect, never the other way.

#include <array>
#include <compare>
#include <cstdint>

namespace wireflow::probe {

// 16 bytes hold either family; IPv4 uses the first 4 and leaves the rest zero.
using ip_bytes = std::array<std::uint8_t, 16>;

// One side of a conversation.
struct endpoint {
    ip_bytes ip{};
    std::uint16_t port{0};
    friend auto operator<=>(const endpoint&, const endpoint&) = default;
};

}  // namespace wireflow::probe
