#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "collector_config.hpp"

using namespace wireflow;
using namespace wireflow::collector;

namespace {
collector_config from_text(std::string_view text) {
    options o;
    parse_config_text(collector_option_specs(), text, "collector.conf", o);
    return make_collector_config(o);
}

std::string error_of(std::string_view text) {
    try {
        (void)from_text(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("defaults listen on loopback without CURVE", "[collector_config]") {
    const auto c = from_text("");
    CHECK(c.listen == "tcp://127.0.0.1:5556");
    CHECK_FALSE(c.curve_enabled());
    CHECK(c.spool_max_bytes == 1024ull << 20);
    CHECK(c.max_message_bytes == 64ull << 20);
    CHECK(c.retention_days == 30);
}

TEST_CASE("config file sets every collector option", "[collector_config]") {
    const auto c = from_text(
        "# collector\n"
        "--listen=tcp://0.0.0.0:6000\n"
        "--db=host=127.0.0.1 port=5432 dbname=wf\n"
        "--data-dir=/srv/wf\n"
        "--spool-max-mb=8\n"
        "--retention-days=7\n"
        "--max-message-mb=4\n"
        "--curve-secret-key-file=/etc/wf/server.key\n"
        "--curve-allow-keys-file=/etc/wf/probes.keys\n"
        "-w=3001\n"
        "--local-networks=10.1.2.3/8,192.168.0.0/16\n"
        "--local-networks=2001:db8::1/32\n");
    CHECK(c.listen == "tcp://0.0.0.0:6000");
    CHECK(c.db == "host=127.0.0.1 port=5432 dbname=wf");
    CHECK(c.data_dir == "/srv/wf");
    CHECK(c.spool_max_bytes == 8ull << 20);
    CHECK(c.retention_days == 7);
    CHECK(c.max_message_bytes == 4ull << 20);
    CHECK(c.curve_enabled());
    CHECK(c.http == "0.0.0.0:3001");
    std::vector<std::string> nets;
    for (const auto& n : c.local_networks) nets.push_back(n.to_string());
    CHECK(nets == std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"});
}

TEST_CASE("unknown collector option names its line", "[collector_config]") {
    const auto e = error_of("--listen=tcp://127.0.0.1:1\n--spool=3\n");
    CHECK(e.find("collector.conf:2") != std::string::npos);
    CHECK(e.find("spool") != std::string::npos);
}

TEST_CASE("malformed collector values are refused naming the option", "[collector_config]") {
    CHECK(error_of("--spool-max-mb=lots\n").find("--spool-max-mb") != std::string::npos);
    CHECK(error_of("--retention-days=0\n").find("--retention-days") != std::string::npos);
    CHECK(error_of("--max-message-mb=-1\n").find("--max-message-mb") != std::string::npos);
    CHECK(error_of("--listen=udp://1.2.3.4:5\n").find("--listen") != std::string::npos);
    CHECK(error_of("--http=host:99999\n").find("--http") != std::string::npos);
    CHECK(error_of("--local-networks=10.0.0.0/33\n").find("--local-networks") != std::string::npos);
    CHECK(error_of("--local-networks=example.com\n").find("--local-networks") != std::string::npos);
}

TEST_CASE("CURVE needs both the secret key and the allow list", "[collector_config]") {
    CHECK(error_of("--curve-secret-key-file=/k\n").find("curve-allow-keys-file") != std::string::npos);
    CHECK(error_of("--curve-allow-keys-file=/k\n").find("curve-secret-key-file") != std::string::npos);
}

TEST_CASE("flags take no value but 1/0", "[collector_config]") {
    CHECK(error_of("--help=maybe\n").find("takes no value") != std::string::npos);
    CHECK(from_text("--gen-curve-keypair\n").gen_curve_keypair);
}

TEST_CASE("ntopng habits: --disable-login=1/0, comments after values, --user", "[collector_config]") {
    CHECK(from_text("--disable-login=1\n").disable_login);
    CHECK_FALSE(from_text("--disable-login=0\n").disable_login);
    const auto c = from_text("-w=3005   # dashboard on every address\n--user=wireflow # like ntopng -U\n");
    CHECK(c.http == "0.0.0.0:3005");
    CHECK(c.user == "wireflow");
    CHECK(error_of("--retention=7\n").find("did you mean --retention-days?") != std::string::npos);
}

TEST_CASE("ingest bounds have defaults and options", "[collector_config]") {
    const auto d = from_text("--retention-days=10\n");
    CHECK(d.ingest_buffer_bytes == 256ull << 20);
    CHECK(d.peer_queue_messages == 16);
    CHECK(d.max_probes == 256);
    CHECK(d.max_probe_ports == 64);
    CHECK(d.record_max_future_s == 600);
    CHECK(d.record_max_age_days == 10);  // follows --retention-days
    const auto c = from_text("--ingest-buffer-mb=32\n--peer-queue-messages=4\n--max-probes=3\n--max-probe-ports=8\n"
                             "--record-max-future-s=60\n--record-max-age-days=3650\n");
    CHECK(c.ingest_buffer_bytes == 32ull << 20);
    CHECK(c.peer_queue_messages == 4);
    CHECK(c.max_probes == 3);
    CHECK(c.max_probe_ports == 8);
    CHECK(c.record_max_future_s == 60);
    CHECK(c.record_max_age_days == 3650);
    CHECK(error_of("--max-probes=0\n").find("--max-probes") != std::string::npos);
    CHECK(error_of("--ingest-buffer-mb=1\n").find("--ingest-buffer-mb") != std::string::npos);
}

TEST_CASE("flow storage layout: segments of 250,000 rows, at least 5 min, merged up to 32M rows", "[collector_config]") {
    const auto d = from_text("");
    CHECK(d.flow_segment_rows == 250'000);
    CHECK(d.flow_segment_min_seconds == 300);
    CHECK(d.flow_merge_rows == 32'000'000);
    const auto c = from_text("--flow-segment-rows=4000000\n--flow-segment-min-seconds=30\n--flow-merge-rows=0\n");
    CHECK(c.flow_segment_rows == 4'000'000);
    CHECK(c.flow_segment_min_seconds == 30);
    CHECK(c.flow_merge_rows == 0);
    CHECK(error_of("--flow-segment-min-seconds=1\n").find("--flow-segment-min-seconds") != std::string::npos);
    CHECK(error_of("--flow-segment-rows=10\n").find("--flow-segment-rows") != std::string::npos);
}

TEST_CASE("only loopback and ipc listeners count as loopback", "[collector_config]") {
    const auto at = [](const char* listen) { return from_text(std::string("--listen=") + listen + "\n").listen_is_loopback(); };
    CHECK(at("tcp://127.0.0.1:5556"));
    CHECK(at("tcp://127.0.0.2:5556"));
    CHECK(at("tcp://[::1]:5556"));
    CHECK(at("tcp://localhost:5556"));
    CHECK(at("ipc:///tmp/wf.sock"));
    CHECK_FALSE(at("tcp://0.0.0.0:5556"));
    CHECK_FALSE(at("tcp://*:5556"));
    CHECK_FALSE(at("tcp://eth0:5556"));
    CHECK_FALSE(at("tcp://192.0.2.1:5556"));
    CHECK_FALSE(at("tcp://127.0.0.1.example:5556"));
}

TEST_CASE("HTTP hardening options: host names, limits, prefix bounds (issue 13)", "[collector_config]") {
    const auto d = from_text("");
    CHECK(d.http_hosts.empty());
    CHECK(d.http_max_connections == 256);
    CHECK(d.blacklist_min_prefix_v4 == 8);
    CHECK(d.blacklist_min_prefix_v6 == 32);
    CHECK_FALSE(d.notify_allow_internal);
    CHECK(d.db_statement_timeout_ms == 10000);
    const auto c = from_text("--http-host=flows.example.org,Other.Example\n--http-host=third\n--blacklist-min-prefix-v4=16\n"
                             "--notify-allow-internal\n--admin-password-file=/etc/wireflow/admin\n"
                             "--db-statement-timeout-ms=500\n");
    CHECK(c.http_hosts == std::vector<std::string>{"flows.example.org", "Other.Example", "third"});
    CHECK(c.blacklist_min_prefix_v4 == 16);
    CHECK(c.notify_allow_internal);
    CHECK(c.admin_password_file == "/etc/wireflow/admin");
    CHECK(c.db_statement_timeout_ms == 500);
    CHECK(error_of("--http-host=flows.example.org:3005\n").find("--http-host") != std::string::npos);
    CHECK(error_of("--http-host=a/b\n").find("--http-host") != std::string::npos);
    CHECK(error_of("--blacklist-min-prefix-v4=33\n").find("--blacklist-min-prefix-v4") != std::string::npos);
    CHECK(error_of("--db-statement-timeout-ms=0\n").find("--db-statement-timeout-ms") != std::string::npos);
}

TEST_CASE("geolocation options: MaxMind DB files, the legacy folder, and switching the default off", "[collector_config]") {
    const auto d = from_text("");
    CHECK(d.geoip_country.empty());
    CHECK(d.geoip_asn.empty());
    CHECK(d.geoip_legacy_dir == "/usr/share/GeoIP");
    const auto c = from_text(
        "--geoip-country=/var/lib/GeoIP/GeoLite2-Country.mmdb\n"
        "--geoip-asn=/var/lib/GeoIP/GeoLite2-ASN.mmdb\n"
        "--geoip-legacy-dir=/srv/geoip\n");
    CHECK(c.geoip_country == "/var/lib/GeoIP/GeoLite2-Country.mmdb");
    CHECK(c.geoip_asn == "/var/lib/GeoIP/GeoLite2-ASN.mmdb");
    CHECK(c.geoip_legacy_dir == "/srv/geoip");
    // An empty value: no legacy default (with no --geoip-country, no geolocation).
    CHECK(from_text("--geoip-legacy-dir=\n").geoip_legacy_dir.empty());
}
