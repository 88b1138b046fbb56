#include "alert/flow_risk_names.hpp"

extern "C" {
#include <ndpi/ndpi_api.h>
}

namespace wireflow::collector::alert {

std::vector<std::string> flow_risk_names(std::uint64_t risk_bits) {
    std::vector<std::string> out;
    for (unsigned i = 1; i < 64; ++i) {
        if (((risk_bits >> i) & 1u) == 0) continue;
        // Only known values: for others ndpi_risk2str formats into a static
        // buffer, which is not thread-safe.
        if (i < static_cast<unsigned>(NDPI_MAX_RISK)) out.emplace_back(ndpi_risk2str(static_cast<ndpi_risk_enum>(i)));
        else out.push_back("risk " + std::to_string(i));
    }
    if ((risk_bits & 1u) != 0 && out.empty()) out.emplace_back("risk 0");
    return out;
}

}  // namespace wireflow::collector::alert
