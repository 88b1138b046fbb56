#pragma once
// An in-memory collector_api for route_test: no database, no aggregator, no
// socket. It keeps what a test needs to assert on (the last flow filter, the
// last alert query, the reload requests) and behaves like the real collector
// where the REST API depends on it (pool errors, last-admin rule, paging).
// The real implementation is tested end to end by api_test (PostgreSQL).

#include "collector_api.hpp"

#include <algorithm>
#include <map>

namespace wireflow::collector::http::testing {

class fake_collector_api : public collector_api {
public:
    // ---- state a test sets or reads ----
    std::vector<counter_sample> counter_rows{
        {"batches_stored", "Batches committed.", counter_kind::counter, 7, {}, {}},
        {"batches_rejected", "Batches rejected.", counter_kind::counter, 2, "reason", "bad_probe_id"},
        {"batches_rejected", "Batches rejected.", counter_kind::counter, 3, "reason", "too_large"},
        {"spool_bytes", "Bytes in the spool.", counter_kind::gauge, 0, {}, {}},
        {"db_up", "PostgreSQL reachable.", counter_kind::flag, 1, {}, {}},
    };
    std::vector<probe_view> probe_rows;
    std::vector<host_info> live_hosts, stored_hosts;
    std::vector<flow_item> flow_rows;
    std::optional<flow_filter> last_flow_filter;
    std::optional<host_filter> last_host_filter;
    std::vector<flow_item> active_rows;
    std::optional<active_filter> last_active_filter;
    std::vector<app_total> app_rows;
    std::optional<alert_query> last_alert_query;
    std::vector<stored_alert> alert_rows;
    std::map<std::uint32_t, pool_info> pool_rows;
    std::uint32_t next_pool{1};
    std::vector<device_info> devices;
    boost::json::object prefs{{"enabled", true}};
    std::vector<blacklist_info> list_rows;
    std::vector<std::string> spared;
    bool reload_running{false};
    int reloads{0};
    std::vector<notification_endpoint_info> endpoints;
    int tests_sent{0};
    std::string last_series_metric;

    std::map<std::string, stored_user> users;
    std::map<std::string, std::int32_t> sessions;  // hash -> user id
    struct token_row {
        stored_token info;
        std::int32_t user_id{0};
        std::string hash;
    };
    std::vector<token_row> tokens;

    // ---- collector_api ----
    std::vector<counter_sample> counters() override { return counter_rows; }
    std::optional<double> throughput_bps() override { return 8000.0; }
    std::vector<probe_view> probes() override { return probe_rows; }

    host_list hosts(const host_filter& f) override {
        last_host_filter = f;
        std::vector<host_info> match;
        for (const auto& h : live_hosts)
            if ((!f.local || h.local == *f.local) && (!f.pool || h.pool_id == *f.pool) &&
                (!f.vlan || h.vlan == *f.vlan) && (f.q.empty() || h.ip.find(f.q) != std::string::npos) &&
                (f.country.empty() || h.country == f.country) && (!f.asn || h.asn == *f.asn))
                match.push_back(h);
        std::sort(match.begin(), match.end(), [&](const host_info& a, const host_info& b) {
            const auto ka = a.bytes_sent + a.bytes_rcvd, kb = b.bytes_sent + b.bytes_rcvd;
            return f.descending ? ka > kb : ka < kb;
        });
        return {match.size(), page(match, f.offset, f.limit)};
    }
    std::optional<host_info> host(const std::string& ip, std::uint16_t vlan) override {
        for (const auto* list : {&live_hosts, &stored_hosts})
            for (const auto& h : *list)
                if (h.ip == ip && h.vlan == vlan) return h;
        return std::nullopt;
    }
    flow_page flows(const flow_filter& f) override {
        last_flow_filter = f;
        std::vector<flow_item> match;
        for (const auto& r : flow_rows)
            if ((f.host.empty() || r.client_ip == f.host || r.server_ip == f.host) &&
                (!f.port || r.client_port == *f.port || r.server_port == *f.port) &&
                (!f.protocol || r.protocol == *f.protocol) && (f.app.empty() || r.app_name == f.app) &&
                (f.ja3.empty() || (r.tls && (r.tls->ja3_client == f.ja3 || r.tls->ja3_server == f.ja3))))
                match.push_back(r);
        return {match.size(), page(match, f.offset, f.limit)};
    }
    flow_page active_flows(const active_filter& f) override {
        last_active_filter = f;
        std::vector<flow_item> match;
        for (const auto& r : active_rows)
            if ((f.base.host.empty() || r.client_ip == f.base.host || r.server_ip == f.base.host) &&
                (f.probe_id.empty() || r.probe_id == f.probe_id) && (f.base.app.empty() || r.app_name == f.base.app))
                match.push_back(r);
        std::sort(match.begin(), match.end(), [&](const flow_item& a, const flow_item& b) {
            return f.base.descending ? a.throughput_bps > b.throughput_bps : a.throughput_bps < b.throughput_bps;
        });
        return {match.size(), page(match, f.base.offset, f.base.limit)};
    }
    // One peer; the host's flows as flows() finds them, up to `flows`.
    host_activity activity(const std::string& ip, std::uint16_t, std::chrono::system_clock::time_point since,
                           std::chrono::system_clock::time_point to, std::size_t, std::size_t flows) override {
        flow_filter f;
        f.host = ip;
        f.from = since;
        f.to = to;
        f.limit = flows;
        return {{{"192.0.2.7", 1000, 3}}, this->flows(f).items};
    }
    std::vector<app_total> top_apps(std::chrono::seconds, std::size_t limit, std::uint64_t& total) override {
        total = app_rows.size();
        return page(app_rows, 0, limit);
    }
    std::vector<ts_point> timeseries(const std::string& metric, const std::string&, const std::string&,
                                     std::int64_t from_s, std::int64_t, std::int64_t step_s) override {
        last_series_metric = metric;
        return {{from_s, 1.0}, {from_s + step_s, 2.0}};
    }

