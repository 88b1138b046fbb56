#include "blacklist/nft_export.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

using namespace wireflow::collector::blacklist;
namespace net = wireflow::net;
namespace fs = std::filesystem;

namespace {

net::ip_prefix p(const char* text) { return net::parse_prefix(text).value().prefix; }

std::shared_ptr<const blacklist_set> sample_set() {
    static const std::vector<net::ip_prefix> one{p("10.0.0.0/8"), p("10.1.0.0/16"), p("192.0.2.1/32"), p("2001:db8::/32")};
    static const std::vector<net::ip_prefix> two{p("192.0.2.2/32"), p("192.0.2.3/32"), p("198.51.100.0/24")};
    const std::vector<blacklist_set::source_list> lists{{0, one}, {1, two}};
    return blacklist_set::build({{"one", "x"}, {"two", "y"}}, lists, 3);
}

// Runs `nft -c -f FILE` (check only, applies nothing) inside a fresh network
// namespace; nullopt when nft or namespaces are unavailable here.
std::optional<bool> nft_accepts(const std::string& text) {
    if (!fs::exists("/usr/sbin/nft") || !fs::exists("/usr/sbin/ip")) return std::nullopt;
    const std::string ns = "wireflow-nft-test-" + std::to_string(::getpid());
    const fs::path file = fs::temp_directory_path() / (ns + ".nft");
    {
        std::ofstream out(file);
        out << text;
    }
    std::optional<bool> result;
    if (std::system(("/usr/sbin/ip netns add " + ns + " 2>/dev/null").c_str()) == 0) {
        const int rc =
            std::system(("/usr/sbin/ip netns exec " + ns + " /usr/sbin/nft -c -f " + file.string() + " 2>/dev/null").c_str());
        result = rc == 0;
        (void)std::system(("/usr/sbin/ip netns del " + ns).c_str());
    }
    fs::remove(file);
    return result;
}

}  // namespace

TEST_CASE("nft export holds merged prefixes of both families and the drop rules", "[nft_export]") {
    const std::string text = to_nft_set(*sample_set());
    CHECK(text.find("table inet wireflow\ndelete table inet wireflow\n") != std::string::npos);
    CHECK(text.find("set blacklist_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n") != std::string::npos);
    CHECK(text.find("set blacklist_v6 {\n\t\ttype ipv6_addr\n") != std::string::npos);
    // 10.1.0.0/16 sits inside 10.0.0.0/8: written once as the outer block;
    // 192.0.2.1-3 from two sources merge into the fewest prefixes.
    CHECK(text.find("\t\telements = {\n\t\t\t10.0.0.0/8,\n\t\t\t192.0.2.1/32,\n\t\t\t192.0.2.2/31,\n"
                    "\t\t\t198.51.100.0/24\n\t\t}\n") != std::string::npos);
    CHECK(text.find("\t\t\t2001:db8::/32\n") != std::string::npos);
    CHECK(text.find("10.1.0.0") == std::string::npos);
    CHECK(text.find("chain input {\n\t\ttype filter hook input priority -10; policy accept;\n"
                    "\t\tip saddr @blacklist_v4 counter drop\n\t\tip6 saddr @blacklist_v6 counter drop\n") !=
          std::string::npos);
    CHECK(text.find("ip daddr @blacklist_v4 counter drop") != std::string::npos);
}

TEST_CASE("nft export of an empty set has empty sets and no elements", "[nft_export]") {
    const std::string text = to_nft_set(blacklist_set{}, {"wf_test", false, 0});
    CHECK(text.find("elements") == std::string::npos);
    CHECK(text.find("chain") == std::string::npos);
    CHECK(text.find("table inet wf_test {") != std::string::npos);
}

TEST_CASE("nft export refuses table names nft would misread", "[nft_export]") {
    CHECK_THROWS_AS(to_nft_set(blacklist_set{}, {"bad name; flush ruleset", true, 0}), std::invalid_argument);
    CHECK_THROWS_AS(to_nft_set(blacklist_set{}, {"", true, 0}), std::invalid_argument);
}

