// store: connection, error mapping, migrations and the read helpers.
// write_batches is in flow_writer.cpp, partitions in partitions.cpp, probe
// statistics in probe_stats_writer.cpp.
#include "store_impl.hpp"

#include "db_pool.hpp"
#include "flow_dpi_columns.hpp"
#include "flow_geo_columns.hpp"
#include "schema.hpp"

#include <algorithm>
#include <new>
#include <utility>

namespace wireflow::collector {
namespace {

void forget(store::impl& s) noexcept {
    s.conn.reset();
}

}  // namespace

void rethrow_as_store_error(store::impl& s, std::string_view doing) {
    // The classification (unavailable / rejected) is db_pool's, shared by every
    // store class; the store only adds whether its own connection is gone, so
    // the next call reopens it.
    bool lost = true;
    try {
        throw;
    } catch (const store_error&) {
        lost = false;
    } catch (const std::bad_alloc&) {
        lost = false;
    } catch (const pqxx::sql_error& e) {
        // SQLSTATE class 08 connection exception, 57 operator intervention
        // (e.g. 57P01 terminated by administrator): the connection is gone.
        const std::string& state = e.sqlstate();
        lost = state.starts_with("08") || state.starts_with("57") || (s.conn && !s.conn->is_open());
    } catch (...) {
        // broken_connection, in_doubt_error (the commit may or may not have
        // happened: retrying is safe, batch identities de-duplicate) and the rest.
    }
    if (lost) forget(s);
    throw_as_store_error(doing);
}

void store::impl::open() {
    conn.reset();
    auto c = std::make_unique<pqxx::connection>(conninfo);
    {
        pqxx::nontransaction tx{*c};
        // CREATE ... IF NOT EXISTS notices would go to stderr otherwise.
        tx.exec0("SET client_min_messages = warning");
        tx.exec0("SET application_name = 'wireflow-collector'");
        tx.exec0("SET TIME ZONE 'UTC'");
    }
    conn = std::move(c);
}

pqxx::connection& store::impl::connection() {
    if (!conn || !conn->is_open()) open();
    return *conn;
}

store::store(std::string conninfo) : impl_(std::make_unique<impl>()) {
    impl_->conninfo = std::move(conninfo);
    guarded(*impl_, "connect", [&] { impl_->open(); });
}

store::~store() = default;
store::store(store&&) noexcept = default;
store& store::operator=(store&&) noexcept = default;

void store::reconnect() {
    impl_->writer.reset();
    guarded(*impl_, "reconnect", [&] { impl_->open(); });
}

bool store::is_open() const noexcept { return impl_ && impl_->conn && impl_->conn->is_open(); }

int store::backend_pid() {
    return impl_->writer_connection().backend_pid();
}

int store::latest_schema_version() noexcept { return schema::migrations().back().version; }

int store::migrate() {
    return guarded(*impl_, "migrate", [&] {
        auto& c = impl_->connection();
        int current = 0;
        for (const auto& m : schema::migrations()) {
            pqxx::work tx{c};
            // Serializes concurrent collectors: the second one waits, then
            // sees the version applied and skips it.
            tx.exec_params("SELECT pg_advisory_xact_lock($1)", schema::advisory_lock_key);
            tx.exec0(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY,"
                " description text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())");
            const auto done = tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version);
            if (done.empty()) {
                tx.exec0(std::string(m.sql));
                tx.exec_params0("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)", m.version,
                                std::string(m.description));
            }
            tx.commit();
            current = m.version;
        }
        return current;
    });
}

std::uint64_t store::count_flows() {
    return guarded(*impl_, "count flows", [&] {
        pqxx::nontransaction tx{impl_->connection()};
        return static_cast<std::uint64_t>(tx.exec1("SELECT count(*) FROM flows")[0].as<long long>());
    });
}

std::uint64_t store::count_ingested_batches() {
    return guarded(*impl_, "count batches", [&] {
        pqxx::nontransaction tx{impl_->connection()};
        return static_cast<std::uint64_t>(tx.exec1("SELECT count(*) FROM ingested_batches")[0].as<long long>());
    });
}

