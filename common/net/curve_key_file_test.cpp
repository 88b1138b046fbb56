#include "net/curve_key_file.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

using namespace wireflow::net;

namespace {
std::string error_of(auto f) {
    try {
        (void)f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}
}  // namespace

TEST_CASE("the printed key pair is read back as the same pair", "[curve_key_file]") {
    const auto pair = generate_curve_keypair();
    CHECK(is_z85_curve_key(pair.public_key));
    CHECK(is_z85_curve_key(pair.secret_key));
    const auto text = curve_keypair_text(pair);
    CHECK(text.find(pair.public_key) < text.find(pair.secret_key));
    const auto back = parse_curve_keypair_file(text, "generated");
    CHECK(back.public_key == pair.public_key);
    CHECK(back.secret_key == pair.secret_key);
}

TEST_CASE("a key-pair file may hold the secret key alone", "[curve_key_file]") {
    const auto pair = generate_curve_keypair();
    const auto k = parse_curve_keypair_file("# secret\n  " + pair.secret_key + "  \n", "secret");
    CHECK(k.public_key == pair.public_key);  // derived
    CHECK(k.secret_key == pair.secret_key);
}

TEST_CASE("key-pair files that do not hold one pair name the bad line", "[curve_key_file]") {
    const auto a = generate_curve_keypair();
    const auto b = generate_curve_keypair();
    CHECK(error_of([&] { return parse_curve_keypair_file(b.public_key + "\n" + a.secret_key + "\n", "f"); })
              .find("f:1") != std::string::npos);
    CHECK(error_of([&] {
              return parse_curve_keypair_file(a.public_key + "\n" + a.secret_key + "\n" + a.secret_key, "f");
          }).find("f:3") != std::string::npos);
    CHECK(error_of([&] { return parse_curve_keypair_file("# x\nnot-a-key\n", "f"); }).find("f:2") != std::string::npos);
    CHECK(error_of([&] { return parse_curve_keypair_file("# nothing\n", "f"); }).find("no CURVE key pair") !=
          std::string::npos);
    const auto e = error_of([&] { return parse_curve_keypair_file(a.secret_key + "\n" + a.secret_key, "f"); });
    CHECK(e.find(a.secret_key) == std::string::npos);  // never echo a secret
}

TEST_CASE("a comment line is a comment even in the middle of a key file", "[curve_key_file]") {
    const auto a = generate_curve_keypair();
    CHECK(parse_curve_public_key_file("# collector\n" + a.public_key + " collector-1\n# end\n", "f") == a.public_key);
    CHECK(error_of([&] { return parse_curve_public_key_file(a.public_key + "\n" + a.secret_key, "f"); }).find("f:2") !=
          std::string::npos);
    CHECK(error_of([&] { return parse_curve_public_key(a.public_key.substr(0, 39) + "\"", "--key"); })
              .find("Z85") != std::string::npos);
}

TEST_CASE("allow lists take one key per line with optional names", "[curve_key_file]") {
    const auto a = generate_curve_keypair().public_key;
    const auto b = generate_curve_keypair().public_key;
    CHECK(parse_curve_key_list("# probes\n" + a + " probe-paris\n\n  " + b + "\n", "allow") ==
          std::set<std::string>{a, b});
    CHECK(error_of([&] { return parse_curve_key_list("# x\nnot-a-key\n", "allow"); }).find("allow:2") !=
          std::string::npos);
    CHECK(error_of([&] { return parse_curve_key_list("# nothing\n", "allow"); }) != "accepted");
}

TEST_CASE("an allow-list key is bound to the probe ids its probes= word lists", "[curve_key_file]") {
    const auto a = generate_curve_keypair().public_key, b = generate_curve_keypair().public_key,
               c = generate_curve_keypair().public_key;
    const auto list = parse_curve_allow_list("# probes\n" + a + " paris probes=paris-1,paris-2\n" + b +
                                                 " lyon\n" + c + "\tprobes=x\n" + c + " probes=y\n",
                                             "allow");
    REQUIRE(list.size() == 3);
    CHECK(list.at(a) == std::set<std::string>{"paris-1", "paris-2"});
    CHECK(list.at(b).empty());  // an old line (key and name): any probe id, as before
    CHECK(list.at(c) == std::set<std::string>{"x", "y"});
}

TEST_CASE("an allow-list key listed once without probes= stays unbound", "[curve_key_file]") {
    const auto a = generate_curve_keypair().public_key;
    CHECK(parse_curve_allow_list(a + " probes=p1\n" + a + "\n", "allow").at(a).empty());
}

TEST_CASE("bad probe ids in an allow list name the line", "[curve_key_file]") {
    const auto a = generate_curve_keypair().public_key;
    CHECK(error_of([&] { return parse_curve_allow_list("#\n" + a + " probes=\n", "allow"); }).find("allow:2") !=
          std::string::npos);
    CHECK(error_of([&] { return parse_curve_allow_list(a + " probes=ok,bad/id\n", "allow"); }).find("allow:1") !=
          std::string::npos);
    CHECK(error_of([&] { return parse_curve_allow_list(a + " probes=a,,b\n", "allow"); }) != "accepted");
    CHECK(error_of([&] { return parse_curve_allow_list("# only comments\n", "allow"); }) != "accepted");
}
