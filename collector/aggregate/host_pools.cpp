#include "host_pools.hpp"

#include "text.hpp"

#include "net/utf8.hpp"

#include <charconv>
#include <set>

namespace wireflow::collector::aggregate {

namespace {
std::string quoted(std::string_view s) {
    std::string q = "'";
    // Member and pool text comes from REST clients: keep messages short.
    q.append(s.substr(0, 64));
    if (s.size() > 64) q += "...";
    q += "'";
    return q;
}
}  // namespace

std::optional<pool_member> pool_member::parse(std::string_view text, std::string* error) {
    auto fail = [&](std::string msg) -> std::optional<pool_member> {
        if (error != nullptr) *error = std::move(msg);
        return std::nullopt;
    };
    if (text.empty()) return fail("empty pool member");
    pool_member m;
    std::string_view body = text;
    if (const auto at = text.rfind('@'); at != std::string_view::npos) {
        const auto v = text.substr(at + 1);
        unsigned vlan = 0;
        const auto* end = v.data() + v.size();
        const auto [p, ec] = std::from_chars(v.data(), end, vlan);
        if (v.empty() || v.size() > 4 || ec != std::errc{} || p != end || vlan > 4095)
            return fail(concat({"invalid VLAN in pool member ", quoted(text), " (expected @0..@4095)"}));
        m.vlan = static_cast<std::uint16_t>(vlan);
        body = text.substr(0, at);
    }
    if (auto mac = mac_address::parse(body)) {
        m.is_mac = true;
        m.mac = *mac;
        return m;
    }
    std::string why;
    auto net = net::ip_prefix::parse(body, &why);
    if (!net)
        return fail(concat({"pool member ", quoted(text), " is not a MAC, IP address or CIDR: ", why}));
    m.net = *net;
    return m;
}

std::string pool_member::to_string() const {
    std::string s = is_mac ? mac.to_string() : net.to_compact_string();
    if (vlan != any_vlan) {
        s += '@';
        s += std::to_string(vlan);
    }
    return s;
}

std::string host_pools::check_name(std::string_view name, pool_id self) const {
    if (name.empty()) return "pool name is empty";
    if (name.size() > max_name_bytes)
        return concat({"pool name longer than ", std::to_string(max_name_bytes), " bytes"});
    if (!net::valid_utf8(name)) return "pool name is not valid UTF-8";
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7F) return "pool name contains a control character";
    for (const auto& [id, p] : pools_)
        if (id != self && p.name == name) return concat({"a pool named ", quoted(name), " already exists"});
    return {};
}

pool_result host_pools::create(std::string_view name) {
    if (auto e = check_name(name, no_pool); !e.empty()) return {no_pool, e};
    const pool_id id = next_id_++;
    pools_.emplace(id, pool{std::string(name), {}});
    return {id, {}};
}

pool_result host_pools::rename(pool_id id, std::string_view name) {
    auto it = pools_.find(id);
    if (it == pools_.end()) return {id, concat({"no pool with id ", std::to_string(id)})};
    if (auto e = check_name(name, id); !e.empty()) return {id, e};
    it->second.name = std::string(name);
    return {id, {}};
}

pool_result host_pools::remove(pool_id id) {
    auto it = pools_.find(id);
    if (it == pools_.end()) return {id, concat({"no pool with id ", std::to_string(id)})};
    for (const auto& m : it->second.members) unindex(m);
    pools_.erase(it);
    ++generation_;
    return {id, {}};
}

std::optional<pool_id> host_pools::owner(const pool_member& m) const {
    if (m.is_mac) {
        auto it = mac_members_.find(mac_key{m.mac, m.vlan});
        if (it != mac_members_.end()) return it->second;
    } else {
        auto it = ip_members_.find(ip_key{m.net.address, m.net.length, m.vlan});
        if (it != ip_members_.end()) return it->second;
    }
    return std::nullopt;
}

void host_pools::index(const pool_member& m, pool_id id) {
    if (m.is_mac) {
        mac_members_.emplace(mac_key{m.mac, m.vlan}, id);
        return;
    }
    ip_members_.emplace(ip_key{m.net.address, m.net.length, m.vlan}, id);
    auto& lengths = m.net.address.is_v4() ? v4_lengths_ : v6_lengths_;
    ++lengths[m.net.length];
}

