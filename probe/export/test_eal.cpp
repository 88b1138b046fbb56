#include "export/test_eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace wireflow::probe::testing {

void ensure_eal() {
    static const bool ok = [] {
        const std::string prefix = "--file-prefix=wfexp" + std::to_string(::getpid());
        std::vector<std::string> args{"export_test", "--no-huge", "--no-pci", "-m", "256", "--no-shconf",
                                      prefix, "--log-level=lib.eal:error", "--no-telemetry"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        if (rte_eal_init(static_cast<int>(argv.size()), argv.data()) < 0)
            throw std::runtime_error(std::string("rte_eal_init: ") + rte_strerror(rte_errno));
        return true;
    }();
    (void)ok;
}

}  // namespace wireflow::probe::testing
