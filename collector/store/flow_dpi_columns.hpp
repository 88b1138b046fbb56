#pragma once
// The columns of schema v7 (nDPI's confidence, the TLS handshake, the HTTP
// exchange) as the store's read queries select them, and their reader: one
// list for the REST flow query (flow_query) and store::read_flows. The
// writer's side is flow_rows (binary COPY).
//
// Internal to collector/store.

#include "model/flow_dpi.hpp"

#include <pqxx/pqxx>

#include <optional>
#include <string_view>

namespace wireflow::collector::flow_dpi_columns {

// Appended to a SELECT list (leading comma). Validity as whole Unix seconds
// (ingest stores whole seconds), the SHA-1 as hex text.
inline constexpr std::string_view select =
    ", dpi_confidence, tls_version, ja3_client, ja3_server, tls_alpn, cert_subject, cert_issuer,"
    " (extract(epoch FROM cert_not_before))::bigint, (extract(epoch FROM cert_not_after))::bigint,"
    " encode(cert_sha1, 'hex'), http_method, http_url, http_user_agent, http_status";
inline constexpr int count = 14;

struct details {
    dpi_confidence confidence{dpi_confidence::unknown};
    std::optional<flow_tls> tls;    // present when any TLS column is not NULL
    std::optional<flow_http> http;  // present when any HTTP column is not NULL
};

// Reads the `count` columns of `select` from column `at` of `r` on.
[[nodiscard]] details read(const pqxx::row& r, int at);

}  // namespace wireflow::collector::flow_dpi_columns
