#include <catch2/catch.hpp>

#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "privileges.hpp"

using namespace wireflow;

namespace {

// Runs `body` in a child process (dropping privileges cannot be undone) and
// returns its exit status: 0 when every check in it held.
template <typename F>
int in_child(F body) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(body());
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

}  // namespace

TEST_CASE("an empty --user keeps the process as it is", "[privileges]") {
    const uid_t before = ::geteuid();
    drop_privileges("");
    CHECK(::geteuid() == before);
}

TEST_CASE("an unknown user is refused by name", "[privileges]") {
    try {
        drop_privileges("wireflow-no-such-user");
        FAIL("no error");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("--user=wireflow-no-such-user: no such user") != std::string::npos);
    }
}

TEST_CASE("the current user is accepted without root", "[privileges]") {
    const passwd* me = ::getpwuid(::geteuid());
    REQUIRE(me != nullptr);
    CHECK(in_child([name = std::string(me->pw_name)] {
              drop_privileges(name);
              return 0;
          }) == 0);
}

TEST_CASE("root becomes the user, hands over the spool and cannot come back", "[privileges]") {
    const passwd* nobody = ::getpwnam("nobody");
    REQUIRE(nobody != nullptr);
    const uid_t uid = nobody->pw_uid;
    if (::geteuid() != 0) {
        // Without root the switch is refused (CI runs this test as root).
        CHECK_THROWS_AS(drop_privileges("nobody"), std::runtime_error);
        return;
    }
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("privileges_test_" + std::to_string(::getpid()));
    fs::create_directories(dir / "spool");
    std::ofstream(dir / "spool" / "segment") << "x";
    const fs::path hand_over[] = {dir};
    const int status = in_child([&] {
        try {
            drop_privileges("nobody", hand_over);
        } catch (...) {
            return 1;
        }
        if (::getuid() != uid || ::geteuid() != uid) return 2;
        if (::setuid(0) == 0) return 3;
        std::ofstream out(dir / "spool" / "new-segment");   // writable after the hand-over
        out << "y";
        return out ? 0 : 4;
    });
    struct stat st{};
    const bool owned = ::stat((dir / "spool" / "segment").c_str(), &st) == 0 && st.st_uid == uid;
    fs::remove_all(dir);
    CHECK(status == 0);
    CHECK(owned);
}
