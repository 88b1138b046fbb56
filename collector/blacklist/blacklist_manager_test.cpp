#include "blacklist/blacklist_manager.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "model/test_records.hpp"
#include "store/blacklist_source_store.hpp"
#include "store/test_database.hpp"

extern char** environ;

using namespace wireflow::collector;
using namespace wireflow::collector::blacklist;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        char tmpl[] = "/tmp/wf-blm-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~temp_dir() { fs::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return (path / name).string();
    }
};

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// Python's http.server on 127.0.0.1 serving a directory: a real HTTP server,
// as a list publisher is.
class python_http_server {
public:
    explicit python_http_server(const fs::path& dir) : port_(free_port()) {
        const std::string port = std::to_string(port_);
        const std::string d = dir.string();
        const char* argv[] = {"/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                              d.c_str(), port.c_str(), nullptr};
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);   // its access log
        REQUIRE(posix_spawn(&pid_, argv[0], &fa, nullptr, const_cast<char**>(argv), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
        for (int i = 0; i < 200; ++i) {   // until it answers
            if (http_get(url("/")).http_status != 0) return;
            std::this_thread::sleep_for(50ms);
        }
        FAIL("python http.server did not start");
    }
    ~python_http_server() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    [[nodiscard]] std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

private:
    int port_;
    pid_t pid_{-1};
};

flow_record flow(std::string_view client, std::string_view server) {
    flow_record r;
    r.client_ip = wireflow::collector::testing::ip(client);
    r.server_ip = wireflow::collector::testing::ip(server);
    return r;
}

flow_batch batch(std::vector<flow_record> rows) {
    flow_batch b;
    b.records = std::move(rows);
    return b;
}

struct status_log {
    std::vector<std::tuple<std::string, bool, std::string>> events;
    status_listener listener() {
        return [this](std::string_view s, bool ok, std::string_view e) { events.emplace_back(s, ok, e); };
    }
};

}  // namespace

TEST_CASE("flows are marked with the lists naming their client or server", "[blacklist_manager]") {
    temp_dir dir;
    manager_settings s;
    s.include_well_known = false;
    s.blacklist_options = {dir.write("bad.txt", "# bad\n203.0.113.0/24\n2001:db8:bad::/48\n"),
                           "drop:" + dir.write("drop.txt", "198.51.100.0/24 ; SBL1\n203.0.113.7/32 ; SBL2\n")};
    blacklist_manager m(s, nullptr);
    CHECK(m.reload() == 0);

    auto b = batch({flow("203.0.113.7", "10.0.0.1"), flow("10.0.0.1", "198.51.100.9"), flow("10.0.0.1", "10.0.0.2"),
                    flow("2001:db8:bad::1", "2001:db8::1")});
    m.mark(b);
    CHECK(b.blacklist_text(b.records[0].client_blacklist) == "bad.txt,drop.txt");
    CHECK(b.records[0].server_blacklist == 0);
    CHECK(b.records[1].client_blacklist == 0);
    CHECK(b.blacklist_text(b.records[1].server_blacklist) == "drop.txt");
    CHECK(b.records[2].client_blacklist == 0);
    CHECK(b.records[2].server_blacklist == 0);
    CHECK(b.blacklist_text(b.records[3].client_blacklist) == "bad.txt");
    // One label per combination of lists in the batch, whatever the side.
    CHECK(b.blacklist_labels == std::vector<std::string>{"", "bad.txt,drop.txt", "drop.txt", "bad.txt"});

    const auto st = m.status();
    REQUIRE(st.size() == 2);
    CHECK(st[0].entries == 2);
    CHECK(st[0].hits == 2);
    CHECK(st[1].entries == 2);
    CHECK(st[1].hits == 2);
}

TEST_CASE("a reload picks up a changed list and a broken one keeps the previous version", "[blacklist_manager]") {
    temp_dir dir;
    manager_settings s;
    s.include_well_known = false;
    const auto path = dir.write("list.txt", "192.0.2.1\n");
    s.blacklist_options = {"plain:" + path};
    blacklist_manager m(s, nullptr);
    status_log log;
    m.on_status(log.listener());
    REQUIRE(m.reload() == 0);

    dir.write("list.txt", "192.0.2.2\n");
    REQUIRE(m.reload() == 0);
    auto b = batch({flow("192.0.2.1", "10.0.0.1"), flow("192.0.2.2", "10.0.0.1")});
    m.mark(b);
    CHECK(b.records[0].client_blacklist == 0);
    CHECK(b.blacklist_text(b.records[1].client_blacklist) == "list.txt");

    // An error page instead of a list: every line broken -> kept, reported.
    dir.write("list.txt", "<html>\n<body>oops</body>\n");
    CHECK(m.reload() == 1);
    b = batch({flow("192.0.2.2", "10.0.0.1")});
    m.mark(b);
    CHECK(b.blacklist_text(b.records[0].client_blacklist) == "list.txt");
    CHECK_FALSE(m.status()[0].last_error.empty());
    CHECK(m.status()[0].entries == 1);

    // A vanished file: kept as well.
    fs::remove(path);
    CHECK(m.reload() == 1);
    b = batch({flow("192.0.2.2", "10.0.0.1")});
    m.mark(b);
    CHECK(b.blacklist_text(b.records[0].client_blacklist) == "list.txt");

    REQUIRE(log.events.size() == 4);
    CHECK(std::get<1>(log.events[0]));
    CHECK_FALSE(std::get<1>(log.events[2]));
    CHECK(std::get<2>(log.events[3]).find("cannot open") != std::string::npos);
}

TEST_CASE("an http source is downloaded, and a failed download keeps it", "[blacklist_manager]") {
    temp_dir dir;
    dir.write("feed.txt", "# feed\n198.51.100.0/24\n");
    python_http_server server(dir.path);
    manager_settings s;
    s.include_well_known = false;
    s.blacklist_options = {server.url("/feed.txt")};
    blacklist_manager m(s, nullptr);
    status_log log;
    m.on_status(log.listener());
    REQUIRE(m.reload() == 0);
    auto b = batch({flow("10.0.0.1", "198.51.100.200")});
    m.mark(b);
    CHECK(b.blacklist_text(b.records[0].server_blacklist) == "feed.txt");

    fs::remove(dir.path / "feed.txt");   // now a 404
    CHECK(m.reload() == 1);
    CHECK(std::get<2>(log.events.back()).find("404") != std::string::npos);
    b = batch({flow("10.0.0.1", "198.51.100.200")});
    m.mark(b);
    CHECK(b.blacklist_text(b.records[0].server_blacklist) == "feed.txt");
    CHECK(m.status()[0].entries == 1);
}

TEST_CASE("each reload writes the nftables file and runs the command without a shell", "[blacklist_manager]") {
    temp_dir dir;
    manager_settings s;
    s.include_well_known = false;
    s.blacklist_options = {dir.write("l.txt", "192.0.2.0/24\n2001:db8::/32\n")};
    s.nft_file = (dir.path / "wireflow.nft").string();
    const std::string copy = (dir.path / "applied copy.nft").string();
    s.nft_command = "/bin/cp " + s.nft_file + " \"" + copy + "\"";
    blacklist_manager m(s, nullptr);
    std::vector<std::pair<bool, std::string>> reports;
    m.on_nft_status([&](bool ok, std::string_view e) { reports.emplace_back(ok, std::string(e)); });
    REQUIRE(m.reload() == 0);
    CHECK(reports == std::vector<std::pair<bool, std::string>>{{true, ""}});
    const auto text = read(s.nft_file);
    CHECK(text.find("192.0.2.0/24") != std::string::npos);
    CHECK(text.find("2001:db8::/32") != std::string::npos);
    CHECK(read(copy) == text);
    CHECK(m.last_nft_error().empty());

    manager_settings bad = s;
    bad.nft_command = "/bin/false";
    bad.nft_file = (dir.path / "other.nft").string();
    blacklist_manager m2(bad, nullptr);
    reports.clear();
    m2.on_nft_status([&](bool ok, std::string_view e) { reports.emplace_back(ok, std::string(e)); });
    m2.reload();
    CHECK(m2.last_nft_error() == "/bin/false exited with status 1");
    // The listener (the alert engine's nft_sync_failed) hears the failure.
    CHECK(reports == std::vector<std::pair<bool, std::string>>{{false, "/bin/false exited with status 1"}});
}

TEST_CASE("commands split on blanks with quotes and backslashes, never through a shell", "[blacklist_manager]") {
    CHECK(split_command("nft -f /run/wireflow.nft") == std::vector<std::string>{"nft", "-f", "/run/wireflow.nft"});
    CHECK(split_command("  a  \"b c\" d\\ e $HOME;rm") == std::vector<std::string>{"a", "b c", "d e", "$HOME;rm"});
    CHECK(split_command("").empty());
    CHECK_THROWS_AS(split_command("a \"b"), std::invalid_argument);
}

TEST_CASE("built-in lists are off until enabled, and the choice is kept in PostgreSQL", "[blacklist_manager]") {
    testing::test_database db;
    db_pool pool(db.dsn(), 1);
    blacklist_source_store store(pool);
    temp_dir dir;
    manager_settings s;
    s.blacklist_options = {dir.write("mine.txt", "192.0.2.1\n")};
    {
        blacklist_manager m(s, &store);
        CHECK(m.restore().empty());
        REQUIRE(m.reload() == 0);   // downloads nothing: the built-in lists are disabled
        const auto st = m.status();
        REQUIRE(st.size() > 2);
        CHECK(st[0].source.enabled);
        for (std::size_t i = 1; i < st.size(); ++i) CHECK_FALSE(st[i].source.enabled);
        CHECK(m.set_enabled("spamhaus-drop", true));
        CHECK_FALSE(m.set_enabled("no-such-list", true));
    }
    const auto rows = store.all();
    const auto find = [&](const std::string& n) {
        return *std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.name == n; });
    };
    CHECK(find("mine.txt").entries == 1);
    CHECK(find("mine.txt").enabled);
    CHECK(find("mine.txt").last_success_at);
    CHECK(find("spamhaus-drop").enabled);
    CHECK(find("spamhaus-drop").format == "drop");
    CHECK_FALSE(find("dshield").enabled);

    blacklist_manager again(s, &store);
    CHECK(again.restore().empty());
    bool enabled = false;
    for (const auto& st : again.status())
        if (st.source.name == "spamhaus-drop") enabled = st.source.enabled;
    CHECK(enabled);
}

