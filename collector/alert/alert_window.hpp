#pragma once
// An alert window: what the windowed checks count between two window closes,
// per host (bytes, new flows, ICMP packets, refused SYNs, hosts that did not
// answer) and per probe (deltas of the counters it reports). Plain data,
// owned and locked by the engine; window_checks reads it at the close.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "hash.hpp"
#include "model/flow_batch.hpp"

namespace wireflow::collector::alert {

// What the maintenance thread knows of each probe (collector/app's probes view).
// Counters are totals since the probe's boot; the window takes deltas.
struct probe_health {
    std::string probe_id;
    std::uint64_t boot_id{0};
    bool up{true};                    // false: silent for longer than its interval allows
    std::uint64_t seconds_silent{0};  // since its last statistics arrived
    std::uint64_t packets{0};         // NIC rx packets
    std::uint64_t nic_drops{0};       // imissed + rx_nombuf + ierrors
    std::uint64_t export_drops{0};    // records the probe could not export
    std::uint64_t sequence_gaps{0};   // batches missing at the collector
    std::uint64_t batches_pending{0}; // sent or spooled, not yet acknowledged (a gauge, not a total)
};

// A TCP connection attempt that was not answered or was refused: what a SYN
// (port) scan leaves. RFC 9293 section 3.5: a closed port answers a SYN with
// RST; an open one with SYN-ACK, which a half-open scanner resets at once.
[[nodiscard]] bool refused_tcp(const flow_record& r) noexcept;
// TCP refused (above), or any other protocol with no packet back.
[[nodiscard]] bool unanswered(const flow_record& r) noexcept;
[[nodiscard]] bool is_icmp(const flow_record& r) noexcept;

// Distinct values, counted up to a cap: once the threshold is passed the
// exact number no longer matters, and memory stays bounded per host.
struct capped_set {
    std::unordered_set<std::uint64_t> values;
    void add(std::uint64_t v, std::size_t cap) {
        if (values.size() < cap) values.insert(v);
    }
    [[nodiscard]] std::size_t size() const { return values.size(); }
};

struct host_window {
    net::ip_address ip;
    std::uint16_t vlan{0};
    std::optional<net::mac_address> mac;   // the latest seen
    std::uint64_t bytes{0};
    std::uint64_t packets{0};
    std::uint64_t flows_out{0}, flows_in{0};
    std::uint64_t icmp_out{0}, icmp_in{0};
    std::uint64_t syn_out{0}, syn_in{0};   // SYN packets of refused or unanswered connections
    std::uint64_t dns_out{0}, dns_in{0};   // packets to port 53 (queries)
    capped_set syn_ports_out;   // attacker: distinct (host, port) refused
    capped_set syn_ports_in;    // victim: distinct ports refused
    capped_set hosts_out;       // attacker: distinct hosts not answering
};

struct probe_window {
    std::uint64_t boot_id{0};
    bool have_totals{false};
    probe_health last;
    std::uint64_t packets{0}, nic_drops{0}, export_drops{0}, gaps{0};   // in this window
    // Unacknowledged batches at the previous window's close and now: the
    // spool check wants growth, not a backlog that is already draining.
    std::uint64_t pending_before{0}, pending_now{0};
};

// How many distinct values each set keeps (from the thresholds: see caps_for).
struct window_caps {
    std::size_t syn_ports{216};
    std::size_t hosts{116};
};

// "ip@vlan": the entity id of a host in alerts.
[[nodiscard]] std::string host_id(const net::ip_address& ip, std::uint32_t vlan);

// A host of the window: address and VLAN, hashed as bytes.
struct window_key {
    net::ip_address ip;
    std::uint8_t reserved{0};  // explicit padding: the key hashes as bytes
    std::uint16_t vlan{0};
    friend bool operator==(const window_key&, const window_key&) = default;
};
static_assert(std::has_unique_object_representations_v<window_key>);
struct window_key_hash {
    std::size_t operator()(const window_key& k) const noexcept { return hash_bytes(&k, sizeof k); }
};

class alert_window {
public:
    explicit alert_window(std::size_t max_hosts) : max_hosts_(max_hosts) {}

    // Counts one stored flow for its client and server. Returns how many of
    // the two could not be tracked (the host table is full).
    std::size_t count(const flow_record& r, const window_caps& caps);
    // Adds the deltas since the probe's previous report (a new boot id or a
    // counter that went back starts again from its value).
    void count(const probe_health& p);
    // At the close: host counts cleared, probe deltas zeroed (totals kept).
    void reset();

    using host_map = std::unordered_map<window_key, host_window, window_key_hash>;
    [[nodiscard]] const host_map& hosts() const noexcept { return hosts_; }
    // The host's counts, or null when the window has not seen it.
    [[nodiscard]] const host_window* find(const net::ip_address& ip, std::uint16_t vlan) const;
    [[nodiscard]] const std::unordered_map<std::string, probe_window>& probes() const noexcept { return probes_; }

private:
    host_window* host(const net::ip_address& ip, std::uint16_t vlan, const std::optional<net::mac_address>& mac);

    std::size_t max_hosts_;
    host_map hosts_;
    std::unordered_map<std::string, probe_window> probes_;
};

}  // namespace wireflow::collector::alert