std::vector<stored_flow> store::read_flows(std::string_view probe_id) {
    return guarded(*impl_, "read flows", [&] {
        pqxx::nontransaction tx{impl_->connection()};
        const auto r = tx.exec_params(
            "SELECT probe_id, boot_id, batch_seq, flow_id, vlan, ip_version, protocol,"
            " host(client_ip), client_port, host(server_ip), server_port, first_seen_ns, last_seen_ns,"
            " c2s_packets, c2s_bytes, s2c_packets, s2c_bytes, c2s_tcp_flags, s2c_tcp_flags, end_reason,"
            " client_mac::text, server_mac::text, app_protocol, master_protocol, app_name, app_category,"
            " server_name, flow_risk, client_blacklist, server_blacklist, dns_query_type, dns_reply_code,"
            " host(dns_answer), tunnel_type, tunnel_id, host(tunnel_client_ip), host(tunnel_server_ip)" +
                std::string(flow_dpi_columns::select) + std::string(flow_geo_columns::select) +
                " FROM flows WHERE probe_id = $1 ORDER BY flow_id, first_seen_ns",
            std::string(probe_id));
        std::vector<stored_flow> out;
        out.reserve(r.size());
        for (const auto& row : r) {
            auto u64 = [&](int i) { return static_cast<std::uint64_t>(row[i].as<long long>()); };
            auto text = [&](int i) { return row[i].is_null() ? std::string() : row[i].as<std::string>(); };
            stored_flow f;
            f.batch.probe_id = text(0);
            f.batch.boot_id = u64(1);
            f.batch.sequence = u64(2);
            flow_record& x = f.row;
            x.flow_id = u64(3);
            x.vlan = static_cast<std::uint16_t>(u64(4));
            x.protocol = static_cast<std::uint8_t>(u64(6));
            x.client_ip = net::ip_address::parse(text(7)).value_or(net::ip_address{});
            x.client_port = static_cast<std::uint16_t>(u64(8));
            x.server_ip = net::ip_address::parse(text(9)).value_or(net::ip_address{});
            x.server_port = static_cast<std::uint16_t>(u64(10));
            x.first_seen_ns = u64(11);
            x.last_seen_ns = u64(12);
            x.c2s_packets = u64(13);
            x.c2s_bytes = u64(14);
            x.s2c_packets = u64(15);
            x.s2c_bytes = u64(16);
            x.c2s_tcp_flags = static_cast<std::uint8_t>(u64(17));
            x.s2c_tcp_flags = static_cast<std::uint8_t>(u64(18));
            x.reason = static_cast<end_reason>(u64(19));
            if (!row[20].is_null()) x.client_mac = net::mac_address::parse(text(20));
            if (!row[21].is_null()) x.server_mac = net::mac_address::parse(text(21));
            x.app_protocol = static_cast<std::uint32_t>(u64(22));
            x.master_protocol = static_cast<std::uint32_t>(u64(23));
            x.app_name = text(24);
            x.app_category = text(25);
            x.server_name = text(26);
            x.flow_risk = u64(27);
            f.client_blacklist = text(28);
            f.server_blacklist = text(29);
            x.dns_query_type = static_cast<std::uint16_t>(u64(30));
            x.dns_reply_code = static_cast<std::uint8_t>(u64(31));
            if (!row[32].is_null()) x.dns_answer = net::ip_address::parse(text(32));
            if (!row[33].is_null()) {
                const auto client_side = net::ip_address::parse(text(35));
                const auto server_side = net::ip_address::parse(text(36));
                if (client_side && server_side)
                    x.tunnel = flow_tunnel{static_cast<tunnel_type>(u64(33)), static_cast<std::uint32_t>(u64(34)),
                                           *client_side, *server_side};
            }
            auto dpi = flow_dpi_columns::read(row, 37);
            x.confidence = dpi.confidence;
            x.tls = std::move(dpi.tls);
            x.http = std::move(dpi.http);
            const auto geo = flow_geo_columns::read(row, 37 + flow_dpi_columns::count);
            x.client_geo = geo.client;
            x.server_geo = geo.server;
            out.push_back(std::move(f));
        }
        return out;
    });
}

std::vector<partition_info> store::list_partitions() {
    return guarded(*impl_, "list partitions", [&] {
        pqxx::nontransaction tx{impl_->connection()};
        const auto names = tx.exec(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'flows'::regclass ORDER BY c.relname");
        std::vector<partition_info> out;
        for (const auto& n : names) {
            partition_info p;
            p.name = n[0].as<std::string>();
            // Identifiers cannot be parameters; the name comes from the catalog
            // and is quoted.
            p.rows = static_cast<std::uint64_t>(
                tx.exec1("SELECT count(*) FROM " + tx.quote_name(p.name))[0].as<long long>());
            out.push_back(std::move(p));
        }
        return out;
    });
}

}  // namespace wireflow::collector
