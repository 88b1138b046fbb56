#pragma once
// nDPI's flow risks (wireflow.v1 flow_risk: bit i set = ndpi_risk_enum i) as
// alert types: one stable type name per risk ("ndpi_" + the enum name of
// nDPI 4.2, lower case), nDPI's own description (ndpi_risk2str) and its
// severity (ndpi_risk2severity: low, medium, high, severe -> notice, warning,
// error, critical). Operators switch each on or off, as ntopng does.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_types.hpp"

namespace wireflow::collector::alert {

struct risk_type {
    unsigned bit{0};
    std::string_view type;          // "ndpi_tls_selfsigned_certificate"
    std::string_view description;   // "Self-signed Certificate"
    severity default_level{severity::notice};
};

// Every risk nDPI 4.2 knows, in bit order (bits 1 .. 41).
[[nodiscard]] std::span<const risk_type> risk_types() noexcept;
// nullptr for a bit this nDPI does not know (a newer probe's).
[[nodiscard]] const risk_type* risk_type_of(unsigned bit) noexcept;
[[nodiscard]] const risk_type* risk_type_named(std::string_view type) noexcept;

// The descriptions of the bits set, in bit order ("risk N" for unknown bits).
[[nodiscard]] std::vector<std::string> flow_risk_names(std::uint64_t risk_bits);

}  // namespace wireflow::collector::alert
