#pragma once
// RAII for the DPDK Environment Abstraction Layer: rte_eal_init at
// construction, rte_eal_cleanup at destruction. One per process.

#include <string>
#include <vector>

namespace wireflow::probe {

class eal_session {
public:
    // Throws std::runtime_error naming rte_errno when the EAL refuses the
    // arguments. `own_runtime_dir`: the file prefix is unique to this process
    // (the probe built the EAL arguments), so its runtime directory is removed
    // at exit; never set it for a user-given prefix another process may share.
    eal_session(const std::vector<std::string>& args, bool own_runtime_dir);
    ~eal_session();
    eal_session(const eal_session&) = delete;
    eal_session& operator=(const eal_session&) = delete;

private:
    std::string runtime_dir_;
};

}  // namespace wireflow::probe
