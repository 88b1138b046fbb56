#pragma once
// nDPI flow risk bitmap (wireflow.v1 flow_risk: bit i set = ndpi_risk_enum i)
// to nDPI's own names (ndpi_risk2str), in bit order.

#include <cstdint>
#include <string>
#include <vector>

namespace wireflow::collector::alert {

[[nodiscard]] std::vector<std::string> flow_risk_names(std::uint64_t risk_bits);

}  // namespace wireflow::collector::alert
