#pragma once
// Tests that create rte_rings need an EAL; initialise it once per test process
// with no hugepages, no PCI and no shared config files (--no-shconf; DPDK
// refuses --in-memory together with --no-huge), under a per-process file
// prefix, so several test processes and probes can run at once.

namespace wireflow::probe::testing {
void ensure_eal();
}
