#pragma once
// collector_api (collector/http's view of the collector) over the real parts:
// the aggregator, the pools, the probes view, the stores, the alert engine
// and the blacklist manager. Converts their types to the API's plain data;
// no HTTP, no JSON shape (that is collector/http/json_views).

#include "aggregate/active_flows.hpp"
#include "aggregate/aggregator.hpp"
#include "aggregate/mac_vendors.hpp"
#include "alert/alert_engine.hpp"
#include "alert/notifier.hpp"
#include "blacklist/blacklist_manager.hpp"
#include "geo/geo_locator.hpp"
#include "http/collector_api.hpp"
#include "pool_service.hpp"
#include "probes_view.hpp"
#include "scheduler.hpp"
#include "store/flow_query.hpp"
#include "store/host_store.hpp"
#include "store/timeseries_store.hpp"
#include "store/user_store.hpp"

#include <functional>

namespace wireflow::collector::app {

struct api_parts {
    std::function<std::vector<counter_sample>()> counters;
    aggregate::aggregator& live;
    aggregate::active_flows& active;
    pool_service& pools;
    probes_view& probes;
    host_store& host_history;
    timeseries_store& timeseries;
    flow_query& flows;
    user_store& users;
    alert::alert_engine& alerts;
    blacklist::blacklist_manager& blacklists;
    alert::notifier& notifier;
    scheduler& work;  // blacklist reloads run on its blocking lane
    const aggregate::mac_vendors& vendors;
    const geo::geo_locator& geo;  // idle hosts (from PostgreSQL) are located when shown
};

class api_adapter final : public http::collector_api {
public:
    explicit api_adapter(api_parts parts) : p_(std::move(parts)) {}

    std::vector<counter_sample> counters() override { return p_.counters(); }
    std::optional<double> throughput_bps() override;
    std::vector<probe_view> probes() override { return p_.probes.list(); }

    http::host_list hosts(const http::host_filter& f) override;
    std::optional<http::host_info> host(const std::string& ip, std::uint16_t vlan) override;
    flow_page flows(const flow_filter& f) override { return p_.flows.find(f); }
    flow_page active_flows(const active_filter& f) override;
    host_activity activity(const std::string& ip, std::uint16_t vlan, std::chrono::system_clock::time_point since,
                           std::chrono::system_clock::time_point to, std::size_t peers, std::size_t flows) override {
        return p_.flows.activity(ip, vlan, since, to, peers, flows);
    }
    std::vector<app_total> top_apps(std::chrono::seconds window, std::size_t limit, std::uint64_t& total) override {
        return p_.flows.top_apps(window, limit, total);
    }
    std::vector<ts_point> timeseries(const std::string& metric, const std::string& scope, const std::string& id,
                                     std::int64_t from_s, std::int64_t to_s, std::int64_t step_s) override {
        return p_.timeseries.query(metric, scope, id, from_s, to_s, step_s);
    }

    std::vector<http::pool_info> pools() override;
    http::pool_edit create_pool(std::string_view name) override { return edit(p_.pools.create(name)); }
    http::pool_edit rename_pool(std::uint32_t id, std::string_view name) override {
        return edit(p_.pools.rename(id, name));
    }
    http::pool_edit remove_pool(std::uint32_t id) override { return edit(p_.pools.remove(id)); }
    http::pool_edit add_pool_member(std::uint32_t id, std::string_view m) override {
        return edit(p_.pools.add_member(id, m));
    }
    http::pool_edit remove_pool_member(std::uint32_t id, std::string_view m) override {
        return edit(p_.pools.remove_member(id, m));
    }
    std::vector<http::device_info> unassigned_devices(std::size_t limit) override;

    bool known_severity(std::string_view s) override { return alert::parse_severity(s).has_value(); }
    alert_page alerts(const alert_query& q) override { return p_.alerts.list(q); }
    bool acknowledge_alert(std::int64_t id, const std::string& user) override {
        return p_.alerts.acknowledge(id, user);
    }
    bool alerts_enabled() override { return p_.alerts.preferences().enabled; }
    boost::json::object preferences() override { return alert::to_json(p_.alerts.preferences()); }
    std::string set_preferences(const boost::json::object& partial) override;

    std::vector<http::blacklist_info> blacklists() override;
    std::string nft_error() override { return p_.blacklists.last_nft_error(); }
    std::vector<std::string> nft_spared() override { return p_.blacklists.nft_spared(); }
    bool reload_blacklists() override;
    std::optional<http::blacklist_info> set_blacklist_enabled(const std::string& name, bool enabled) override;

    std::vector<http::notification_endpoint_info> notification_endpoints() override;
    std::optional<http::notification_test_result> test_notification(const std::string& name) override;

    // ---- account_store: collector/store/user_store ----
    bool create_default_admin_if_empty(const std::string& hash, bool must_change) override {
        return p_.users.create_default_admin_if_empty(hash, must_change);
    }
    std::vector<stored_user> list_users() override { return p_.users.list(); }
    std::optional<stored_user> find_user(const std::string& name) override { return p_.users.find(name); }
    std::optional<std::int32_t> create_user(const std::string& name, const std::string& role, const std::string& hash,
                                            bool must_change) override {
        return p_.users.create(name, role, hash, must_change);
    }
    bool update_user(const std::string& name, const std::optional<std::string>& role,
                     const std::optional<bool>& disabled, bool& last_admin) override {
        return p_.users.update(name, role, disabled, last_admin);
    }
    bool remove_user(const std::string& name, bool& last_admin) override { return p_.users.remove(name, last_admin); }
    bool set_password(const std::string& name, const std::string& hash, bool must_change) override {
        return p_.users.set_password(name, hash, must_change);
    }
    void note_login(std::int32_t user_id) override { p_.users.note_login(user_id); }
    void create_session(const std::string& hash, std::int32_t user_id, std::chrono::system_clock::time_point expires,
                        const std::string& ip, const std::string& ua) override {
        p_.users.create_session(hash, user_id, expires, ip, ua);
    }
    std::optional<principal_row> use_session(const std::string& hash, std::chrono::seconds idle) override {
        return p_.users.use_session(hash, idle);
    }
    void delete_session(const std::string& hash) override { p_.users.delete_session(hash); }
    std::optional<std::int32_t> create_token(std::int32_t user_id, const std::string& name, const std::string& hash,
                                             std::optional<std::chrono::system_clock::time_point> expires) override {
        return p_.users.create_token(user_id, name, hash, expires);
    }
    std::optional<principal_row> use_token(const std::string& hash) override { return p_.users.use_token(hash); }
    std::vector<stored_token> list_tokens() override { return p_.users.list_tokens(); }
    bool revoke_token(std::int32_t id) override { return p_.users.revoke_token(id); }

private:
    [[nodiscard]] static http::pool_edit edit(const aggregate::pool_result& r) { return {r.id, r.error}; }
    [[nodiscard]] std::string pool_name(std::uint32_t id) const;

    api_parts p_;
};

}  // namespace wireflow::collector::app
