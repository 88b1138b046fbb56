#pragma once
// The service a name claim came from (issue 14: names devices give
// themselves): the wire's NameService, value for value. The probe reads the
// claim (probe/dpi/name_claim.hpp), the collector names the claimed address
// with it (collector/aggregate/host_table.hpp); a newer probe's value beyond
// max_name_service reads as unknown.

#include <cstdint>
#include <string_view>

namespace wireflow {

enum class name_service : std::uint8_t { none = 0, mdns = 1, netbios = 2, llmnr = 3 };

inline constexpr std::uint8_t max_name_service = 3;

// "mdns", "netbios", "llmnr": the API's and the probe dump's spelling.
constexpr std::string_view name_service_name(name_service s) noexcept {
    switch (s) {
    case name_service::mdns: return "mdns";
    case name_service::netbios: return "netbios";
    case name_service::llmnr: return "llmnr";
    case name_service::none: break;
    }
    return "unknown";
}

}  // namespace wireflow
