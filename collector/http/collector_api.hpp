#pragma once
// What the REST API needs from the collector, as an abstract class of plain
// data: the HTTP layer knows nothing of the aggregator, the alert engine, the
// blacklist manager or PostgreSQL. collector/app implements it (api_adapter);
// the route tests implement it in memory (fake_collector_api).
//
// Every method may be called from any HTTP thread. Methods reading or writing
// PostgreSQL throw store_error (kind unavailable: the API answers 503).

#include "model/accounts.hpp"
#include "model/alert_rows.hpp"
#include "model/counter.hpp"
#include "model/active_flow.hpp"
#include "model/flow_view.hpp"
#include "model/probe_view.hpp"
#include "model/store_error.hpp"
#include "model/ts_point.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wireflow::collector::http {

// ---- hosts ----
struct host_filter {
    std::string sort{"bytes"};  // bytes bytes_sent bytes_rcvd packets flows throughput last_seen
    bool descending{true};
    std::size_t limit{50}, offset{0};
    std::optional<std::uint32_t> pool;
    std::optional<bool> local;
    std::string q;  // substring of address, MAC or name
    std::optional<std::uint16_t> vlan;
    std::string country;              // ISO 3166-1 alpha-2, upper case (validated); empty: any
    std::optional<std::uint32_t> asn;  // 1..4294967295; absent: any
};

// A host, live (in memory) or, once idle, as stored in PostgreSQL.
struct host_info {
    std::string ip;
    std::uint16_t vlan{0};
    std::string mac;  // empty: unknown
    std::string vendor;  // the MAC's registered maker, empty when unknown
    std::string name;
    bool local{false};
    bool live{true};
    std::uint32_t pool_id{0};
    std::string pool;  // name; empty: none
    std::uint64_t bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0};
    std::uint64_t flows_client{0}, flows_server{0};
    std::uint32_t active_client{0}, active_server{0};
    std::uint64_t peers{0};
    bool peers_exact{true};
    std::uint64_t first_seen_ns{0}, last_seen_ns{0};
    double throughput_bps{0};  // bytes per second
    bool blacklisted{false};
    std::uint32_t alerts{0};
    std::vector<std::pair<std::string, std::uint64_t>> apps;  // application, bytes; largest first
    // Geolocation (collector/geo): empty / 0 when unknown. as_name comes
    // from a database file: valid UTF-8, bounded, shown as text only.
    std::string country;
    std::uint32_t asn{0};
    std::string as_name;
};

struct host_list {
    std::uint64_t total{0};
    std::vector<host_info> items;
};

// ---- pools ----
struct pool_info {
    std::uint32_t id{0};  // 0: the unassigned hosts
    std::string name;
    std::vector<std::string> members;
    std::uint64_t hosts{0}, bytes_sent{0}, bytes_rcvd{0}, packets_sent{0}, packets_rcvd{0};
};

// The outcome of a pool change; error empty on success, else one line:
// "no pool with id ..." (404), "... already ..." (409), anything else (400).
struct pool_edit {
    std::uint32_t id{0};
    std::string error;
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

struct device_info {
    std::string mac;  // empty when unknown
    std::string ip;   // empty for a MAC-only entry
    std::uint16_t vlan{0};
    std::string name;    // empty when none
    std::string vendor;  // the MAC's registered maker, empty when unknown
    bool locally_administered{false};  // the MAC's U/L bit: randomised or assigned locally, no maker
};

// ---- blacklists ----
struct blacklist_info {
    std::string name, category, format, location;
    std::int64_t update_interval_s{0};
    bool enabled{false};
    std::uint64_t entries{0}, broken_lines{0}, non_canonical{0}, hits{0};
    std::uint64_t refused_broad{0};             // entries broader than the prefix limits
    std::vector<std::string> refused_examples;  // the first few of them, CIDR text
    std::optional<std::chrono::system_clock::time_point> last_load, last_attempt;
    std::string last_error;
};

// ---- notification endpoints (--notify options and the preferences' syslog/webhook) ----
struct notification_endpoint_info {
    std::string name;
    std::string kind;            // email slack teams discord mattermost telegram webhook syslog
    std::string target;          // redacted: no credentials, tokens or webhook paths
    std::string min_severity;
    std::vector<std::string> types;  // empty: every type
    bool from_preferences{false};
    std::uint64_t sent{0}, failed{0}, retries{0};
    std::optional<std::chrono::system_clock::time_point> last_success, last_failure;
    std::string last_error;      // of the last failed attempt; empty: none yet
};

struct notification_test_result {
    bool ok{false};
    std::string error;           // one line; empty when ok
};

// ---- accounts: users, sessions, API tokens (hashes only, never secrets) ----
class account_store {
public:
    virtual ~account_store() = default;
    // Inserts `admin` into an empty users table; true when it did.
    virtual bool create_default_admin_if_empty(const std::string& password_hash, bool must_change_password) = 0;
    [[nodiscard]] virtual std::vector<stored_user> list_users() = 0;
    [[nodiscard]] virtual std::optional<stored_user> find_user(const std::string& name) = 0;
    // nullopt when the name is taken.
    virtual std::optional<std::int32_t> create_user(const std::string& name, const std::string& role,
                                                    const std::string& password_hash, bool must_change_password) = 0;
    // False when no such user, or (last_admin set) when no enabled admin would remain.
    virtual bool update_user(const std::string& name, const std::optional<std::string>& role,
                             const std::optional<bool>& disabled, bool& last_admin) = 0;
    virtual bool remove_user(const std::string& name, bool& last_admin) = 0;
    // Also ends every session of the user and revokes every API token it
    // made (a token is as good as the password that made it). False when unknown.
    virtual bool set_password(const std::string& name, const std::string& password_hash,
                              bool must_change_password) = 0;
    virtual void note_login(std::int32_t user_id) = 0;

