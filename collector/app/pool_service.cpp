#include "pool_service.hpp"

#include <stdexcept>

namespace wireflow::collector::app {

stored_pool to_stored(const aggregate::pool_snapshot& p) {
    stored_pool out{p.id, p.name, {}};
    for (const auto& text : p.members) {
        const auto m = aggregate::pool_member::parse(text);
        if (!m) continue;  // snapshot members are canonical: cannot happen
        stored_pool_member s;
        s.is_mac = m->is_mac;
        s.value = text.substr(0, text.find('@'));
        if (m->vlan != aggregate::any_vlan) s.vlan = m->vlan;
        out.members.push_back(std::move(s));
    }
    return out;
}

aggregate::pool_snapshot to_snapshot(const stored_pool& p) {
    aggregate::pool_snapshot out{p.id, p.name, {}};
    for (const auto& m : p.members)
        out.members.push_back(m.vlan ? m.value + "@" + std::to_string(*m.vlan) : m.value);
    return out;
}

void pool_service::restore() {
    std::lock_guard lock(mutex_);
    std::vector<aggregate::pool_snapshot> snaps;
    for (const auto& p : db_.load()) snaps.push_back(to_snapshot(p));
    const auto r = live_.restore_pools(snaps);
    if (!r.ok()) throw std::runtime_error("pools in PostgreSQL do not validate: " + r.error);
    restored_ = true;
}

bool pool_service::restored() const {
    std::lock_guard lock(mutex_);
    return restored_;
}

template <class Edit>
aggregate::pool_result pool_service::edit(aggregate::pool_id id, Edit&& e) {
    std::lock_guard lock(mutex_);
    if (!restored_)
        throw store_error(store_error::kind::unavailable, "pools: not loaded from PostgreSQL yet (database down?)");
    const auto before = live_.pools_snapshot();
    auto r = e();
    if (!r.ok()) return r;
    const aggregate::pool_id target = r.id != aggregate::no_pool ? r.id : id;
    try {
        const auto after = live_.pools_snapshot();
        const aggregate::pool_snapshot* edited = nullptr;
        for (const auto& p : after)
            if (p.id == target) edited = &p;
        if (edited) db_.save(to_stored(*edited));
        else db_.remove(target);
    } catch (...) {
        // The database refused or is down: undo the live edit, then report.
        (void)live_.restore_pools(before);
        throw;
    }
    return r;
}

aggregate::pool_result pool_service::create(std::string_view name) {
    return edit(aggregate::no_pool, [&] { return live_.create_pool(name); });
}
aggregate::pool_result pool_service::rename(aggregate::pool_id id, std::string_view name) {
    return edit(id, [&] { return live_.rename_pool(id, name); });
}
aggregate::pool_result pool_service::remove(aggregate::pool_id id) {
    return edit(id, [&] {
        auto r = live_.delete_pool(id);
        r.id = id;  // gone from the snapshot: edit() deletes its row
        return r;
    });
}
aggregate::pool_result pool_service::add_member(aggregate::pool_id id, std::string_view member) {
    return edit(id, [&] { return live_.add_pool_member(id, member); });
}
aggregate::pool_result pool_service::remove_member(aggregate::pool_id id, std::string_view member) {
    return edit(id, [&] { return live_.remove_pool_member(id, member); });
}

std::vector<unassigned_device> pool_service::unassigned(std::size_t limit) const {
    aggregate::host_query q;
    q.pool = aggregate::no_pool;
    q.where = aggregate::locality::local;
    q.by = aggregate::host_sort::last_seen;
    q.limit = limit;
    std::vector<unassigned_device> out;
    for (const auto& h : live_.query(q).items)
        out.push_back({h.mac ? h.mac->to_string() : std::string(), h.ip.to_string(), h.vlan, h.name});
    return out;
}

}  // namespace wireflow::collector::app
