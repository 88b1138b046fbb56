#include "privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace wireflow {

namespace {

[[noreturn]] void fail(const std::string& user, const std::string& what) {
    throw std::runtime_error("--user=" + user + ": " + what);
}

[[noreturn]] void fail_errno(const std::string& user, const std::string& call) {
    fail(user, call + " failed: " + std::strerror(errno));
}

void hand_over_tree(const std::string& user, const std::filesystem::path& root, uid_t uid, gid_t gid) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(root, ec))) return;
    const auto give = [&](const fs::path& p) {
        // lchown: a symlink planted in the folder must not hand over its target.
        if (::lchown(p.c_str(), uid, gid) != 0) fail_errno(user, "chown " + p.native());
    };
    give(root);
    if (!fs::is_directory(fs::symlink_status(root, ec))) return;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        give(it->path());
    if (ec) fail(user, "cannot walk " + root.native() + ": " + ec.message());
}

}  // namespace

void drop_privileges(const std::string& user, std::span<const std::filesystem::path> hand_over) {
    if (user.empty()) return;
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
    passwd entry{};
    passwd* found = nullptr;
    const int rc = ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != 0) fail(user, std::string("cannot look the user up: ") + std::strerror(rc));
    if (found == nullptr) fail(user, "no such user (create it: adduser --system --group " + user + ")");
    const uid_t uid = entry.pw_uid;
    const gid_t gid = entry.pw_gid;
    if (::geteuid() == uid && ::getuid() == uid) return;
    if (::geteuid() != 0) fail(user, "only root can switch to another user");

    for (const auto& p : hand_over) hand_over_tree(user, p, uid, gid);
    // Groups first: once the uid changed, setgid and initgroups are refused.
    if (::initgroups(entry.pw_name, gid) != 0) fail_errno(user, "initgroups");
    if (::setgid(gid) != 0) fail_errno(user, "setgid");
    if (::setuid(uid) != 0) fail_errno(user, "setuid");
    if (::setuid(0) == 0 || ::geteuid() == 0) fail(user, "root could be regained after dropping privileges");
}

}  // namespace wireflow