    std::vector<pool_info> pools() override {
        std::vector<pool_info> out{{0, "unassigned", {}, 0, 0, 0, 0, 0}};
        for (const auto& [id, p] : pool_rows) out.push_back(p);
        return out;
    }
    pool_edit create_pool(std::string_view name) override {
        if (name.empty()) return {0, "pool name must not be empty"};
        for (const auto& [id, p] : pool_rows)
            if (p.name == name) return {0, "a pool named '" + std::string(name) + "' already exists"};
        const auto id = next_pool++;
        pool_rows[id] = pool_info{id, std::string(name), {}, 0, 0, 0, 0, 0};
        return {id, {}};
    }
    pool_edit rename_pool(std::uint32_t id, std::string_view name) override {
        if (!pool_rows.contains(id)) return missing(id);
        for (const auto& [other, p] : pool_rows)
            if (other != id && p.name == name) return {id, "a pool named '" + std::string(name) + "' already exists"};
        pool_rows[id].name = name;
        return {id, {}};
    }
    pool_edit remove_pool(std::uint32_t id) override {
        if (pool_rows.erase(id) == 0) return missing(id);
        return {id, {}};
    }
    pool_edit add_pool_member(std::uint32_t id, std::string_view m) override {
        if (!pool_rows.contains(id)) return missing(id);
        if (m.find('/') == std::string_view::npos && m.find('.') == std::string_view::npos &&
            m.find(':') == std::string_view::npos)
            return {id, "'" + std::string(m) + "' is not an address, prefix or MAC"};
        for (const auto& [other, p] : pool_rows)
            if (std::find(p.members.begin(), p.members.end(), m) != p.members.end())
                return {id, "'" + std::string(m) + "' is already a member of pool " + std::to_string(other)};
        pool_rows[id].members.emplace_back(m);
        return {id, {}};
    }
    pool_edit remove_pool_member(std::uint32_t id, std::string_view m) override {
        if (!pool_rows.contains(id)) return missing(id);
        auto& v = pool_rows[id].members;
        const auto it = std::find(v.begin(), v.end(), m);
        if (it == v.end()) return {id, "'" + std::string(m) + "' is not a member"};
        v.erase(it);
        return {id, {}};
    }
    std::vector<device_info> unassigned_devices(std::size_t limit) override { return page(devices, 0, limit); }

    bool known_severity(std::string_view s) override {
        return s == "info" || s == "notice" || s == "warning" || s == "error" || s == "critical";
    }
    alert_page alerts(const alert_query& q) override {
        last_alert_query = q;
        return {alert_rows.size(), page(alert_rows, q.offset, q.limit)};
    }
    bool acknowledge_alert(std::int64_t id, const std::string& user) override {
        for (auto& a : alert_rows)
            if (a.id == id) {
                a.acknowledged = true;
                a.acknowledged_by = user;
                return true;
            }
        return false;
    }
    bool alerts_enabled() override { return prefs.at("enabled").as_bool(); }
    boost::json::object preferences() override { return prefs; }
    std::string set_preferences(const boost::json::object& partial) override {
        for (const auto& [k, v] : partial) {
            if (k != "enabled") return "unknown preference '" + std::string(k) + "'";
            if (!v.is_bool()) return "enabled: expects true or false";
        }
        for (const auto& [k, v] : partial) prefs[k] = v;
        return {};
    }

    std::vector<blacklist_info> blacklists() override { return list_rows; }
    std::string nft_error() override { return {}; }
    std::vector<std::string> nft_spared() override { return spared; }
    bool reload_blacklists() override {
        if (reload_running) return false;
        ++reloads;
        return true;
    }
    std::optional<blacklist_info> set_blacklist_enabled(const std::string& name, bool enabled) override {
        for (auto& b : list_rows)
            if (b.name == name) {
                b.enabled = enabled;
                return b;
            }
        return std::nullopt;
    }

    std::vector<notification_endpoint_info> notification_endpoints() override { return endpoints; }
    std::optional<notification_test_result> test_notification(const std::string& name) override {
        for (auto& e : endpoints)
            if (e.name == name) {
                ++tests_sent;
                return notification_test_result{e.last_error.empty(), e.last_error};
            }
        return std::nullopt;
    }