    virtual void create_session(const std::string& hash_hex, std::int32_t user_id,
                                std::chrono::system_clock::time_point expires_at, const std::string& client_ip,
                                const std::string& user_agent) = 0;
    // The session's user unless expired or idle for longer than `idle` (> 0).
    [[nodiscard]] virtual std::optional<principal_row> use_session(const std::string& hash_hex,
                                                                   std::chrono::seconds idle) = 0;
    virtual void delete_session(const std::string& hash_hex) = 0;

    // nullopt when the user has a token of that name.
    virtual std::optional<std::int32_t> create_token(std::int32_t user_id, const std::string& name,
                                                     const std::string& hash_hex,
                                                     std::optional<std::chrono::system_clock::time_point> expires_at) = 0;
    [[nodiscard]] virtual std::optional<principal_row> use_token(const std::string& hash_hex) = 0;
    [[nodiscard]] virtual std::vector<stored_token> list_tokens() = 0;
    virtual bool revoke_token(std::int32_t id) = 0;
};

class collector_api : public account_store {
public:
    // ---- status ----
    // The counter table (status and /metrics are views of it).
    [[nodiscard]] virtual std::vector<counter_sample> counters() = 0;
    // Bits per second of the last complete minute; nullopt until one is stored.
    [[nodiscard]] virtual std::optional<double> throughput_bps() = 0;
    [[nodiscard]] virtual std::vector<probe_view> probes() = 0;

    // ---- hosts, flows, applications, time series ----
    [[nodiscard]] virtual host_list hosts(const host_filter& f) = 0;
    // `ip` is canonical text. Live first, else the stored history; nullopt: unknown.
    [[nodiscard]] virtual std::optional<host_info> host(const std::string& ip, std::uint16_t vlan) = 0;
    [[nodiscard]] virtual flow_page flows(const flow_filter& f) = 0;
    // Flows in progress from the probes' interim reports (issue 15), in memory.
    [[nodiscard]] virtual flow_page active_flows(const active_filter& f) = 0;
    // A host's top `peers` by bytes since `since` and its latest `flows`
    // stored flows (by first_seen) in [since, to).
    [[nodiscard]] virtual host_activity activity(const std::string& ip, std::uint16_t vlan,
                                                 std::chrono::system_clock::time_point since,
                                                 std::chrono::system_clock::time_point to, std::size_t peers,
                                                 std::size_t flows) = 0;
    // `total` gets the number of applications.
    [[nodiscard]] virtual std::vector<app_total> top_apps(std::chrono::seconds window, std::size_t limit,
                                                          std::uint64_t& total) = 0;
    // Throws std::invalid_argument for a range the store refuses.
    [[nodiscard]] virtual std::vector<ts_point> timeseries(const std::string& metric, const std::string& scope,
                                                           const std::string& id, std::int64_t from_s,
                                                           std::int64_t to_s, std::int64_t step_s) = 0;

    // ---- pools ----
    [[nodiscard]] virtual std::vector<pool_info> pools() = 0;  // first: id 0, the unassigned hosts
    virtual pool_edit create_pool(std::string_view name) = 0;
    virtual pool_edit rename_pool(std::uint32_t id, std::string_view name) = 0;
    virtual pool_edit remove_pool(std::uint32_t id) = 0;
    virtual pool_edit add_pool_member(std::uint32_t id, std::string_view member) = 0;
    virtual pool_edit remove_pool_member(std::uint32_t id, std::string_view member) = 0;
    // Local hosts in no pool, at most `limit`.
    [[nodiscard]] virtual std::vector<device_info> unassigned_devices(std::size_t limit) = 0;

    // ---- alerts and preferences ----
    [[nodiscard]] virtual bool known_severity(std::string_view s) = 0;
    [[nodiscard]] virtual alert_page alerts(const alert_query& q) = 0;
    // False: no such alert.
    virtual bool acknowledge_alert(std::int64_t id, const std::string& user) = 0;
    [[nodiscard]] virtual bool alerts_enabled() = 0;
    // The preferences document (its shape is the alert engine's).
    [[nodiscard]] virtual boost::json::object preferences() = 0;
    // Applies a partial document; returns the problem (nothing changed) or
    // empty on success.
    [[nodiscard]] virtual std::string set_preferences(const boost::json::object& partial) = 0;

    // ---- blacklists ----
    [[nodiscard]] virtual std::vector<blacklist_info> blacklists() = 0;
    // The last nftables command's failure; empty: none ran or it succeeded.
    [[nodiscard]] virtual std::string nft_error() = 0;
    // The collector's own peers that a list covers and the nftables sets
    // leave out (CIDR text).
    [[nodiscard]] virtual std::vector<std::string> nft_spared() = 0;
    // Starts a reload of every enabled list in the background. False: one is
    // already waiting or running.
    virtual bool reload_blacklists() = 0;
    // The source's new state; nullopt: no such source.
    virtual std::optional<blacklist_info> set_blacklist_enabled(const std::string& name, bool enabled) = 0;

    // ---- notification endpoints ----
    [[nodiscard]] virtual std::vector<notification_endpoint_info> notification_endpoints() = 0;
    // Sends a test message to the named endpoint now (blocking up to the
    // delivery timeout), whatever its filters; nullopt: no such endpoint.
    virtual std::optional<notification_test_result> test_notification(const std::string& name) = 0;
};

}  // namespace wireflow::collector::http
