// Handlers: host pools, unassigned devices, alerts, preferences, blacklists.
#include "handlers.hpp"
#include "json_views.hpp"
#include "params.hpp"

namespace wireflow::collector::http::handlers {

namespace bj = boost::json;

namespace {

std::uint32_t pool_id_of(const call& c) {
    const auto id = parse_uint_or_400(c.param("id"), "id", 0xffffffffu);
    if (id == 0) throw api_error(404, "not_found", "no such pool");  // 0 is "unassigned", not a pool
    return static_cast<std::uint32_t>(id);
}

pool_info find_pool(collector_api& api, std::uint32_t id) {
    for (auto& p : api.pools())
        if (p.id == id) return p;
    throw api_error(404, "not_found", "no such pool");
}

void check(const pool_edit& r) {
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

}  // namespace

reply list_pools(call& c) {
    bj::array items;
    const auto pools = c.svc.api.pools();
    for (const auto& p : pools) items.emplace_back(pool_json(p));
    return json_reply(list_view(pools.size(), std::move(items)));
}

reply create_pool(call& c) {
    const auto body = c.body();
    only_fields(body, {"name", "member", "members"});
    const auto name = field_string(body, "name", 128);
    if (!name) throw api_error(400, "bad_parameter", "name is required");
    const auto members = members_of(body, false);
    auto& api = c.svc.api;
    const auto created = api.create_pool(*name);
    check(created);
    for (const auto& m : members) {
        const auto r = api.add_pool_member(created.id, m);
        if (!r.ok()) {
            // All or nothing: the pool goes away again with its members.
            (void)api.remove_pool(created.id);
            throw api_error(400, "invalid", r.error);
        }
    }
    return json_reply(pool_json(find_pool(api, created.id)), 201);
}

reply get_pool(call& c) {
    const auto id = pool_id_of(c);
    return json_reply(pool_json(find_pool(c.svc.api, id)));
}

reply update_pool(call& c) {
    const auto id = pool_id_of(c);
    const auto body = c.body();
    only_fields(body, {"name"});
    const auto name = field_string(body, "name", 128);
    if (!name) throw api_error(400, "bad_parameter", "name is required");
    (void)find_pool(c.svc.api, id);
    check(c.svc.api.rename_pool(id, *name));
    return json_reply(pool_json(find_pool(c.svc.api, id)));
}

reply delete_pool(call& c) {
    const auto id = pool_id_of(c);
    if (!c.req.body().empty()) only_fields(c.body(), {});
    (void)find_pool(c.svc.api, id);
    check(c.svc.api.remove_pool(id));
    return json_reply(bj::object{{"ok", true}});
}

reply add_pool_members(call& c) {
    const auto id = pool_id_of(c);
    const auto body = c.body();
    only_fields(body, {"member", "members"});
    const auto members = members_of(body, true);
    auto& api = c.svc.api;
    (void)find_pool(api, id);
    for (std::size_t i = 0; i < members.size(); ++i) {
        const auto r = api.add_pool_member(id, members[i]);
        if (!r.ok()) {
            for (std::size_t k = 0; k < i; ++k) (void)api.remove_pool_member(id, members[k]);
            throw api_error(400, "invalid", r.error);
        }
    }
    return json_reply(pool_json(find_pool(api, id)));
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
    auto& api = c.svc.api;
    (void)find_pool(api, id);
    for (const auto& m : members) check(api.remove_pool_member(id, m));
    return json_reply(pool_json(find_pool(api, id)));
}

reply unassigned_devices(call& c) {
    const auto page = read_page(c.query, {}, "", false, 100);
    const auto all = c.svc.api.unassigned_devices(page.offset + page.limit > 100000 ? 100000 : page.offset + page.limit);
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
    if (!q.severity.empty() && !c.svc.api.known_severity(q.severity))
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
    const auto result = c.svc.api.alerts(q);
    bj::array items;
    for (const auto& a : result.items) items.emplace_back(alert_json(a));
    return json_reply(list_view(result.total, std::move(items)));
}

reply ack_alert(call& c) {
    const auto id = parse_uint_or_400(c.param("id"), "id", 9223372036854775807ull);
    if (!c.req.body().empty()) only_fields(c.body(), {});
    if (!c.svc.api.acknowledge_alert(static_cast<std::int64_t>(id), c.who.user)) throw api_error(404, "not_found", "no such alert");
    return json_reply(bj::object{{"ok", true}});
}

// Webhook URLs carry their secret in the path (Slack, Discord, Teams):
// viewers see where alerts go, not how to post there (issue 13, finding 11).
reply get_preferences(call& c) {
    auto prefs = c.svc.api.preferences();
    if (c.who.granted != role::admin) {
        if (auto* n = prefs.if_contains("notifications"); n && n->is_object()) {
            if (auto* url = n->as_object().if_contains("webhook_url"); url && url->is_string())
                *url = redact_location(url->as_string());
        }
    }
    return json_reply(prefs);
}

reply put_preferences(call& c) {
    const auto body = c.body();
    if (const auto error = c.svc.api.set_preferences(body); !error.empty()) throw api_error(400, "invalid", error);
    return json_reply(c.svc.api.preferences());
}

reply blacklists(call& c) {
    const auto list = c.svc.api.blacklists();
    bj::array items;
    const bool admin = c.who.granted == role::admin;
    for (const auto& s : list) items.emplace_back(blacklist_json(s, admin));
    auto out = list_view(list.size(), std::move(items));
    // The last nftables command's failure (empty: none ran or it succeeded).
    out.as_object()["nft_error"] = c.svc.api.nft_error();
    // Own peers the lists cover, left out of the drop sets.
    bj::array spared;
    for (const auto& s : c.svc.api.nft_spared()) spared.emplace_back(s);
    out.as_object()["nft_spared"] = std::move(spared);
    return json_reply(out);
}

reply reload_blacklists(call& c) {
    if (!c.req.body().empty()) only_fields(c.body(), {});
    if (!c.svc.api.reload_blacklists())
        throw api_error(409, "busy", "a reload is already running");
    return json_reply(bj::object{{"status", "reloading"}}, 202);
}

reply update_blacklist(call& c) {
    const auto& name = c.param("name");
    const auto body = c.body();
    only_fields(body, {"enabled"});
    const auto enabled = field_bool(body, "enabled");
    if (!enabled) throw api_error(400, "bad_parameter", "enabled is required");
    const auto now = c.svc.api.set_blacklist_enabled(name, *enabled);
    if (!now) throw api_error(404, "not_found", "no such blacklist");
    return json_reply(blacklist_json(*now, true));
}

}  // namespace wireflow::collector::http::handlers
