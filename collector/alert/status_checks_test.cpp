#include "alert/status_checks.hpp"

#include <catch2/catch.hpp>

#include "alert/test_flows.hpp"

using namespace wireflow::collector;
using namespace wireflow::collector::alert;
using namespace wireflow::collector::alert::testing;

TEST_CASE("a probe silent for the threshold engages probe_silent; a talking one releases it", "[status_checks]") {
    probe_health p{"probe-a", 7, false, 61, 0, 0, 0, 0};
    auto c = probe_silence(p, enabled());
    REQUIRE(c.engage);
    CHECK(c.engage->type == "probe_silent");
    CHECK(c.engage->entity_id == "probe-a");
    CHECK(c.key == "probe_silent|probe|probe-a");
    p.seconds_silent = 59;
    CHECK_FALSE(probe_silence(p, enabled()).engage);
    p.seconds_silent = 61;
    CHECK_FALSE(probe_silence(p, default_preferences()).engage);   // global switch off
}

TEST_CASE("a failed blacklist load engages, the next success releases", "[status_checks]") {
    const auto failed = blacklist_status("feodo", false, "download failed: HTTP status 503", enabled());
    REQUIRE(failed);
    REQUIRE(failed->engage);
    CHECK(failed->engage->message.find("previous version kept") != std::string::npos);
    const auto ok = blacklist_status("feodo", true, "", enabled());
    REQUIRE(ok);
    CHECK_FALSE(ok->engage);
    CHECK(ok->key == failed->key);
    auto off = enabled();
    off[check::blacklist_update_failed].enabled = false;
    CHECK_FALSE(blacklist_status("feodo", false, "x", off));
}

TEST_CASE("a failed nftables sync engages nft_sync_failed, the next success releases", "[status_checks]") {
    const auto failed = nft_status(false, "nft: exit status 1: Error: Could not process rule", enabled());
    REQUIRE(failed);
    REQUIRE(failed->engage);
    CHECK(failed->engage->type == "nft_sync_failed");
    CHECK(failed->engage->message.find("previous set stays") != std::string::npos);
    CHECK(failed->key == "nft_sync_failed|blacklist|nftables");
    const auto ok = nft_status(true, "", enabled());
    REQUIRE(ok);
    CHECK_FALSE(ok->engage);
    CHECK(ok->key == failed->key);
    auto off = enabled();
    off[check::nft_sync_failed].enabled = false;
    CHECK_FALSE(nft_status(false, "boom", off));
}
