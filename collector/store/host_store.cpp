#include "host_store.hpp"

#include "pg_array.hpp"

namespace wireflow::collector {
namespace {

// uint64 counters and ns times go to bigint bit for bit (see schema.cpp).
std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }

constexpr const char* select_hosts =
    "SELECT host(ip), vlan, coalesce(mac::text, ''), name, is_local,"
    " (extract(epoch FROM first_seen) * 1000000)::bigint * 1000, (extract(epoch FROM last_seen) * 1000000)::bigint * 1000,"
    " bytes_sent, bytes_rcvd, packets_sent, packets_rcvd, flows_as_client, flows_as_server FROM hosts";

stored_host read_host(const pqxx::row& r) {
    auto u64 = [&](int i) { return static_cast<std::uint64_t>(r[i].as<long long>()); };
    stored_host h;
    h.ip = r[0].as<std::string>();
    h.vlan = static_cast<std::uint16_t>(r[1].as<int>());
    h.mac = r[2].as<std::string>();
    h.name = r[3].as<std::string>();
    h.local = r[4].as<bool>();
    h.first_seen_ns = u64(5);
    h.last_seen_ns = u64(6);
    h.bytes_sent = u64(7);
    h.bytes_rcvd = u64(8);
    h.packets_sent = u64(9);
    h.packets_rcvd = u64(10);
    h.flows_client = u64(11);
    h.flows_server = u64(12);
    return h;
}

}  // namespace

void host_store::upsert(std::span<const host_update> rows) {
    if (rows.empty()) return;
    pg::array_builder ip, vlan, mac, name, local, fs, ls, bs, br, ps, pr, fc, fsv;
    for (const auto& h : rows) {
        ip.add_text(h.ip);
        vlan.add_int(h.vlan);
        if (h.mac.empty()) mac.add_null();
        else mac.add_text(h.mac);
        name.add_text(h.name);
        local.add_bool(h.local);
        fs.add_int(i64(h.first_seen_ns));
        ls.add_int(i64(h.last_seen_ns));
        bs.add_int(i64(h.bytes_sent));
        br.add_int(i64(h.bytes_rcvd));
        ps.add_int(i64(h.packets_sent));
        pr.add_int(i64(h.packets_rcvd));
        fc.add_int(i64(h.flows_client));
        fsv.add_int(i64(h.flows_server));
    }
    db_.run("upsert hosts", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params0(
            "INSERT INTO hosts AS h (ip, vlan, mac, name, is_local, first_seen, last_seen, bytes_sent, bytes_rcvd,"
            " packets_sent, packets_rcvd, flows_as_client, flows_as_server)"
            " SELECT ip::inet, vlan, mac::macaddr, name, loc, wf_ns_to_timestamptz(fs), wf_ns_to_timestamptz(ls),"
            " bs, br, ps, pr, fc, fsv"
            " FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bool[], $6::bigint[], $7::bigint[],"
            " $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[])"
            " AS t(ip, vlan, mac, name, loc, fs, ls, bs, br, ps, pr, fc, fsv)"
            " ON CONFLICT (ip, vlan) DO UPDATE SET"
            " mac = coalesce(EXCLUDED.mac, h.mac),"
            " name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE h.name END,"
            " is_local = EXCLUDED.is_local,"
            " first_seen = least(h.first_seen, EXCLUDED.first_seen),"
            " last_seen = greatest(h.last_seen, EXCLUDED.last_seen),"
            " bytes_sent = h.bytes_sent + EXCLUDED.bytes_sent,"
            " bytes_rcvd = h.bytes_rcvd + EXCLUDED.bytes_rcvd,"
            " packets_sent = h.packets_sent + EXCLUDED.packets_sent,"
            " packets_rcvd = h.packets_rcvd + EXCLUDED.packets_rcvd,"
            " flows_as_client = greatest(h.flows_as_client, EXCLUDED.flows_as_client),"
            " flows_as_server = greatest(h.flows_as_server, EXCLUDED.flows_as_server)",
            ip.str(), vlan.str(), mac.str(), name.str(), local.str(), fs.str(), ls.str(), bs.str(), br.str(),
            ps.str(), pr.str(), fc.str(), fsv.str());
        tx.commit();
    });
}

std::optional<stored_host> host_store::find(const std::string& ip, std::uint16_t vlan) {
    return db_.run("find host", [&](pqxx::connection& c) -> std::optional<stored_host> {
        pqxx::nontransaction tx{c};
        const auto r = tx.exec_params(std::string(select_hosts) + " WHERE ip = $1::inet AND vlan = $2", ip,
                                      static_cast<int>(vlan));
        if (r.empty()) return std::nullopt;
        return read_host(r[0]);
    });
}

std::vector<stored_host> host_store::all() {
    return db_.run("read hosts", [&](pqxx::connection& c) {
        pqxx::nontransaction tx{c};
        std::vector<stored_host> out;
        for (const auto& r : tx.exec(std::string(select_hosts) + " ORDER BY ip, vlan")) out.push_back(read_host(r));
        return out;
    });
}

}  // namespace wireflow::collector
