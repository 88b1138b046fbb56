#pragma once
// ntopng's --user: a daemon started as root binds its ports and opens its
// devices, then runs as an unprivileged account. Both binaries call
// drop_privileges() once their privileged setup is done (the probe after EAL
// init and port setup, the collector after binding its HTTP socket).

#include <filesystem>
#include <span>
#include <string>

namespace wireflow {

// Switches the whole process (every thread: glibc applies set*id to all) to
// USER's uid, primary gid and supplementary groups, after handing the folders
// in `hand_over` (and what they hold) to that user: they were created by the
// setup done as root and are written to afterwards (spools). Does nothing for
// an empty name, or when the process already runs as that user (a systemd
// unit with User= and the same --user in the file). Throws std::runtime_error
// naming the user for an unknown user, a caller other than root, or a failure;
// afterwards it checks that root cannot be regained (CERT POS37-C).
void drop_privileges(const std::string& user, std::span<const std::filesystem::path> hand_over = {});

}  // namespace wireflow