TEST_CASE("nft -c accepts the generated file and rejects a damaged one", "[nft_export]") {
    std::mt19937_64 rng(9);
    std::vector<net::ip_prefix> many;
    for (int i = 0; i < 3000; ++i) {
        many.push_back(net::ip_prefix::of(net::ip_address::v4(static_cast<std::uint32_t>(rng())), 12 + static_cast<unsigned>(rng() % 21)));
        std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
        for (std::size_t k = 4; k < 16; ++k) b[k] = static_cast<std::uint8_t>(rng());
        if (i % 10 == 0) many.push_back(net::ip_prefix::of(net::ip_address::v6(b), 48 + static_cast<unsigned>(rng() % 81)));
    }
    const std::vector<blacklist_set::source_list> lists{{0, many}};
    const auto set = blacklist_set::build({{"random", "test"}}, lists, 1);
    const std::string text = to_nft_set(*set);
    const auto ok = nft_accepts(text);
    if (!ok) {
        WARN("nft or network namespaces unavailable: skipped the nft -c check");
        return;
    }
    CHECK(*ok);
    std::string damaged = text;
    damaged.replace(damaged.find("auto-merge"), 10, "auto-mrege");
    CHECK(nft_accepts(damaged) == std::optional<bool>(false));
    CHECK(nft_accepts(to_nft_set(blacklist_set{})) == std::optional<bool>(true));
}

TEST_CASE("spared addresses and prefixes are cut out of the drop sets", "[nft_export]") {
    // 10.0.0.0/8 and 192.0.2.1-3 are listed; the collector's database at
    // 10.0.0.5, a probe at 192.0.2.2 and loopback must never be dropped.
    const std::vector<net::ip_prefix> spared{p("192.0.2.2/32"), p("10.0.0.5/32"), p("127.0.0.0/8"), p("::1/128"),
                                             p("2001:db8::7/128")};
    std::vector<net::ip_prefix> cut;
    const auto text = to_nft_set(*sample_set(), {}, spared, &cut);
    CHECK(cut == std::vector<net::ip_prefix>{p("10.0.0.5/32"), p("192.0.2.2/32"), p("2001:db8::7/128")});
    CHECK(text.find("10.0.0.0/8") == std::string::npos);
    CHECK(text.find("10.0.0.0/30,") != std::string::npos);  // 10.0.0.0-10.0.0.3
    CHECK(text.find("10.0.0.4/32,") != std::string::npos);
    CHECK(text.find("10.0.0.5") == std::string::npos);
    CHECK(text.find("10.0.0.6/31,") != std::string::npos);
    CHECK(text.find("10.128.0.0/9,") != std::string::npos);
    CHECK(text.find("192.0.2.1/32,") != std::string::npos);
    CHECK(text.find("192.0.2.2") == std::string::npos);
    CHECK(text.find("192.0.2.3/32,") != std::string::npos);
    CHECK(text.find("198.51.100.0/24") != std::string::npos);
    CHECK(text.find("2001:db8::/126") != std::string::npos);  // ::0-::3
    CHECK(text.find("2001:db8::7") == std::string::npos);
    CHECK(text.find("2001:db8::8/125") != std::string::npos);
    CHECK(text.find("127.") == std::string::npos);
    if (const auto ok = nft_accepts(text)) CHECK(*ok);
}

TEST_CASE("a spared prefix covering a whole range removes it", "[nft_export]") {
    const std::vector<net::ip_prefix> spared{p("198.51.100.0/23"), p("0.0.0.0/0")};
    const auto text = to_nft_set(*sample_set(), {}, spared);
    CHECK(text.find("set blacklist_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n\t}") != std::string::npos);
    CHECK(text.find("2001:db8::/32") != std::string::npos);
}
