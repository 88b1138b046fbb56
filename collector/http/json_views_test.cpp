// The JSON shape of a flow: TCP health, IP fields, tunnels and nDPI details, null where unknown.
#include <catch2/catch.hpp>

#include "api.hpp"
#include "json_views.hpp"

#include <algorithm>

using namespace wireflow::collector;
namespace bj = boost::json;

TEST_CASE("a flow's tcp health, ttl ranges and dscp are shown, unknown parts as null", "[json_views]") {
    flow_item f;
    f.protocol = 6;
    tcp_health& t = f.health.tcp.emplace();
    t.c2s_retransmissions = 2;
    t.s2c_out_of_order = 1;
    t.s2c_zero_windows = 4;
    t.client_rtt_ns = 1'500'000;
    t.server_rtt_ns = 20'000'000;
    f.health.c2s_ttl = ttl_range{60, 64};
    f.health.dscp = 0;
    const bj::object o = http::flow_json(f);
    const auto& tcp = o.at("tcp").as_object();
    CHECK(tcp.at("c2s_retransmissions") == 2);
    CHECK(tcp.at("s2c_retransmissions") == 0);
    CHECK(tcp.at("s2c_out_of_order") == 1);
    CHECK(tcp.at("s2c_zero_windows") == 4);
    CHECK(tcp.at("client_rtt").as_double() == Approx(0.0015));
    CHECK(tcp.at("server_rtt").as_double() == Approx(0.020));
    CHECK(o.at("c2s_ttl").at("min") == 60);
    CHECK(o.at("c2s_ttl").at("max") == 64);
    CHECK(o.at("s2c_ttl").is_null());  // no packet from the server in this record
    CHECK(o.at("dscp") == 0);           // best effort is a value, not "unknown"
}

TEST_CASE("a flow from an older probe shows tcp health and ip fields as null, not zero", "[json_views]") {
    flow_item f;
    f.protocol = 6;
    const bj::object o = http::flow_json(f);
    CHECK(o.at("tcp").is_null());
    CHECK(o.at("c2s_ttl").is_null());
    CHECK(o.at("s2c_ttl").is_null());
    CHECK(o.at("dscp").is_null());
    f.health.tcp.emplace();  // analysed, handshake not seen
    const bj::object analysed = http::flow_json(f);
    const auto& tcp = analysed.at("tcp").as_object();
    CHECK(tcp.at("client_rtt").is_null());
    CHECK(tcp.at("server_rtt").is_null());
    CHECK(tcp.at("c2s_retransmissions") == 0);
}

TEST_CASE("a tunnelled flow shows its tunnel by name; others show null", "[json_views][tunnel]") {
    flow_item f;
    f.protocol = 17;
    CHECK(http::flow_json(f).at("tunnel").is_null());
    f.tunnel = flow_tunnel{wireflow::tunnel_type::vxlan, 4242, *wireflow::net::ip_address::parse("198.51.100.1"),
                           *wireflow::net::ip_address::parse("198.51.100.2")};
    const bj::object o = http::flow_json(f);
    const auto& t = o.at("tunnel").as_object();
    CHECK(t.at("type") == "vxlan");
    CHECK(t.at("id") == 4242);
    CHECK(t.at("client_side_ip") == "198.51.100.1");
    CHECK(t.at("server_side_ip") == "198.51.100.2");
    f.tunnel->type = static_cast<wireflow::tunnel_type>(9);  // a newer probe's
    CHECK(http::flow_json(f).at("tunnel").at("type") == "unknown");
}

TEST_CASE("a device shows its vendor and name, null when unknown", "[json_views][devices]") {
    http::device_info d{"00:00:0c:07:ac:01", "10.0.0.1", 0, "printer.example", "Cisco Systems, Inc", false};
    const bj::object o = http::device_json(d);
    CHECK(o.at("vendor") == "Cisco Systems, Inc");
    CHECK(o.at("name") == "printer.example");
    CHECK(o.at("locally_administered") == false);
    const bj::object local = http::device_json({"02:42:0a:00:00:01", "10.0.0.2", 0, "", "", true});
    CHECK(local.at("vendor").is_null());
    CHECK(local.at("name").is_null());
    CHECK(local.at("locally_administered") == true);
}

TEST_CASE("a flow without dpi details shows confidence, tls and http as null", "[json_views][dpi]") {
    flow_item f;
    f.protocol = 6;
    const bj::object o = http::flow_json(f);
    CHECK(o.at("dpi_confidence").is_null());
    CHECK(o.at("tls").is_null());
    CHECK(o.at("http").is_null());
}

