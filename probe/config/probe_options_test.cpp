#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/probe_options.hpp"
#include "net/curve_key_file.hpp"
#include "net/probe_id.hpp"

using namespace wireflow::probe;
using namespace wireflow::net;

namespace {

probe_config parse(std::vector<std::string> args) {
    args.insert(args.begin(), "wireflow-probe");
    return parse_probe_config(args);
}

std::string error_of(std::vector<std::string> args) {
    try {
        (void)parse(std::move(args));
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

struct temp_file {
    std::string path;
    explicit temp_file(const std::string& text) {
        char name[] = "/tmp/probe_options_test_XXXXXX";
        const int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        close(fd);
        path = name;
        std::ofstream(path) << text;
    }
    ~temp_file() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("defaults follow the documented values", "[probe_options]") {
    const auto c = parse({"--pcap", "a.pcap", "--collector", "none"});
    CHECK(c.pcaps == std::vector<std::string>{"a.pcap"});
    CHECK(c.workers == 1);
    CHECK(c.idle_timeout_s == 30);
    CHECK(c.active_timeout_s == 120);
    CHECK(c.collector == "none");
    CHECK_FALSE(c.probe_id.empty());
    CHECK_FALSE(c.eal_args_given);
}

TEST_CASE("config file sets options and the command line overrides it", "[probe_options]") {
    temp_file f("# probe config\n--pcap=/data/x.pcap\n--collector=tcp://10.0.0.1:5556\n--idle-timeout=5\n"
                "--workers=2\n--no-huge\n--memory=512\n--probe-id=edge-1\n");
    const auto c = parse({f.path, "--idle-timeout=7", "--dump-flows", "/tmp/d.json"});
    CHECK(c.pcaps == std::vector<std::string>{"/data/x.pcap"});
    CHECK(c.collector == "tcp://10.0.0.1:5556");
    CHECK(c.idle_timeout_s == 7);
    CHECK(c.workers == 2);
    CHECK(c.no_huge);
    CHECK(c.memory_mb == 512);
    CHECK(c.probe_id == "edge-1");
    CHECK(c.dump_flows == "/tmp/d.json");
}

TEST_CASE("pcap is repeatable and pcap-list appends its lines in order", "[probe_options]") {
    temp_file list("# corpus\nb.pcap\n\nc.pcapng\n");
    const auto c = parse({"--pcap=a.pcap", "--pcap-list", list.path, "--collector=none"});
    CHECK(c.pcaps == std::vector<std::string>{"a.pcap", "b.pcap", "c.pcapng"});
}

TEST_CASE("arguments before -- are passed to the EAL verbatim", "[probe_options]") {
    const auto c = parse({"-l", "0-1", "--vdev=net_null0", "--", "--collector=none", "--workers=1"});
    CHECK(c.eal_args_given);
    CHECK(c.eal_args == std::vector<std::string>{"wireflow-probe", "-l", "0-1", "--vdev=net_null0"});
    CHECK(build_eal_args(c, "x", "u", 2) == c.eal_args);
}

TEST_CASE("built EAL args pin workers, avoid PCI without ports and use a unique prefix", "[probe_options]") {
    const auto c = parse({"--pcap=a.pcap", "--collector=none", "--no-huge", "--workers=2"});
    const auto a = build_eal_args(c, "wireflow-probe", "42", 2);
    auto has = [&](const std::string& s) { return std::find(a.begin(), a.end(), s) != a.end(); };
    CHECK(a.front() == "wireflow-probe");
    CHECK(has("--lcores=0@(0-1),1@1,2@0"));
    CHECK(has("--no-huge"));
    CHECK(has("1024"));
    CHECK(has("--no-pci"));
    CHECK(has("--file-prefix=wireflow-42"));
    CHECK_FALSE(has("--in-memory"));  // EAL refuses it together with --no-huge

    const auto p = parse({"--port=0000:03:00.0", "--port=0000:03:00.1", "--collector=none", "--cores=1,3"});
    const auto b = build_eal_args(p, "wireflow-probe", "7", 4);
    CHECK(std::find(b.begin(), b.end(), "--no-pci") == b.end());
    CHECK(std::count(b.begin(), b.end(), std::string("-a")) == 2);
    CHECK(std::find(b.begin(), b.end(), "--lcores=0@(0-3),1@1,2@3") != b.end());

    const auto i = parse({"--interface=eth0", "--collector=none", "--workers=2"});
    const auto ia = build_eal_args(i, "wireflow-probe", "7", 2);
    CHECK(std::find(ia.begin(), ia.end(), "--vdev=net_af_packet0,iface=eth0,qpairs=1") != ia.end());
}

TEST_CASE("bad values are refused with a one-line error naming the option", "[probe_options]") {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--pcap=a", "--collector=none", "--workers=0"}, "--workers"},
        {{"--pcap=a", "--collector=none", "--workers=abc"}, "--workers"},
        {{"--pcap=a", "--collector=none", "--idle-timeout=-1"}, "--idle-timeout"},
        {{"--pcap=a", "--collector=none", "--idle-timeout=60", "--active-timeout=30"}, "--active-timeout"},
        {{"--pcap=a", "--collector=udp://x:1"}, "--collector"},
        {{"--pcap=a", "--collector=tcp://host"}, "--collector"},
        {{"--pcap=a"}, "--collector"},
        {{"--collector=none"}, "no packet source"},
        {{"--pcap=a", "--interface=eth0", "--collector=none"}, "one kind of source"},
        {{"--pcap=a", "--collector=none", "--cores=3-1"}, "--cores"},
        {{"--pcap=a", "--collector=none", "--cores=1,1"}, "--cores"},
        {{"--pcap=a", "--collector=none", "--cores=1", "--workers=1"}, "--workers or --cores"},
        {{"--pcap=a", "--collector=none", "--pcap-loop"}, "--duration"},
        {{"--pcap=a", "--collector=none", "--bogus=1"}, "unknown option"},
        {{"--pcap=a", "--collector=none", "--pcap-list=/nonexistent/list"}, "--pcap-list"},
    };
    for (const auto& [args, expect] : cases) {
        INFO(args.back());
        const auto e = error_of(args);
        CHECK(e.find(expect) != std::string::npos);
        CHECK(e.find('\n') == std::string::npos);
    }
}

TEST_CASE("unknown option in the config file names file and line", "[probe_options]") {
    temp_file f("--pcap=a.pcap\n--collector=none\n--colector=tcp://x:1\n");
    const auto e = error_of({f.path});
    CHECK(e.find(f.path + ":3") != std::string::npos);
}

TEST_CASE("help needs no other option", "[probe_options]") {
    CHECK(parse({"--help"}).help);
    CHECK(probe_usage("wireflow-probe").find("--pcap") != std::string::npos);
}

namespace {

// Keys made once by libzmq's zmq_curve_keypair (fixed so the test is
// deterministic); the probe pair is checked through zmq_curve_public below.
const std::string probe_public = "-^Z4T:tZ<UrDde:R5G29E{8&{HDxET>-<+AZ&Z>i";
const std::string probe_secret = "a^sv8.rJy-*5F0DhCl5&H1WIM2nT-B>8IP&]=y8u";
const std::string server_public = "X79V{?KtaD6Jp93g-eLQGWU9eEo##uJ1%#Gz$]I{";

std::string keypair_text(const std::string& pub, const std::string& sec) {
    return "# public key: give it to the other side\n" + pub + "\n# secret key: keep it private\n" + sec + "\n";
}

}  // namespace

TEST_CASE("curve keys: server key and key pair file configure the client", "[probe_options]") {
    // The fixed pair must really be a pair, or the remaining checks mean nothing.
    REQUIRE(is_z85_curve_key(probe_secret));
    temp_file pair(keypair_text(probe_public, probe_secret));
    const auto c = parse({"--pcap=a", "--collector=tcp://127.0.0.1:5556", "--curve-server-key=" + server_public,
                          "--curve-key-file=" + pair.path});
    CHECK(c.curve_server_key == server_public);
    CHECK(c.curve_public_key == probe_public);
    CHECK(c.curve_secret_key == probe_secret);

    temp_file server("# the collector's public key\n" + server_public + "  collector-1\n");
    temp_file secret_only(probe_secret + "\n");
    const auto d = parse({"--pcap=a", "--collector=tcp://127.0.0.1:5556", "--curve-server-key-file=" + server.path,
                          "--curve-key-file=" + secret_only.path});
    CHECK(d.curve_server_key == server_public);
    CHECK(d.curve_public_key == probe_public);  // derived from the secret key
    CHECK(d.curve_secret_key == probe_secret);

    const auto none = parse({"--pcap=a", "--collector=tcp://127.0.0.1:5556"});
    CHECK(none.curve_server_key.empty());
    CHECK(none.curve_public_key.empty());
    CHECK(none.curve_secret_key.empty());
}

TEST_CASE("curve keys: a generated key pair text is read back as the same pair", "[probe_options]") {
    const auto text = curve_keypair_text(generate_curve_keypair());
    const auto k = parse_curve_keypair_file(text, "generated");
    CHECK(is_z85_curve_key(k.public_key));
    CHECK(is_z85_curve_key(k.secret_key));
    CHECK(text.find(k.public_key) < text.find(k.secret_key));  // public first, as the collector prints it
    CHECK(parse_curve_keypair_file(text, "x").public_key != parse_curve_keypair_file(curve_keypair_text(generate_curve_keypair()), "y").public_key);
    CHECK(parse({"--gen-curve-keypair"}).gen_curve_keypair);  // needs no source or collector
}

TEST_CASE("curve keys: half a configuration and bad keys are refused in one line", "[probe_options]") {
    temp_file pair(keypair_text(probe_public, probe_secret));
    temp_file mismatched(keypair_text(server_public, probe_secret));
    temp_file three_keys(keypair_text(probe_public, probe_secret) + server_public + "\n");
    temp_file empty("# nothing\n\n");
    temp_file server_pair(keypair_text(server_public, probe_secret));  // a whole pair given as the server key
    temp_file bad_line(probe_public + "\nnot-a-key\n");
    const std::string coll = "--collector=tcp://127.0.0.1:5556";
    const std::string skey = "--curve-server-key=" + server_public;
    const std::string kfile = "--curve-key-file=" + pair.path;
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--pcap=a", coll, skey}, "--curve-key-file"},
        {{"--pcap=a", coll, kfile}, "--curve-server-key"},
        {{"--pcap=a", coll, skey, "--curve-server-key-file=" + pair.path, kfile}, "not both"},
        {{"--pcap=a", "--collector=none", skey, kfile}, "--collector"},
        {{"--pcap=a", coll, "--curve-server-key=short", kfile}, "--curve-server-key"},
        {{"--pcap=a", coll, "--curve-server-key=" + server_public.substr(0, 39) + "\"", kfile}, "Z85"},
        {{"--pcap=a", coll, "--curve-server-key-file=/nonexistent/k", kfile}, "cannot read"},
        {{"--pcap=a", coll, "--curve-server-key-file=" + server_pair.path, kfile}, server_pair.path + ":4"},
        {{"--pcap=a", coll, "--curve-server-key-file=" + empty.path, kfile}, "no CURVE public key"},
        {{"--pcap=a", coll, skey, "--curve-key-file=" + mismatched.path}, mismatched.path + ":2"},
        {{"--pcap=a", coll, skey, "--curve-key-file=" + three_keys.path}, three_keys.path + ":5"},
        {{"--pcap=a", coll, skey, "--curve-key-file=" + empty.path}, "no CURVE key pair"},
        {{"--pcap=a", coll, skey, "--curve-key-file=" + bad_line.path}, bad_line.path + ":2"},
        {{"--pcap=a", coll, skey, "--curve-key-file=/nonexistent/k"}, "cannot read"},
    };
    for (const auto& [args, expect] : cases) {
        INFO(args.back());
        const auto e = error_of(args);
        CHECK(e.find(expect) != std::string::npos);
        CHECK(e.find('\n') == std::string::npos);
        CHECK(e.find(probe_secret) == std::string::npos);  // never echo the secret
    }
}

TEST_CASE("probe id follows the collector's charset and length", "[probe_options]") {
    CHECK(parse({"--pcap=a", "--collector=none", "--probe-id=edge_1.paris-A"}).probe_id == "edge_1.paris-A");
    CHECK(parse({"--pcap=a", "--collector=none", "--probe-id=" + std::string(64, 'p')}).probe_id.size() == 64);
    for (const std::string& bad : {std::string(65, 'p'), std::string("edge 1"), std::string("edge/1"),
                                  std::string("caf\xc3\xa9"), std::string("a\nb"), std::string("")}) {
        INFO(bad);
        const auto e = error_of({"--pcap=a", "--collector=none", "--probe-id=" + bad});
        CHECK(e.find("--probe-id") != std::string::npos);
        CHECK(e.find('\n') == std::string::npos);
    }
    CHECK(valid_probe_id("a"));
    CHECK_FALSE(valid_probe_id("a:b"));
}

TEST_CASE("no-dpi, dpi-states and mbufs are read, and dpi-states without DPI is refused", "[probe_options]") {
    const auto d = parse({"--pcap", "x.pcap", "--collector", "none"});
    CHECK_FALSE(d.no_dpi);
    CHECK(d.dpi_states == 65536);
    CHECK(d.mbufs == 0);
    const auto c = parse({"--pcap", "x.pcap", "--collector", "none", "--no-dpi", "--mbufs", "4000000"});
    CHECK(c.no_dpi);
    CHECK(c.mbufs == 4000000);
    CHECK(parse({"--pcap", "x.pcap", "--collector", "none", "--dpi-states", "100"}).dpi_states == 100);
    CHECK(error_of({"--pcap", "x.pcap", "--collector", "none", "--no-dpi", "--dpi-states", "100"}).find("--dpi-states") !=
          std::string::npos);
    CHECK(error_of({"--pcap", "x.pcap", "--collector", "none", "--mbufs", "10"}).find("mbufs") != std::string::npos);
}

TEST_CASE("ntopng habits: --user, --no-huge=0 and a suggestion for a typo", "[probe_options]") {
    const auto c = parse({"--pcap", "a.pcap", "--collector", "none", "--no-huge=0", "-U", "wireflow"});
    CHECK_FALSE(c.no_huge);
    CHECK(c.user == "wireflow");
    CHECK(error_of({"--pcap", "a.pcap", "--colector", "none"}).find("did you mean --collector?") != std::string::npos);
}
