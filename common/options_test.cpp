#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "options.hpp"

using namespace wireflow;

namespace {
const option_spec specs[] = {
    {"collector", 0, true, false, "collector endpoint"},
    {"http", 'w', true, false, "HTTP address"},
    {"blacklist", 0, true, true, "blacklist source"},
    {"no-huge", 0, false, false, "no hugepages"},
};
}

TEST_CASE("config file takes one --name=value per line with comments", "[options]") {
    options o;
    parse_config_text(specs, "# wireflow\n--collector=tcp://127.0.0.1:5556\n\n  --no-huge  \n-w=3000\n--blacklist=a.txt\n--blacklist=b.txt\n",
                      "test.conf", o);
    CHECK(o.get("collector") == "tcp://127.0.0.1:5556");
    CHECK(o.has("no-huge"));
    CHECK(o.get("http") == "3000");
    CHECK(o.all("blacklist").size() == 2);
}

TEST_CASE("unknown option in a config file names the line", "[options]") {
    options o;
    try {
        parse_config_text(specs, "--collector=x\n--bogus=1\n", "probe.conf", o);
        FAIL("no error");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("probe.conf:2") != std::string::npos);
        CHECK(std::string(e.what()).find("bogus") != std::string::npos);
    }
}

TEST_CASE("option needing a value without one is refused", "[options]") {
    options o;
    CHECK_THROWS_AS(parse_config_text(specs, "--collector\n", "f", o), std::invalid_argument);
    CHECK_THROWS_AS(parse_config_text(specs, "--no-huge=maybe\n", "f", o), std::invalid_argument);
    CHECK_THROWS_AS(parse_config_text(specs, "collector=1\n", "f", o), std::invalid_argument);
}

TEST_CASE("command line forms: --a=b, --a b, -w b, -wb", "[options]") {
    const std::vector<std::string> args{"--collector", "tcp://x:1", "-w", "1.2.3.4:80", "--blacklist=a", "--blacklist", "b", "--no-huge"};
    auto o = parse_options(specs, args);
    CHECK(o.get("collector") == "tcp://x:1");
    CHECK(o.get("http") == "1.2.3.4:80");
    CHECK(o.all("blacklist") == std::vector<std::string>{"a", "b"});
    CHECK(o.has("no-huge"));
    auto o2 = parse_options(specs, std::vector<std::string>{"-w3005"});
    CHECK(o2.get("http") == "3005");
}

TEST_CASE("integer options are range-checked", "[options]") {
    options o;
    o.add("n", "12x");
    CHECK_THROWS_AS(o.get_int("n", 0, 0, 100), std::invalid_argument);
    options p;
    p.add("n", "42");
    CHECK(p.get_int("n", 0, 0, 100) == 42);
    CHECK(p.get_int("missing", 7, 0, 100) == 7);
    CHECK_THROWS_AS(p.get_int("n", 0, 0, 10), std::invalid_argument);
}

TEST_CASE("a flag takes =1 and =0 like ntopng's --disable-login=1", "[options]") {
    CHECK(parse_options(specs, std::vector<std::string>{"--no-huge=1"}).has("no-huge"));
    CHECK(parse_options(specs, std::vector<std::string>{"--no-huge=yes"}).has("no-huge"));
    CHECK_FALSE(parse_options(specs, std::vector<std::string>{"--no-huge=0"}).has("no-huge"));
    CHECK_FALSE(parse_options(specs, std::vector<std::string>{"--no-huge", "--no-huge=0"}).has("no-huge"));
    CHECK_THROWS_AS(parse_options(specs, std::vector<std::string>{"--no-huge=maybe"}), std::invalid_argument);
    options o;
    parse_config_text(specs, "--no-huge=1\n", "f", o);
    CHECK(o.has("no-huge"));
}

TEST_CASE("--flag=0 on the command line turns off the file's flag", "[options]") {
    const auto file = std::filesystem::temp_directory_path() / ("options_test_" + std::to_string(::getpid()) + ".conf");
    std::ofstream(file) << "--no-huge\n--collector=tcp://x:1\n";
    CHECK(parse_options(specs, std::vector<std::string>{file.native()}).has("no-huge"));
    const auto o = parse_options(specs, std::vector<std::string>{file.native(), "--no-huge=0"});
    std::filesystem::remove(file);
    CHECK_FALSE(o.has("no-huge"));
    CHECK(o.get("collector") == "tcp://x:1");
}

TEST_CASE("a '#' after a blank ends the value; one inside a value stays", "[options]") {
    options o;
    parse_config_text(specs, "--collector=tcp://x:1   # the collector\n-w=3005\t# dashboard\n--no-huge # lab\n"
                             "--blacklist=http://h/list#frag\n",
                      "f", o);
    CHECK(o.get("collector") == "tcp://x:1");
    CHECK(o.get("http") == "3005");
    CHECK(o.has("no-huge"));
    CHECK(o.get("blacklist") == "http://h/list#frag");
}

TEST_CASE("an unknown option answers with the closest name", "[options]") {
    const auto message = [](const std::vector<std::string>& args) {
        try {
            (void)parse_options(specs, args);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message({"--colector=x"}).find("did you mean --collector?") != std::string::npos);
    CHECK(message({"--no-hugepages"}).find("did you mean --no-huge?") != std::string::npos);
    CHECK(message({"--zzzzzzzz"}).find("did you mean") == std::string::npos);
    options o;
    try {
        parse_config_text(specs, "--blacklsit=a\n", "c.conf", o);
        FAIL("no error");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("c.conf:1") != std::string::npos);
        CHECK(std::string(e.what()).find("did you mean --blacklist?") != std::string::npos);
    }
}