TEST_CASE("a tls flow shows its handshake, version by name, certificate and sha1 as hex", "[json_views][dpi]") {
    flow_item f;
    f.protocol = 6;
    f.confidence = dpi_confidence::dpi;
    flow_tls& t = f.tls.emplace();
    t.version = 0x0303;
    t.ja3_client = "e7d705a3286e19ea42f587b344ee6865";
    t.ja3_server = "f4febc55ea12b31ae17cfb7e614afda8";
    t.alpn = "h2,http/1.1";
    t.cert_subject = "CN=www.example.com";
    t.cert_issuer = "C=US, O=Let's Encrypt, CN=R3";
    t.cert_not_before_s = 1'690'000'000;
    t.cert_not_after_s = 253'402'300'799ULL;
    t.cert_sha1 = std::array<std::uint8_t, 20>{0x00, 0x01, 0xab, 0xff, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x9c};
    const bj::object o = http::flow_json(f);
    CHECK(o.at("dpi_confidence") == "dpi");
    const auto& tls = o.at("tls").as_object();
    CHECK(tls.size() == 6);
    CHECK(tls.at("version") == "TLSv1.2");
    CHECK(tls.at("version_code") == 771);
    CHECK(tls.at("ja3_client") == "e7d705a3286e19ea42f587b344ee6865");
    CHECK(tls.at("ja3_server") == "f4febc55ea12b31ae17cfb7e614afda8");
    CHECK(tls.at("alpn") == "h2,http/1.1");
    const auto& cert = tls.at("certificate").as_object();
    CHECK(cert.size() == 5);
    CHECK(cert.at("subject") == "CN=www.example.com");
    CHECK(cert.at("issuer") == "C=US, O=Let's Encrypt, CN=R3");
    CHECK(cert.at("not_before") == 1'690'000'000);  // Unix seconds, as every time of this API
    CHECK(cert.at("not_after") == 253'402'300'799LL);
    CHECK(cert.at("sha1") == bj::value(std::string("0001abff10") + std::string(28, '0') + "9c"));
    CHECK(o.at("http").is_null());
}

TEST_CASE("tls versions are named, others shown as hex; unseen parts are null, never empty", "[json_views][dpi]") {
    const auto version = [](std::uint16_t v) {
        flow_item f;
        f.tls.emplace().version = v;
        return bj::value(http::flow_json(f).at("tls").at("version"));
    };
    CHECK(version(0x0300) == "SSLv3");
    CHECK(version(0x0301) == "TLSv1");
    CHECK(version(0x0302) == "TLSv1.1");
    CHECK(version(0x0304) == "TLSv1.3");
    CHECK(version(0xfeff) == "DTLSv1.0");
    CHECK(version(0xfefd) == "DTLSv1.2");
    CHECK(version(0x7f1c) == "0x7f1c");  // a TLS 1.3 draft
    CHECK(version(0xfafa) == "0xfafa");  // GREASE
    CHECK(version(0).is_null());

    flow_item f;
    f.tls.emplace().ja3_client = "e7d705a3286e19ea42f587b344ee6865";  // a ClientHello only
    const bj::object o = http::flow_json(f);
    const auto& tls = o.at("tls").as_object();
    CHECK(tls.size() == 6);  // one shape, whatever was seen
    CHECK(tls.at("version_code").is_null());
    CHECK(tls.at("ja3_server").is_null());
    CHECK(tls.at("alpn").is_null());
    CHECK(tls.at("certificate").is_null());
    f.tls->cert_not_after_s = 0;  // a certificate with a validity only: the rest null
    const bj::object c = http::flow_json(f);
    const auto& cert = c.at("tls").at("certificate").as_object();
    CHECK(cert.size() == 5);
    CHECK(cert.at("not_after") == 0);
    CHECK(cert.at("subject").is_null());
    CHECK(cert.at("sha1").is_null());
}

TEST_CASE("dpi confidence is named; a newer probe's value shows as null", "[json_views][dpi]") {
    flow_item f;
    f.confidence = dpi_confidence::match_by_port;
    CHECK(http::flow_json(f).at("dpi_confidence") == "match_by_port");
    f.confidence = dpi_confidence::match_by_ip;
    CHECK(http::flow_json(f).at("dpi_confidence") == "match_by_ip");
    f.confidence = dpi_confidence::dpi_cache;
    CHECK(http::flow_json(f).at("dpi_confidence") == "dpi_cache");
    f.confidence = static_cast<dpi_confidence>(9);
    CHECK(http::flow_json(f).at("dpi_confidence").is_null());
}

TEST_CASE("an http flow shows its request and status; a request without response has a null status",
          "[json_views][dpi]") {
    flow_item f;
    f.http = flow_http{"GET", "www.example.com/index.html", "curl/8.4.0", 200};
    const bj::object o = http::flow_json(f);
    const auto& h = o.at("http").as_object();
    CHECK(h.size() == 4);
    CHECK(h.at("method") == "GET");
    CHECK(h.at("url") == "www.example.com/index.html");
    CHECK(h.at("user_agent") == "curl/8.4.0");
    CHECK(h.at("response_code") == 200);
    CHECK(o.at("tls").is_null());
    f.http = flow_http{"POST", "", "", 0};
    const bj::object p = http::flow_json(f);
    CHECK(p.at("http").at("response_code").is_null());
    CHECK(p.at("http").at("url").is_null());
    CHECK(p.at("http").at("user_agent").is_null());
}

TEST_CASE("hostile certificate and http text is escaped in the JSON text and reads back unchanged",
          "[json_views][dpi]") {
    flow_item f;
    const std::string subject = "CN=\"><img src=x onerror=alert(1)>\\\x01\x1f\n\t\x7f caf\xc3\xa9 \xe2\x80\xa8";
    f.tls.emplace().cert_subject = subject;
    f.http = flow_http{"GET", "a/\"b\"</script>", "ua\r\nX-Injected: 1", 200};
    const std::string text = bj::serialize(http::flow_json(f));
    // No raw quote, backslash or control character of the names survives in the text.
    CHECK(text.find("\\\"><img src=x onerror=alert(1)>\\\\\\u0001\\u001f\\n\\t") != std::string::npos);
    CHECK(text.find("ua\\r\\nX-Injected: 1") != std::string::npos);
    CHECK(std::none_of(text.begin(), text.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }));
    const bj::value back = bj::parse(text);
    CHECK(back.at("tls").at("certificate").at("subject") == bj::value(subject));
    CHECK(back.at("http").at("url") == "a/\"b\"</script>");
    CHECK(back.at("http").at("user_agent") == "ua\r\nX-Injected: 1");
}

TEST_CASE("a flow shows each side's country and AS beside its address, null when unknown", "[json_views][geo]") {
    flow_item f;
    f.client_ip = "10.0.0.5";
    f.server_ip = "81.2.69.7";
    f.server_geo = endpoint_geo{*geo::country_code::parse("GB"), 20712};
    const bj::object o = http::flow_json(f);
    CHECK(o.at("client_country").is_null());
    CHECK(o.at("client_asn").is_null());
    CHECK(o.at("server_country") == "GB");
    CHECK(o.at("server_asn") == 20712);
    // An AS without a country (an ASN-only database answer).
    f.client_geo = endpoint_geo{{}, 1221};
    const bj::object p = http::flow_json(f);
    CHECK(p.at("client_country").is_null());
    CHECK(p.at("client_asn") == 1221);
}

TEST_CASE("a host shows country, AS number and AS name; null when unknown, the name as escaped text", "[json_views][geo]") {
    http::host_info h;
    h.ip = "10.0.0.1";
    const bj::object none = http::host_json(h);
    CHECK(none.at("country").is_null());
    CHECK(none.at("asn").is_null());
    CHECK(none.at("as_name").is_null());
    h.ip = "81.2.69.7";
    h.country = "GB";
    h.asn = 20712;
    h.as_name = "<script>alert(1)</script>";
    const bj::object o = http::host_json(h);
    CHECK(o.at("country") == "GB");
    CHECK(o.at("asn") == 20712);
    CHECK(o.at("as_name") == "<script>alert(1)</script>");
    CHECK(bj::serialize(o).find("\"as_name\":\"<script>alert(1)</script>\"") != std::string::npos);
}

TEST_CASE("a response body shows no <, > or & of a name, and reads back unchanged", "[json_views]") {
    flow_item f;
    f.server_name = "</script><script>alert(1)&</script>";
    const std::string body = http::safe_json(http::flow_json(f));
    CHECK(body.find_first_of("<>&") == std::string::npos);
    CHECK(body.find("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u0026") != std::string::npos);
    CHECK(bj::parse(body).at("server_name") == bj::value(f.server_name));
    // None of them: the serialized text as it is.
    f.server_name = "example.com";
    CHECK(http::safe_json(http::flow_json(f)) == bj::serialize(http::flow_json(f)));
}
