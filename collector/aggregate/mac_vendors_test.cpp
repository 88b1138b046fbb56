// MAC vendors from the IEEE registries: the longest registered prefix names
// the maker; locally administered and group addresses have none; broken
// lines are skipped; Debian's ieee-data loads whole.
#include <catch2/catch.hpp>

#include <filesystem>

#include "aggregate/mac_vendors.hpp"

using namespace wireflow::collector::aggregate;
using wireflow::net::mac_address;

namespace {

mac_address mac(std::string_view text) { return *mac_address::parse(text); }

constexpr std::string_view sample =
    "Registry,Assignment,Organization Name,Organization Address\n"
    "MA-L,00000C,\"Cisco Systems, Inc\",170 WEST TASMAN DRIVE SAN JOSE CA US 95134-1706 \n"
    "MA-L,3CB07E,\"Arounds Intelligent Equipment Co., Ltd.\",\"Room 701~703,\n"
    "Building 2 Shenzhen  CN 518000 \"\n"
    "MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \n"
    "MA-S,70B3D5F2F,Maker of one block,Somewhere \n"
    "MA-M,70B3D5A,\"Quote \"\"the\"\" Maker\",Elsewhere \n"
    "MA-L,0000ZZ,not hex,x\n"
    "MA-L,00000,too short,x\n"
    "MA-L,001122,,empty name\n"
    "MA-L,00000C,Second registration of a prefix,x\n";

}  // namespace

TEST_CASE("the longest registered prefix names the maker", "[mac_vendors]") {
    mac_vendors v;
    CHECK(v.add_csv(sample) == 5);
    CHECK(v.vendor(mac("00:00:0c:12:34:56")) == "Cisco Systems, Inc");
    CHECK(v.vendor(mac("3c:b0:7e:00:00:01")) == "Arounds Intelligent Equipment Co., Ltd.");
    CHECK(v.vendor(mac("70:b3:d5:f2:f1:23")) == "Maker of one block");      // MA-S, 36 bits
    CHECK(v.vendor(mac("70:b3:d5:a0:00:01")) == "Quote \"the\" Maker");     // MA-M, 28 bits
    CHECK(v.vendor(mac("70:b3:d5:10:00:01")) == "IEEE Registration Authority");  // only the MA-L block
    CHECK(v.vendor(mac("00:11:22:33:44:55")).empty());                     // empty name: not added
    CHECK(v.vendor(mac("a4:5e:60:00:00:01")).empty());                     // not registered
}

TEST_CASE("locally administered and group addresses have no vendor", "[mac_vendors]") {
    mac_vendors v;
    v.add_csv("MA-L,02000C,Would be local,x\nMA-L,01005E,Would be multicast,x\n");
    CHECK(mac_vendors::locally_administered(mac("02:00:0c:00:00:01")));
    CHECK(v.vendor(mac("02:00:0c:00:00:01")).empty());
    CHECK(v.vendor(mac("01:00:5e:00:00:01")).empty());
    CHECK_FALSE(mac_vendors::locally_administered(mac("00:00:0c:00:00:01")));
}

TEST_CASE("no registry directory means every vendor unknown", "[mac_vendors]") {
    CHECK(mac_vendors::load("").size() == 0);
    CHECK(mac_vendors::load("/nonexistent/ieee-data").size() == 0);
}

TEST_CASE("Debian's ieee-data loads whole", "[mac_vendors]") {
    // deploy/install-deps.sh installs ieee-data: its absence is a broken install, not a skip.
    REQUIRE(std::filesystem::exists("/usr/share/ieee-data/oui.csv"));
    const mac_vendors v = mac_vendors::load("/usr/share/ieee-data");
    CHECK(v.size() > 40'000);  // 2022-08-27: 32,542 MA-L + 4,412 MA-M + 5,050 MA-S
    CHECK(v.vendor(mac("00:00:0c:07:ac:01")) == "Cisco Systems, Inc");
    CHECK(v.vendor(mac("00:1b:21:aa:bb:cc")) == "Intel Corporate");
}
