#include "pool_store.hpp"

#include "pg_array.hpp"

#include <map>

namespace wireflow::collector {

std::vector<stored_pool> pool_store::load() {
    return db_.run("load pools", [](pqxx::connection& c) {
        pqxx::work tx{c};  // one snapshot for both reads
        std::vector<stored_pool> out;
        std::map<std::uint32_t, std::size_t> index;
        for (const auto& r : tx.exec("SELECT id, name FROM pools ORDER BY id")) {
            index[r[0].as<std::uint32_t>()] = out.size();
            out.push_back({r[0].as<std::uint32_t>(), r[1].as<std::string>(), {}});
        }
        for (const auto& r : tx.exec("SELECT pool_id, kind, member, vlan FROM pool_members ORDER BY id")) {
            const auto it = index.find(r[0].as<std::uint32_t>());
            if (it == index.end()) continue;
            stored_pool_member m;
            m.is_mac = r[1].as<std::string>() == "mac";
            m.value = r[2].as<std::string>();
            if (!r[3].is_null()) m.vlan = static_cast<std::uint16_t>(r[3].as<int>());
            out[it->second].members.push_back(std::move(m));
        }
        tx.commit();
        return out;
    });
}

void pool_store::save(const stored_pool& pool) {
    pg::array_builder kinds, values, vlans;
    for (const auto& m : pool.members) {
        kinds.add_text(m.is_mac ? "mac" : "cidr");
        values.add_text(m.value);
        if (m.vlan) vlans.add_int(*m.vlan);
        else vlans.add_null();
    }
    db_.run("save pool", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        tx.exec_params0(
            "INSERT INTO pools (id, name) OVERRIDING SYSTEM VALUE VALUES ($1, $2)"
            " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
            static_cast<long long>(pool.id), pool.name);
        tx.exec_params0("DELETE FROM pool_members WHERE pool_id = $1", static_cast<long long>(pool.id));
        // Identity ids follow the ORDER BY: the member order survives.
        tx.exec_params0(
            "INSERT INTO pool_members (pool_id, kind, member, vlan)"
            " SELECT $1, k, m, v FROM unnest($2::text[], $3::text[], $4::int[]) WITH ORDINALITY AS t(k, m, v, o)"
            " ORDER BY o",
            static_cast<long long>(pool.id), kinds.str(), values.str(), vlans.str());
        tx.commit();
    });
}

bool pool_store::remove(std::uint32_t id) {
    return db_.run("delete pool", [&](pqxx::connection& c) {
        pqxx::work tx{c};
        const auto r = tx.exec_params("DELETE FROM pools WHERE id = $1", static_cast<long long>(id));
        tx.commit();
        return r.affected_rows() > 0;
    });
}

}  // namespace wireflow::collector
