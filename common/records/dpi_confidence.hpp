#pragma once
// How nDPI reached a flow's application protocol: nDPI 4.2's
// ndpi_confidence_t and the wire's DpiConfidence, value for value. The probe
// writes it (probe/flow/app_details.hpp), the collector stores and shows it;
// a newer probe's value beyond max_dpi_confidence reads as unknown.

#include <cstdint>

namespace wireflow {

enum class dpi_confidence : std::uint8_t { unknown = 0, match_by_port = 1, match_by_ip = 2, dpi_cache = 3, dpi = 4 };

inline constexpr std::uint8_t max_dpi_confidence = 4;

}  // namespace wireflow
