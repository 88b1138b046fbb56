// Handlers: host pools, unassigned devices, alerts, preferences, blacklists.
#include "alert/alert_engine.hpp"
#include "app/collector_app.hpp"
#include "blacklist/blacklist_manager.hpp"
#include "handlers.hpp"
#include "json_views.hpp"
#include "params.hpp"

namespace wireflow::collector::http::handlers {

namespace bj = boost::json;

namespace {

aggregate::pool_id pool_id_of(const call& c) {
    const auto id = parse_uint_or_400(c.param("id"), "id", 0xffffffffu);
    if (id == 0) throw api_error(404, "not_found", "no such pool");  // 0 is "unassigned", not a pool
    return static_cast<aggregate::pool_id>(id);
}

const aggregate::pool_info& find_pool(const std::vector<aggregate::pool_info>& pools, aggregate::pool_id id) {
    for (const auto& p : pools)
        if (p.id == id) return p;
    throw api_error(404, "not_found", "no such pool");
}

void check(const aggregate::pool_result& r) {
    if (r.ok()) return;
    if (r.error.starts_with("no pool with id"))
        throw api_error(404, "not_found", r.error);
    if (r.error.find("already") != std::string::npos) throw api_error(409, "conflict", r.error);
    throw api_error(400, "invalid", r.error);
}

// {"member": "x"} or {"members": ["x", ...]} (at most 1000 per request).
std::vector<std::string> members_of(const bj::object& body, bool required) {
    std::vector<std::string> out;
    if (const auto one = field_string(body, "member", 128)) out.push_back(*one);
    if (const auto* many = body.if_contains("members")) {
        if (!many->is_array()) throw api_error(400, "bad_parameter", "members: expects an array of strings");
        if (many->as_array().size() > 1000) throw api_error(400, "bad_parameter", "members: at most 1000");
        for (const auto& m : many->as_array()) {
            if (!m.is_string() || m.as_string().size() > 128)
                throw api_error(400, "bad_parameter", "members: expects strings of at most 128 bytes");
            out.emplace_back(m.as_string());
        }
    }
    if (required && out.empty()) throw api_error(400, "bad_parameter", "member or members is required");
    return out;
}

alert::alert_engine& engine(call& c) {
    auto* e = c.svc.app.alert_engine();
    if (!e) throw api_error(503, "unavailable", "the alert engine is not running");
    return *e;
}

blacklist::blacklist_manager& manager(call& c) {
    auto* m = c.svc.app.blacklist_manager();
    if (!m) throw api_error(503, "unavailable", "the blacklist manager is not running");
    return *m;
}

}  // namespace

reply list_pools(call& c) {
    bj::array items;
    const auto pools = c.svc.app.pools().list();
    for (const auto& p : pools) items.emplace_back(pool_json(p));
    return json_reply(list_view(pools.size(), std::move(items)));
}

reply create_pool(call& c) {
    const auto body = c.body();
    only_fields(body, {"name", "member", "members"});
    const auto name = field_string(body, "name", 128);
    if (!name) throw api_error(400, "bad_parameter", "name is required");
    const auto members = members_of(body, false);
    auto& pools = c.svc.app.pools();
    const auto created = pools.create(*name);
    check(created);
    for (const auto& m : members) {
        const auto r = pools.add_member(created.id, m);
        if (!r.ok()) {
            // All or nothing: the pool goes away again with its members.
            (void)pools.remove(created.id);
            throw api_error(400, "invalid", r.error);
        }
    }
    return json_reply(pool_json(find_pool(pools.list(), created.id)), 201);
}

reply get_pool(call& c) {
    const auto id = pool_id_of(c);
    return json_reply(pool_json(find_pool(c.svc.app.pools().list(), id)));
}

reply update_pool(call& c) {
    const auto id = pool_id_of(c);
    const auto body = c.body();
    only_fields(body, {"name"});
    const auto name = field_string(body, "name", 128);
    if (!name) throw api_error(400, "bad_parameter", "name is required");
    (void)find_pool(c.svc.app.pools().list(), id);
    check(c.svc.app.pools().rename(id, *name));
    return json_reply(pool_json(find_pool(c.svc.app.pools().list(), id)));
}

reply delete_pool(call& c) {
    const auto id = pool_id_of(c);
    if (!c.req.body().empty()) only_fields(c.body(), {});
    (void)find_pool(c.svc.app.pools().list(), id);
    check(c.svc.app.pools().remove(id));
    return json_reply(bj::object{{"ok", true}});
}

reply add_pool_members(call& c) {
    const auto id = pool_id_of(c);
    const auto body = c.body();
    only_fields(body, {"member", "members"});
    const auto members = members_of(body, true);
    auto& pools = c.svc.app.pools();
    (void)find_pool(pools.list(), id);
    for (std::size_t i = 0; i < members.size(); ++i) {
        const auto r = pools.add_member(id, members[i]);
        if (!r.ok()) {
            for (std::size_t k = 0; k < i; ++k) (void)pools.remove_member(id, members[k]);
            throw api_error(400, "invalid", r.error);
        }
    }
    return json_reply(pool_json(find_pool(pools.list(), id)));
}

reply remove_pool_members(call& c) {
    const auto id = pool_id_of(c);
    std::vector<std::string> members;
    if (const auto* m = c.query.get("member")) {
        if (m->size() > 128) throw api_error(400, "bad_parameter", "member: at most 128 bytes");
        members.push_back(*m);
    }
    if (!c.req.body().empty()) {
        const auto body = c.body();
        only_fields(body, {"member", "members"});
        for (auto& m : members_of(body, false)) members.push_back(std::move(m));
    }
    if (members.empty()) throw api_error(400, "bad_parameter", "member or members is required");
    auto& pools = c.svc.app.pools();
    (void)find_pool(pools.list(), id);
    for (const auto& m : members) check(pools.remove_member(id, m));
    return json_reply(pool_json(find_pool(pools.list(), id)));
}

reply unassigned_devices(call& c) {
    const auto page = read_page(c.query, {}, "", false, 100);
    const auto all = c.svc.app.pools().unassigned(page.offset + page.limit > 100000 ? 100000 : page.offset + page.limit);
    bj::array items;
    for (std::size_t i = page.offset; i < all.size() && i < page.offset + page.limit; ++i) items.emplace_back(device_json(all[i]));
    // total: the devices known up to this page (the service bounds the scan).
    return json_reply(list_view(all.size(), std::move(items)));
}

reply alerts(call& c) {
    const auto page = read_page(c.query, {}, "", true, 100);
    alert_query q;
    q.limit = page.limit;
    q.offset = page.offset;
    q.type = read_text(c.query, "type", 64);
    q.severity = read_text(c.query, "severity", 16);
    if (!q.severity.empty() && !alert::parse_severity(q.severity))
        throw api_error(400, "bad_parameter", "severity: info, notice, warning, error or critical");
    q.entity_type = read_text(c.query, "entity_type", 32);
    q.entity_id = read_text(c.query, "entity_id", 256);
    if (const auto* s = c.query.get("state")) {
        if (*s == "engaged") q.engaged = true;
        else if (*s == "released") q.engaged = false;
        else throw api_error(400, "bad_parameter", "state: engaged or released");
    }
    q.acknowledged = read_bool(c.query, "acknowledged");
    const auto from = read_time(c.query, "from");
    const auto to = read_time(c.query, "to");
    if (from && to && *from > *to) throw api_error(400, "bad_parameter", "from must not be after to");
    q.from = from;
    q.to = to;
    const auto result = engine(c).list(q);
    bj::array items;
    for (const auto& a : result.items) items.emplace_back(alert_json(a));
    return json_reply(list_view(result.total, std::move(items)));
}

reply ack_alert(call& c) {
    const auto id = parse_uint_or_400(c.param("id"), "id", 9223372036854775807ull);
    if (!c.req.body().empty()) only_fields(c.body(), {});
    if (!engine(c).acknowledge(static_cast<std::int64_t>(id), c.who.user)) throw api_error(404, "not_found", "no such alert");
    return json_reply(bj::object{{"ok", true}});
}

reply get_preferences(call& c) { return json_reply(alert::to_json(engine(c).preferences())); }

reply put_preferences(call& c) {
    const auto body = c.body();
    auto& e = engine(c);
    std::string error;
    const auto next = alert::apply_json(e.preferences(), body, error);
    if (!next) throw api_error(400, "invalid", error);
    e.set_preferences(*next);
    return json_reply(alert::to_json(e.preferences()));
}

reply blacklists(call& c) {
    const auto list = manager(c).status();
    bj::array items;
    for (const auto& s : list) items.emplace_back(blacklist_json(s));
    auto out = list_view(list.size(), std::move(items));
    // The last nftables command's failure (empty: none ran or it succeeded).
    out.as_object()["nft_error"] = manager(c).last_nft_error();
    return json_reply(out);
}

reply reload_blacklists(call& c) {
    auto& m = manager(c);
    if (!c.req.body().empty()) only_fields(c.body(), {});
    if (!c.svc.jobs.start([&m] { (void)m.reload(); }))
        throw api_error(409, "busy", "a reload is already running");
    return json_reply(bj::object{{"status", "reloading"}}, 202);
}

reply update_blacklist(call& c) {
    const auto& name = c.param("name");
    const auto body = c.body();
    only_fields(body, {"enabled"});
    const auto enabled = field_bool(body, "enabled");
    if (!enabled) throw api_error(400, "bad_parameter", "enabled is required");
    if (!manager(c).set_enabled(name, *enabled)) throw api_error(404, "not_found", "no such blacklist");
    for (const auto& s : manager(c).status())
        if (s.source.name == name) return json_reply(blacklist_json(s));
    throw api_error(404, "not_found", "no such blacklist");
}

}  // namespace wireflow::collector::http::handlers