TEST_CASE("nft: broad entries refused, own peers spared, clean command environment, no planted link followed",
          "[blacklist_manager]") {
    temp_dir dir;
    manager_settings s;
    s.include_well_known = false;
    s.blacklist_options = {dir.write("hostile.txt", "0.0.0.0/0\n::/0\n192.0.2.0/24\n203.0.113.9\n")};
    s.nft_file = (dir.path / "wireflow.nft").string();
    // The old fixed temporary name, planted as a link to a file the collector may write.
    const std::string victim = dir.write("victim", "keep");
    fs::create_symlink(victim, s.nft_file + ".tmp");
    const std::string env_out = (dir.path / "env.txt").string();
    const std::string fds_out = (dir.path / "fds.txt").string();
    s.nft_command = "/bin/sh -c \"env > " + env_out + "; ls -1 /proc/self/fd > " + fds_out + "\"";
    s.spared_peers = [] {
        return std::vector<wireflow::net::ip_prefix>{*wireflow::net::ip_prefix::parse("192.0.2.7"),
                                                     *wireflow::net::ip_prefix::parse("198.51.100.1")};
    };
    ::setenv("WF_SECRET_FROM_REQUEST", "1", 1);
    const int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: would be inherited
    blacklist_manager m(s, nullptr);
    REQUIRE(m.reload() == 0);
    ::close(leaked);
    ::unsetenv("WF_SECRET_FROM_REQUEST");
    CHECK(m.last_nft_error().empty());

    const auto st = m.status()[0];
    CHECK(st.entries == 2);
    CHECK(st.refused_broad == 2);
    CHECK(st.refused_examples == std::vector<std::string>{"0.0.0.0/0", "::/0"});

    const auto text = read(s.nft_file);
    CHECK(text.find("0.0.0.0/0") == std::string::npos);
    CHECK(text.find("192.0.2.7") == std::string::npos);
    CHECK(text.find("192.0.2.0/30") != std::string::npos);
    CHECK(text.find("192.0.2.8/29") != std::string::npos);
    CHECK(text.find("203.0.113.9/32") != std::string::npos);
    CHECK(m.nft_spared() == std::vector<std::string>{"192.0.2.7/32"});  // 198.51.100.1 is on no list

    CHECK(read(victim) == "keep");
    CHECK(fs::is_symlink(s.nft_file + ".tmp"));
    const auto env = read(env_out);
    CHECK(env.find("WF_SECRET_FROM_REQUEST") == std::string::npos);
    CHECK(env.find("PATH=/usr/sbin:/usr/bin:/sbin:/bin\n") != std::string::npos);
    // ls itself holds 3 (the /proc/self/fd listing): nothing else beyond 0-2.
    CHECK(read(fds_out) == "0\n1\n2\n3\n");
}
