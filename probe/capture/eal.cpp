#include "capture/eal.hpp"

#include <rte_eal.h>
#include <rte_errno.h>

#include <filesystem>
#include <stdexcept>

namespace wireflow::probe {

eal_session::eal_session(const std::vector<std::string>& args, bool own_runtime_dir) {
    // rte_eal_init may permute argv and keep pointers into it: give it copies
    // that live as long as the process.
    static std::vector<std::string> storage;
    static std::vector<char*> argv;
    storage = args;
    argv.clear();
    for (auto& a : storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (rte_eal_init(static_cast<int>(storage.size()), argv.data()) < 0)
        throw std::runtime_error(std::string("DPDK EAL initialisation failed: ") + rte_strerror(rte_errno));
    if (own_runtime_dir) runtime_dir_ = rte_eal_get_runtime_dir();
}

eal_session::~eal_session() {
    rte_eal_cleanup();
    // With --no-shconf/--in-memory nothing useful is left in the runtime
    // directory; remove it so thousands of test runs leave no litter.
    std::error_code ec;
    if (!runtime_dir_.empty()) std::filesystem::remove_all(runtime_dir_, ec);
}

}  // namespace wireflow::probe
