#include "alert/flow_risk_names.hpp"

#include <array>

#include "model/flow_batch.hpp"

extern "C" {
#include <ndpi/ndpi_api.h>
}

namespace wireflow::collector::alert {
namespace {

// The protocol ids the collector's model names without including nDPI.
static_assert(flow_record::ndpi_dhcp == NDPI_PROTOCOL_DHCP && flow_record::ndpi_dhcpv6 == NDPI_PROTOCOL_DHCPV6);
static_assert(flow_record::ndpi_mdns == NDPI_PROTOCOL_MDNS && flow_record::ndpi_netbios == NDPI_PROTOCOL_NETBIOS &&
              flow_record::ndpi_llmnr == NDPI_PROTOCOL_LLMNR);

// Our stable names, from nDPI 4.2's ndpi_risk_enum identifiers. A newer nDPI
// with more risks fails this assertion: add their names (never rename one:
// stored alerts and operators' preferences use them).
constexpr std::array<std::string_view, 42> type_names{
    "",
    "ndpi_url_possible_xss",
    "ndpi_url_possible_sql_injection",
    "ndpi_url_possible_rce_injection",
    "ndpi_binary_application_transfer",
    "ndpi_known_protocol_on_non_standard_port",
    "ndpi_tls_selfsigned_certificate",
    "ndpi_tls_obsolete_version",
    "ndpi_tls_weak_cipher",
    "ndpi_tls_certificate_expired",
    "ndpi_tls_certificate_mismatch",
    "ndpi_http_suspicious_user_agent",
    "ndpi_http_numeric_ip_host",
    "ndpi_http_suspicious_url",
    "ndpi_http_suspicious_header",
    "ndpi_tls_not_carrying_https",
    "ndpi_suspicious_dga_domain",
    "ndpi_malformed_packet",
    "ndpi_ssh_obsolete_client_version_or_cipher",
    "ndpi_ssh_obsolete_server_version_or_cipher",
    "ndpi_smb_insecure_version",
    "ndpi_tls_suspicious_esni_usage",
    "ndpi_unsafe_protocol",
    "ndpi_dns_suspicious_traffic",
    "ndpi_tls_missing_sni",
    "ndpi_http_suspicious_content",
    "ndpi_risky_asn",
    "ndpi_risky_domain",
    "ndpi_malicious_ja3",
    "ndpi_malicious_sha1_certificate",
    "ndpi_desktop_or_file_sharing_session",
    "ndpi_tls_uncommon_alpn",
    "ndpi_tls_cert_validity_too_long",
    "ndpi_tls_suspicious_extension",
    "ndpi_tls_fatal_alert",
    "ndpi_suspicious_entropy",
    "ndpi_clear_text_credentials",
    "ndpi_dns_large_packet",
    "ndpi_dns_fragmented",
    "ndpi_invalid_characters",
    "ndpi_possible_exploit",
    "ndpi_tls_certificate_about_to_expire",
};
static_assert(type_names.size() == NDPI_MAX_RISK, "nDPI's risk list changed: name the new risks");

severity level_of(ndpi_risk_enum r) noexcept {
    const ndpi_risk_info* info = ndpi_risk2severity(r);
    if (!info) return severity::notice;
    switch (info->severity) {
    case NDPI_RISK_LOW: return severity::notice;
    case NDPI_RISK_MEDIUM: return severity::warning;
    case NDPI_RISK_HIGH: return severity::error;
    case NDPI_RISK_SEVERE: return severity::critical;
    }
    return severity::notice;
}

// Built once (thread-safe static); the descriptions are nDPI's static strings.
std::vector<risk_type> build() {
    std::vector<risk_type> out;
    for (unsigned i = 1; i < type_names.size(); ++i) {
        const auto r = static_cast<ndpi_risk_enum>(i);
        out.push_back(risk_type{i, type_names[i], ndpi_risk2str(r), level_of(r)});
    }
    return out;
}

const std::vector<risk_type>& table() {
    static const std::vector<risk_type> t = build();
    return t;
}

}  // namespace

std::span<const risk_type> risk_types() noexcept { return table(); }

const risk_type* risk_type_of(unsigned bit) noexcept {
    if (bit == 0 || bit >= type_names.size()) return nullptr;
    return &table()[bit - 1];
}

const risk_type* risk_type_named(std::string_view type) noexcept {
    for (const auto& t : table())
        if (t.type == type) return &t;
    return nullptr;
}

std::vector<std::string> flow_risk_names(std::uint64_t risk_bits) {
    std::vector<std::string> out;
    for (unsigned i = 1; i < 64; ++i) {
        if (((risk_bits >> i) & 1u) == 0) continue;
        // Only known values: for others ndpi_risk2str formats into a static
        // buffer, which is not thread-safe.
        if (const auto* t = risk_type_of(i)) out.emplace_back(t->description);
        else out.push_back("risk " + std::to_string(i));
    }
    if ((risk_bits & 1u) != 0 && out.empty()) out.emplace_back("risk 0");
    return out;
}

}  // namespace wireflow::collector::alert
