// store::write_batches: a group of batches in one transaction, bulk-loaded
// with COPY, de-duplicated by batch identity and by record identity.
#include "store_impl.hpp"

#include <optional>
#include <tuple>
#include <vector>

namespace wireflow::collector {
namespace {

// Staging tables live per connection; ON COMMIT DELETE ROWS empties them at
// each commit, and a rollback discards what an aborted group left.
constexpr const char* staging_ddl =
    "CREATE TEMP TABLE IF NOT EXISTS wf_staging_batches ("
    " ord integer NOT NULL, probe_id text NOT NULL, boot_id bigint NOT NULL,"
    " sequence bigint NOT NULL, records integer NOT NULL) ON COMMIT DELETE ROWS;"
    "CREATE TEMP TABLE IF NOT EXISTS wf_staging_flows ("
    " probe_id text, boot_id bigint, batch_seq bigint, flow_id bigint,"
    " first_seen_ns bigint, last_seen_ns bigint, vlan bigint, ip_version smallint, protocol smallint,"
    " client_ip inet, client_port integer, server_ip inet, server_port integer,"
    " c2s_packets bigint, c2s_bytes bigint, s2c_packets bigint, s2c_bytes bigint,"
    " c2s_tcp_flags smallint, s2c_tcp_flags smallint, end_reason smallint,"
    " client_mac macaddr, server_mac macaddr, app_protocol bigint, master_protocol bigint,"
    " app_name text, app_category text, server_name text, flow_risk bigint,"
    " client_blacklist text, server_blacklist text) ON COMMIT DELETE ROWS";

const std::vector<std::string> batch_columns{"ord", "probe_id", "boot_id", "sequence", "records"};

const std::vector<std::string> flow_columns{
    "probe_id",     "boot_id",      "batch_seq",     "flow_id",         "first_seen_ns", "last_seen_ns",
    "vlan",         "ip_version",   "protocol",      "client_ip",       "client_port",   "server_ip",
    "server_port",  "c2s_packets",  "c2s_bytes",     "s2c_packets",     "s2c_bytes",     "c2s_tcp_flags",
    "s2c_tcp_flags", "end_reason",  "client_mac",    "server_mac",      "app_protocol",  "master_protocol",
    "app_name",     "app_category", "server_name",   "flow_risk",       "client_blacklist", "server_blacklist"};

// New identities only; within the group the first occurrence of an identity
// wins (DISTINCT ON ... ORDER BY ord). Returns the ord of each batch stored now.
constexpr const char* insert_batches_sql =
    "WITH ins AS ("
    " INSERT INTO ingested_batches (probe_id, boot_id, sequence, records)"
    " SELECT DISTINCT ON (probe_id, boot_id, sequence) probe_id, boot_id, sequence, records"
    " FROM wf_staging_batches ORDER BY probe_id, boot_id, sequence, ord"
    " ON CONFLICT DO NOTHING RETURNING probe_id, boot_id, sequence)"
    " SELECT min(s.ord) FROM ins JOIN wf_staging_batches s USING (probe_id, boot_id, sequence)"
    " GROUP BY s.probe_id, s.boot_id, s.sequence";

// A record already stored (e.g. the same flow record re-sent in a new batch
// after a probe-side retry) is skipped by its identity.
constexpr const char* insert_flows_sql =
    "INSERT INTO flows (probe_id, boot_id, batch_seq, flow_id, first_seen, first_seen_ns, last_seen, last_seen_ns,"
    " vlan, ip_version, protocol, client_ip, client_port, server_ip, server_port,"
    " c2s_packets, c2s_bytes, s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason,"
    " client_mac, server_mac, app_protocol, master_protocol, app_name, app_category, server_name, flow_risk,"
    " client_blacklist, server_blacklist)"
    " SELECT probe_id, boot_id, batch_seq, flow_id, wf_ns_to_timestamptz(first_seen_ns), first_seen_ns,"
    " wf_ns_to_timestamptz(last_seen_ns), last_seen_ns,"
    " vlan, ip_version, protocol, client_ip, client_port, server_ip, server_port,"
    " c2s_packets, c2s_bytes, s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason,"
    " client_mac, server_mac, app_protocol, master_protocol, app_name, app_category, server_name, flow_risk,"
    " client_blacklist, server_blacklist"
    " FROM wf_staging_flows ON CONFLICT DO NOTHING";

// uint64 into bigint, the same 64 bits (see store.hpp).
constexpr long long bits(std::uint64_t v) noexcept { return static_cast<long long>(v); }

// Text for PostgreSQL's inet and macaddr input: the COPY is the edge where
// the binary values become text.
std::optional<std::string> mac_or_null(const std::optional<net::mac_address>& mac) {
    if (!mac) return std::nullopt;
    return mac->to_string();
}

}  // namespace

void store::impl::prepare_statements() {
    conn->prepare("wf_insert_batches", insert_batches_sql);
    conn->prepare("wf_insert_flows", insert_flows_sql);
    prepared = true;
}

void store::impl::create_staging(pqxx::transaction_base& tx) {
    tx.exec0(staging_ddl);
}

std::vector<write_result> store::write_batches(std::span<const flow_batch> batches) {
    if (batches.empty()) return {};
    return guarded(*impl_, "write batches", [&] {
        auto& c = impl_->connection();
        if (!impl_->staging) {
            pqxx::nontransaction tx{c};
            impl_->create_staging(tx);
            impl_->staging = true;
        }
        if (!impl_->prepared) impl_->prepare_statements();

        pqxx::work tx{c};
        {
            pqxx::stream_to copy{tx, "wf_staging_batches", batch_columns};
            for (std::size_t i = 0; i < batches.size(); ++i) {
                const auto& id = batches[i].id;
                copy << std::make_tuple(static_cast<int>(i), id.probe_id, bits(id.boot_id), bits(id.sequence),
                                        static_cast<long long>(batches[i].records.size()));
            }
            copy.complete();
        }
        std::vector<write_result> results(batches.size(), write_result::duplicate);
        bool any_new = false;
        for (const auto& row : tx.exec_prepared("wf_insert_batches")) {
            results.at(row[0].as<std::size_t>()) = write_result::stored;
            any_new = true;
        }
        if (any_new) {
            pqxx::stream_to copy{tx, "wf_staging_flows", flow_columns};
            for (std::size_t i = 0; i < batches.size(); ++i) {
                if (results[i] != write_result::stored) continue;
                const auto& id = batches[i].id;
                for (const auto& r : batches[i].records) {
                    copy << std::make_tuple(
                        id.probe_id, bits(id.boot_id), bits(id.sequence), bits(r.flow_id), bits(r.first_seen_ns),
                        bits(r.last_seen_ns), static_cast<long long>(r.vlan), static_cast<int>(r.ip_version()),
                        static_cast<int>(r.protocol), r.client_ip.to_string(), static_cast<int>(r.client_port),
                        r.server_ip.to_string(),
                        static_cast<int>(r.server_port), bits(r.c2s_packets), bits(r.c2s_bytes), bits(r.s2c_packets),
                        bits(r.s2c_bytes), static_cast<int>(r.c2s_tcp_flags), static_cast<int>(r.s2c_tcp_flags),
                        static_cast<int>(r.reason), mac_or_null(r.client_mac), mac_or_null(r.server_mac),
                        static_cast<long long>(r.app_protocol), static_cast<long long>(r.master_protocol), r.app_name,
                        r.app_category, r.server_name, bits(r.flow_risk), std::string(batches[i].blacklist_text(r.client_blacklist)),
                        std::string(batches[i].blacklist_text(r.server_blacklist)));
                }
            }
            copy.complete();
            tx.exec_prepared("wf_insert_flows");
        }
        tx.commit();
        return results;
    });
}

}  // namespace wireflow::collector
