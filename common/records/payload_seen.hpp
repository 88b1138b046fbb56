#pragma once
// FlowRecord.payload_seen (proto/wireflow.proto): which sides of a flow ever
// sent L4 payload. The probe encodes it, the collector decodes it; bit 7
// tells a probe that tracks it from an older one that sends 0.

#include <cstdint>

namespace wireflow::payload_seen {

inline constexpr std::uint32_t client = 0x01;
inline constexpr std::uint32_t server = 0x02;
inline constexpr std::uint32_t tracked = 0x80;

}  // namespace wireflow::payload_seen