void host_pools::unindex(const pool_member& m) {
    if (m.is_mac) {
        mac_members_.erase(mac_key{m.mac, m.vlan});
        return;
    }
    ip_members_.erase(ip_key{m.net.address, m.net.length, m.vlan});
    auto& lengths = m.net.address.is_v4() ? v4_lengths_ : v6_lengths_;
    auto it = lengths.find(m.net.length);
    if (it != lengths.end() && --it->second == 0) lengths.erase(it);
}

pool_result host_pools::add_member(pool_id id, std::string_view member) {
    auto it = pools_.find(id);
    if (it == pools_.end()) return {id, concat({"no pool with id ", std::to_string(id)})};
    std::string why;
    auto m = pool_member::parse(member, &why);
    if (!m) return {id, why};
    if (auto o = owner(*m)) {
        if (*o == id) return {id, concat({"member ", m->to_string(), " is already in this pool"})};
        return {id, concat({"member ", m->to_string(), " already belongs to pool ", std::to_string(*o), " (",
                            quoted(pools_.at(*o).name), "); remove it there first"})};
    }
    it->second.members.push_back(*m);
    index(*m, id);
    ++generation_;
    return {id, {}};
}

pool_result host_pools::remove_member(pool_id id, std::string_view member) {
    auto it = pools_.find(id);
    if (it == pools_.end()) return {id, concat({"no pool with id ", std::to_string(id)})};
    std::string why;
    auto m = pool_member::parse(member, &why);
    if (!m) return {id, why};
    auto& members = it->second.members;
    for (auto mi = members.begin(); mi != members.end(); ++mi) {
        if (*mi == *m) {
            unindex(*m);
            members.erase(mi);
            ++generation_;
            return {id, {}};
        }
    }
    return {id, concat({"member ", m->to_string(), " is not in pool ", std::to_string(id)})};
}

pool_id host_pools::match(const ip_address& ip, std::uint16_t vlan, const mac_address* mac) const noexcept {
    if (mac != nullptr && !mac_members_.empty()) {
        if (auto it = mac_members_.find(mac_key{*mac, vlan}); it != mac_members_.end()) return it->second;
        if (auto it = mac_members_.find(mac_key{*mac, any_vlan}); it != mac_members_.end()) return it->second;
    }
    const auto& lengths = ip.is_v4() ? v4_lengths_ : v6_lengths_;
    for (const auto& [len, count] : lengths) {
        ip_key k{ip.masked(len), len, vlan};
        if (auto it = ip_members_.find(k); it != ip_members_.end()) return it->second;
        k.vlan = any_vlan;
        if (auto it = ip_members_.find(k); it != ip_members_.end()) return it->second;
    }
    return no_pool;
}

std::optional<std::string> host_pools::name(pool_id id) const {
    auto it = pools_.find(id);
    if (it == pools_.end()) return std::nullopt;
    return it->second.name;
}

std::vector<pool_snapshot> host_pools::snapshot() const {
    std::vector<pool_snapshot> out;
    out.reserve(pools_.size());
    for (const auto& [id, p] : pools_) {
        pool_snapshot s{id, p.name, {}};
        s.members.reserve(p.members.size());
        for (const auto& m : p.members) s.members.push_back(m.to_string());
        out.push_back(std::move(s));
    }
    return out;
}

pool_result host_pools::restore(std::span<const pool_snapshot> pools) {
    host_pools fresh;
    for (const auto& s : pools) {
        if (s.id == no_pool) return {s.id, "pool id 0 is reserved for unassigned hosts"};
        if (s.id == UINT32_MAX) return {s.id, "pool id out of range"};
        if (fresh.pools_.count(s.id) != 0) return {s.id, concat({"duplicate pool id ", std::to_string(s.id)})};
        if (auto e = fresh.check_name(s.name, s.id); !e.empty()) return {s.id, e};
        fresh.pools_.emplace(s.id, pool{s.name, {}});
        if (s.id >= fresh.next_id_) fresh.next_id_ = s.id + 1;
        for (const auto& text : s.members)
            if (auto r = fresh.add_member(s.id, text); !r.ok()) return r;
    }
    fresh.generation_ = generation_ + 1;
    *this = std::move(fresh);
    return {no_pool, {}};
}

}  // namespace wireflow::collector::aggregate