    // ---- account_store ----
    bool create_default_admin_if_empty(const std::string& hash, bool must_change) override {
        if (!users.empty()) return false;
        (void)create_user("admin", "admin", hash, must_change);
        return true;
    }
    std::vector<stored_user> list_users() override {
        std::vector<stored_user> out;
        for (const auto& [n, u] : users) out.push_back(u);
        return out;
    }
    std::optional<stored_user> find_user(const std::string& name) override {
        const auto it = users.find(name);
        if (it == users.end()) return std::nullopt;
        return it->second;
    }
    std::optional<std::int32_t> create_user(const std::string& name, const std::string& role,
                                            const std::string& hash, bool must_change) override {
        if (users.contains(name)) return std::nullopt;
        const auto id = static_cast<std::int32_t>(users.size() + 1);
        users[name] = stored_user{id, name, role, hash, must_change, false, std::chrono::system_clock::now(), {}};
        return id;
    }
    bool update_user(const std::string& name, const std::optional<std::string>& role,
                     const std::optional<bool>& disabled, bool& last_admin) override {
        last_admin = false;
        const auto it = users.find(name);
        if (it == users.end()) return false;
        auto next = it->second;
        if (role) next.role = *role;
        if (disabled) next.disabled = *disabled;
        if (it->second.role == "admin" && (next.role != "admin" || next.disabled) && enabled_admins() == 1) {
            last_admin = true;
            return false;
        }
        it->second = next;
        return true;
    }
    bool remove_user(const std::string& name, bool& last_admin) override {
        last_admin = false;
        const auto it = users.find(name);
        if (it == users.end()) return false;
        if (it->second.role == "admin" && !it->second.disabled && enabled_admins() == 1) {
            last_admin = true;
            return false;
        }
        users.erase(it);
        return true;
    }
    bool set_password(const std::string& name, const std::string& hash, bool must_change) override {
        const auto it = users.find(name);
        if (it == users.end()) return false;
        it->second.password_hash = hash;
        it->second.must_change_password = must_change;
        std::erase_if(sessions, [&](const auto& s) { return s.second == it->second.id; });
        std::erase_if(tokens, [&](const token_row& t) { return t.user_id == it->second.id; });
        return true;
    }
    void note_login(std::int32_t) override {}
    void create_session(const std::string& hash, std::int32_t user_id, std::chrono::system_clock::time_point,
                        const std::string&, const std::string&) override {
        sessions[hash] = user_id;
    }
    std::optional<principal_row> use_session(const std::string& hash, std::chrono::seconds) override {
        const auto it = sessions.find(hash);
        return it == sessions.end() ? std::nullopt : principal_of(it->second);
    }
    void delete_session(const std::string& hash) override { sessions.erase(hash); }
    std::optional<std::int32_t> create_token(std::int32_t user_id, const std::string& name, const std::string& hash,
                                             std::optional<std::chrono::system_clock::time_point> expires) override {
        for (const auto& t : tokens)
            if (t.user_id == user_id && t.info.name == name) return std::nullopt;
        const auto id = static_cast<std::int32_t>(tokens.size() + 1);
        tokens.push_back({stored_token{id, user_name(user_id), name, std::chrono::system_clock::now(), expires, {}},
                          user_id, hash});
        return id;
    }
    std::optional<principal_row> use_token(const std::string& hash) override {
        for (const auto& t : tokens)
            if (t.hash == hash) return principal_of(t.user_id);
        return std::nullopt;
    }
    std::vector<stored_token> list_tokens() override {
        std::vector<stored_token> out;
        for (const auto& t : tokens) out.push_back(t.info);
        return out;
    }
    bool revoke_token(std::int32_t id) override {
        return std::erase_if(tokens, [id](const token_row& t) { return t.info.id == id; }) != 0;
    }

private:
    template <class T>
    static std::vector<T> page(const std::vector<T>& all, std::size_t offset, std::size_t limit) {
        std::vector<T> out;
        for (std::size_t i = offset; i < all.size() && out.size() < limit; ++i) out.push_back(all[i]);
        return out;
    }
    static pool_edit missing(std::uint32_t id) { return {id, "no pool with id " + std::to_string(id)}; }
    [[nodiscard]] std::size_t enabled_admins() const {
        return static_cast<std::size_t>(std::count_if(users.begin(), users.end(), [](const auto& u) {
            return u.second.role == "admin" && !u.second.disabled;
        }));
    }
    [[nodiscard]] std::string user_name(std::int32_t id) const {
        for (const auto& [n, u] : users)
            if (u.id == id) return n;
        return {};
    }
    [[nodiscard]] std::optional<principal_row> principal_of(std::int32_t id) const {
        for (const auto& [n, u] : users)
            if (u.id == id && !u.disabled) return principal_row{u.id, u.name, u.role, u.must_change_password};
        return std::nullopt;
    }
};

}  // namespace wireflow::collector::http::testing
