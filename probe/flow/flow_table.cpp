#include "flow/flow_table.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <memory>
#include <new>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "flow/flow_hash.hpp"
#include "flow/page_array.hpp"
#include "flow/tcp_analysis.hpp"

namespace wireflow::probe {

namespace {

constexpr std::uint32_t nil = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t empty_cell = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint8_t ip_proto_tcp = 6;
constexpr std::uint8_t ip_proto_udp = 17;

// Entry state bits.
constexpr std::uint8_t st_live = 0x01;
constexpr std::uint8_t st_client_is_lo = 0x02;
constexpr std::uint8_t st_has_macs = 0x04;
constexpr std::uint8_t st_fin_c2s = 0x08;
constexpr std::uint8_t st_fin_s2c = 0x10;
constexpr std::uint8_t st_payload_c2s = 0x20;   // sticky for the flow's life (never reset per period)
constexpr std::uint8_t st_payload_s2c = 0x40;
constexpr std::uint8_t st_tcp_analysed = 0x80;  // a whole TCP header was seen: the TCP state is live

// One flow, two cache lines: the first holds what a lookup compares and what
// every packet updates in the client direction. Counters cover the current
// record period (since the flow started or since its last active record).
struct alignas(64) entry {
    flow_key key;                        // 40
    std::uint64_t last_seen_ns;          // 48: last packet of the flow (idle timeout, eviction)
    std::uint64_t c2s_packets;           // 56
    std::uint64_t c2s_bytes;             // 64
    std::uint64_t s2c_packets;
    std::uint64_t s2c_bytes;
    std::uint64_t period_first_ns;       // first packet of the period (valid if it has packets)
    std::uint64_t flow_id;
    std::uint32_t free_next;             // free list link while the entry is dead
    std::array<std::uint8_t, 6> client_mac;
    std::array<std::uint8_t, 6> server_mac;
    std::uint8_t c2s_flags;
    std::uint8_t s2c_flags;
    std::uint8_t state;
    std::uint8_t c2s_ttl_min;            // of the period; valid when the direction has packets
    std::uint8_t c2s_ttl_max;
    std::uint8_t s2c_ttl_min;
    std::uint8_t s2c_ttl_max;
    std::uint8_t dscp;                   // of the flow's first packet
    tunnel_type tunnel;                  // of the flow's first tunnelled packet; details in impl::tunnels
};
static_assert(sizeof(entry) <= 128, "a flow entry must fit two cache lines");

// A tunnelled flow's outer endpoints, oriented like the flow (the client's
// side first), and the tunnel's id, from its first tunnelled packet.
struct tunnel_info {
    ip_bytes client_side{};
    ip_bytes server_side{};
    std::uint32_t id{0};
    std::uint8_t ip_version{0};
};

// Eviction looks at this many consecutive slots and takes the least recently
// used of them (sampled LRU, as Redis does): exact LRU needs a list relinked
// on every packet, i.e. two more random cache misses per packet.
constexpr std::uint32_t evict_sample = 8;

// Mid-stream client guess: services listen below 1024 (IANA system ports,
// RFC 6335 section 6), clients use ephemeral ports.
bool dst_is_client_by_port(const packet_summary& p) noexcept {
    return p.src.port < 1024 && p.dst.port >= 1024;
}

bool src_is_client(const packet_summary& p) noexcept {
    if (p.protocol == ip_proto_tcp && p.has_l4) {
        const bool syn = (p.tcp_flags & tcp_flag::syn) != 0;
        const bool ack = (p.tcp_flags & tcp_flag::ack) != 0;
        if (syn) return !ack;  // SYN: sender opens; SYN+ACK: sender is the server
        return !dst_is_client_by_port(p);
    }
    if (p.protocol == ip_proto_udp && p.has_l4) return !dst_is_client_by_port(p);
    return true;
}

}  // namespace

struct flow_table::impl {
    flow_table_config cfg;
    flow_hash hasher;
    // Entries and index on huge pages where the kernel gives them: every
    // packet reads one index cell and one entry at random (page_array.hpp).
    page_array<entry> entries;
    // Side arrays per slot, calloc'd rather than vectors: a large zeroed
    // block comes from mmap, so pages of slots that never hold such a flow
    // are never touched, and start-up does not write them (a vector would
    // write every element). All-zero bytes are a valid element of each (both
    // implicit-lifetime types; a slot's element is assigned when its flow
    // starts anyway).
    struct free_deleter {
        void operator()(void* p) const noexcept { std::free(p); }
    };
    template <typename T>
    static std::unique_ptr<T[], free_deleter> zeroed(std::size_t n) {
        static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
        std::unique_ptr<T[], free_deleter> p(static_cast<T*>(std::calloc(n, sizeof(T))));
        if (!p) throw std::bad_alloc();
        return p;
    }
    // TCP health, beside the entries rather than in them: two more cache
    // lines that only TCP packets touch (an entry stays two lines); 32 MiB
    // per worker at the default --max-flows.
    std::unique_ptr<tcp_analysis[], free_deleter> tcp;
    // Tunnel details: only tunnelled packets touch them (the entry's
    // `tunnel` byte says whether they are set); 10 MiB per worker.
    std::unique_ptr<tunnel_info[], free_deleter> tunnels;
    page_array<std::uint64_t> index;  // (low 32 bits of hash << 32) | slot, or empty_cell
    std::uint64_t index_mask{0};
    std::uint32_t free_head{nil};
    std::uint32_t live{0};
    std::uint32_t cursor{0};           // expire() round-robin position
    std::uint32_t evict_cursor{0};     // where the next eviction sample starts
    std::uint32_t report_cursor{0};    // report() round-robin position
    std::uint64_t next_seq{1};         // flow id sequence; 0 is never a valid id
    flow_table_counters counters;

    static std::uint32_t checked_capacity(const flow_table_config& c) {
        if (c.capacity == 0 || c.capacity > (1u << 30))
            throw std::invalid_argument("flow table capacity must be in 1..2^30");
        return c.capacity;
    }
    static std::uint64_t index_cells(std::uint32_t capacity) noexcept {
        const std::uint64_t cells = std::bit_ceil(std::uint64_t{capacity} * 2);
        return cells < 16 ? 16 : cells;
    }

    explicit impl(const flow_table_config& c)
        : cfg(c), hasher(c.key), entries(checked_capacity(c)), index(index_cells(c.capacity), empty_cell) {
        tcp = zeroed<tcp_analysis>(c.capacity);
        tunnels = zeroed<tunnel_info>(c.capacity);
        index_mask = index.size() - 1;
        for (std::uint32_t i = 0; i < c.capacity; ++i) {
            entries[i].state = 0;
            entries[i].free_next = i + 1 < c.capacity ? i + 1 : nil;
        }
        free_head = 0;
    }

    static std::uint32_t cell_slot(std::uint64_t c) noexcept { return static_cast<std::uint32_t>(c); }
    static std::uint32_t cell_hash(std::uint64_t c) noexcept { return static_cast<std::uint32_t>(c >> 32); }

    std::uint32_t find(const flow_key& k, std::uint32_t h) const noexcept {
        for (std::uint64_t pos = h & index_mask;; pos = (pos + 1) & index_mask) {
            const std::uint64_t c = index[pos];
            if (c == empty_cell) return nil;
            if (cell_hash(c) == h && entries[cell_slot(c)].key == k) return cell_slot(c);
        }
    }

    void index_insert(std::uint32_t h, std::uint32_t slot) noexcept {
        std::uint64_t pos = h & index_mask;
        while (index[pos] != empty_cell) pos = (pos + 1) & index_mask;
        index[pos] = (std::uint64_t{h} << 32) | slot;
    }

    // Backward-shift deletion (Knuth 6.4 algorithm R): keeps probe chains
    // intact without tombstones, so lookups never degrade with churn.
    void index_erase(std::uint32_t slot) noexcept {
        const std::uint32_t h = static_cast<std::uint32_t>(hasher(entries[slot].key));
        std::uint64_t i = h & index_mask;
        while (cell_slot(index[i]) != slot || index[i] == empty_cell) i = (i + 1) & index_mask;
        std::uint64_t j = i;
        for (;;) {
            j = (j + 1) & index_mask;
            if (index[j] == empty_cell) break;
            const std::uint64_t home = cell_hash(index[j]) & index_mask;
            // Move j into the hole at i unless j's home lies cyclically in (i, j].
            const bool home_between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!home_between) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = empty_cell;
    }

    // Called only when every slot is live. Scans evict_sample slots from a
    // rotating cursor and returns the least recently seen one.
    std::uint32_t eviction_victim() noexcept {
        const std::uint32_t cap = cfg.capacity;
        const std::uint32_t n = evict_sample < cap ? evict_sample : cap;
        std::uint32_t best = evict_cursor;
        for (std::uint32_t k = 0; k < n; ++k) {
            const std::uint32_t s = evict_cursor + k < cap ? evict_cursor + k : evict_cursor + k - cap;
            if (entries[s].last_seen_ns < entries[best].last_seen_ns) best = s;
        }
        evict_cursor = evict_cursor + n < cap ? evict_cursor + n : evict_cursor + n - cap;
        return best;
    }

    void fill_record(const entry& e, flow_record& r, end_reason why) const noexcept {
        r.flow_id = e.flow_id;
        const bool empty_period = e.c2s_packets + e.s2c_packets == 0;
        r.first_seen_ns = empty_period ? e.last_seen_ns : e.period_first_ns;
        r.last_seen_ns = e.last_seen_ns;
        r.c2s_packets = e.c2s_packets;
        r.c2s_bytes = e.c2s_bytes;
        r.s2c_packets = e.s2c_packets;
        r.s2c_bytes = e.s2c_bytes;
        const endpoint lo{e.key.lo_ip, e.key.lo_port};
        const endpoint hi{e.key.hi_ip, e.key.hi_port};
        const bool client_lo = (e.state & st_client_is_lo) != 0;
        r.client = client_lo ? lo : hi;
        r.server = client_lo ? hi : lo;
        if (e.key.ip_version == 4) {
            // Bytes 4-15 of an IPv4 key are zero, but for a station of 0.0.0.0 (lookup()).
            std::fill(r.client.ip.begin() + 4, r.client.ip.end(), std::uint8_t{0});
            std::fill(r.server.ip.begin() + 4, r.server.ip.end(), std::uint8_t{0});
        }
        r.vlan = e.key.vlan;
        r.ip_version = e.key.ip_version;
        r.protocol = e.key.protocol;
        r.c2s_tcp_flags = e.c2s_flags;
        r.s2c_tcp_flags = e.s2c_flags;
        r.reason = why;
        r.c2s_payload = (e.state & st_payload_c2s) != 0;
        r.s2c_payload = (e.state & st_payload_s2c) != 0;
        r.has_macs = (e.state & st_has_macs) != 0;
        r.client_mac = e.client_mac;
        r.server_mac = e.server_mac;
        r.worker = cfg.worker;
        r.c2s_ttl_min = e.c2s_ttl_min;
        r.c2s_ttl_max = e.c2s_ttl_max;
        r.s2c_ttl_min = e.s2c_ttl_min;
        r.s2c_ttl_max = e.s2c_ttl_max;
        r.dscp = e.dscp;
        if (e.tunnel != tunnel_type::none) {
            const tunnel_info& t = tunnels[static_cast<std::size_t>(&e - entries.data())];
            r.tunnel = e.tunnel;
            r.tunnel_id = t.id;
            r.tunnel_ip_version = t.ip_version;
            r.tunnel_client_side = t.client_side;
            r.tunnel_server_side = t.server_side;
        }
        if (e.state & st_tcp_analysed) {
            const tcp_analysis& t = tcp[static_cast<std::size_t>(&e - entries.data())];
            r.tcp_analysed = true;
            r.c2s_retransmissions = t.c2s_counts.retransmissions;
            r.s2c_retransmissions = t.s2c_counts.retransmissions;
            r.c2s_out_of_order = t.c2s_counts.out_of_order;
            r.s2c_out_of_order = t.s2c_counts.out_of_order;
            r.c2s_zero_windows = t.c2s_counts.zero_windows;
            r.s2c_zero_windows = t.s2c_counts.zero_windows;
            r.client_rtt_ns = t.client_rtt_ns();
            r.server_rtt_ns = t.server_rtt_ns();
        }
    }

    void emit(std::uint32_t s, end_reason why, bool final, record_sink& sink) noexcept {
        // Default-initialised: every field has its initialiser but the TLS/HTTP
        // union (app_details.hpp), which `{}` would zero for nothing.
        flow_record r;
        fill_record(entries[s], r, why);
        ++counters.records_emitted;
        sink.on_record(r, s, final);
        if (final) {
            release(s);
        } else {
            entry& e = entries[s];
            e.c2s_packets = e.c2s_bytes = e.s2c_packets = e.s2c_bytes = 0;
            e.c2s_flags = e.s2c_flags = 0;
            e.c2s_ttl_min = e.s2c_ttl_min = 0xff;
            e.c2s_ttl_max = e.s2c_ttl_max = 0;
            tcp[s].new_period();
        }
    }

    void release(std::uint32_t s) noexcept {
        index_erase(s);
        entry& e = entries[s];
        e.state = 0;
        e.free_next = free_head;
        free_head = s;
        --live;
    }

    end_reason idle_reason(const entry& e) const noexcept {
        const bool both_fins = (e.state & (st_fin_c2s | st_fin_s2c)) == (st_fin_c2s | st_fin_s2c);
        return both_fins ? end_reason::tcp_fin : end_reason::idle_timeout;
    }

    bool idle(const entry& e, std::uint64_t now) const noexcept {
        return now >= e.last_seen_ns && now - e.last_seen_ns >= cfg.idle_timeout_ns;
    }

    std::uint32_t create(const oriented_key& ok, std::uint32_t h, const packet_summary& p, std::uint64_t now,
                         record_sink& sink) noexcept {
        if (free_head == nil) {
            ++counters.evictions;
            emit(eviction_victim(), end_reason::evicted, true, sink);
        }
        const std::uint32_t s = free_head;
        entry& e = entries[s];
        free_head = e.free_next;
        e = entry{};
        e.key = ok.key;
        e.flow_id = cfg.flow_id_base + (std::uint64_t{cfg.worker} << 48) + next_seq++;
        e.period_first_ns = now;
        e.last_seen_ns = now;
        e.state = st_live;
        e.c2s_ttl_min = e.s2c_ttl_min = 0xff;
        e.dscp = p.dscp;
        if (p.protocol == ip_proto_tcp) tcp[s] = tcp_analysis{};
        if (src_is_client(p) == ok.src_is_lo) e.state |= st_client_is_lo;
        index_insert(h, s);
        ++live;
        ++counters.flows_created;
        return s;
    }
};

flow_table::flow_table(const flow_table_config& cfg) : impl_(std::make_unique<impl>(cfg)) {}
flow_table::~flow_table() = default;

namespace {

void key_of(const packet_summary& p, oriented_key& out) noexcept {
    // An IPv4 source of 0.0.0.0 is a station without an address yet (a DHCP
    // client, RFC 2131 4.1): every such station's requests share one 5-tuple
    // (0.0.0.0:68 -> 255.255.255.255:67), but they are separate
    // conversations, each with its own host name for nDPI to read. The
    // station's MAC goes into the address bytes an IPv4 key never uses
    // (4-9), so each station is a flow of its own; records carry 0.0.0.0
    // (fill_record clears those bytes).
    if (p.ip_version == 4 && p.has_macs && p.src.ip[0] == 0 && p.src.ip[1] == 0 && p.src.ip[2] == 0 &&
        p.src.ip[3] == 0) [[unlikely]] {
        endpoint src = p.src;
        std::copy(p.src_mac.begin(), p.src_mac.end(), src.ip.begin() + 4);
        make_flow_key(p.vlan, p.ip_version, p.protocol, src, p.dst, out);
        return;
    }
    make_flow_key(p.vlan, p.ip_version, p.protocol, p.src, p.dst, out);
}

}  // namespace

flow_lookup flow_table::lookup(const packet_summary& p) const noexcept {
    flow_lookup l{};
    key_of(p, l.ok);
    l.hash = static_cast<std::uint32_t>(impl_->hasher(l.ok.key));
    __builtin_prefetch(&impl_->index[l.hash & impl_->index_mask]);
    return l;
}

void flow_table::lookup(std::span<const packet_summary> ps, std::span<flow_lookup> out) const noexcept {
    const impl& t = *impl_;
    constexpr std::size_t chunk = 32;
    std::array<const flow_key*, chunk> keys;
    std::array<std::uint16_t, chunk> at;
    std::array<std::uint64_t, chunk> hashes;
    for (std::size_t from = 0; from < ps.size(); from += chunk) {
        const std::size_t to = std::min(ps.size(), from + chunk);
        std::size_t n = 0;
        for (std::size_t i = from; i < to; ++i) {
            if (ps[i].status != parse_status::ok) continue;
            key_of(ps[i], out[i].ok);
            keys[n] = &out[i].ok.key;
            at[n++] = static_cast<std::uint16_t>(i);
        }
        t.hasher(keys.data(), hashes.data(), n);
        for (std::size_t j = 0; j < n; ++j) {
            flow_lookup& l = out[at[j]];
            l.hash = static_cast<std::uint32_t>(hashes[j]);
            __builtin_prefetch(&t.index[l.hash & t.index_mask]);
        }
    }
}

void flow_table::prefetch_entry(const flow_lookup& l) const noexcept {
    const impl& t = *impl_;
    const std::uint64_t c = t.index[l.hash & t.index_mask];
    if (c == empty_cell) return;
    const entry* e = &t.entries[impl::cell_slot(c)];
    __builtin_prefetch(e);
    __builtin_prefetch(reinterpret_cast<const char*>(e) + 64);
    if (l.ok.key.protocol == ip_proto_tcp) {
        // The TCP state lives beside the entry (two more lines): fetch it too.
        const tcp_analysis* a = &t.tcp[impl::cell_slot(c)];
        __builtin_prefetch(a);
        __builtin_prefetch(reinterpret_cast<const char*>(a) + 64);
    }
}

flow_hit flow_table::account(const packet_summary& p, std::uint64_t now_ns, record_sink& sink) noexcept {
    return account(p, lookup(p), now_ns, sink);
}

flow_hit flow_table::account(const packet_summary& p, const flow_lookup& l, std::uint64_t now_ns,
                             record_sink& sink) noexcept {
    impl& t = *impl_;
    ++t.counters.packets;
    const oriented_key& ok = l.ok;
    const std::uint32_t h = l.hash;

    std::uint32_t s = t.find(ok.key, h);
    if (s != nil && t.idle(t.entries[s], now_ns)) {
        // The sweep has not reached it yet: the old conversation is over.
        t.emit(s, t.idle_reason(t.entries[s]), true, sink);
        s = nil;
    }
    flow_hit hit{};
    if (s == nil) {
        s = t.create(ok, h, p, now_ns, sink);
        hit.created = true;
    }
    hit.slot = s;

    entry& e = t.entries[s];
    // The state byte in a local, stored once: every uint8_t store into the
    // entry may alias anything (a character type), so the compiler reloaded
    // e.state after each one (perf put 15 % of account's samples on the
    // test after one such reload).
    std::uint8_t st = e.state;
    const bool from_client = ok.src_is_lo == ((st & st_client_is_lo) != 0);
    hit.from_client = from_client;
    if (e.c2s_packets + e.s2c_packets == 0) e.period_first_ns = now_ns;
    if (now_ns > e.last_seen_ns) e.last_seen_ns = now_ns;
    if (from_client) {
        ++e.c2s_packets;
        e.c2s_bytes += p.l3_bytes;
        e.c2s_flags |= p.tcp_flags;
        e.c2s_ttl_min = std::min(e.c2s_ttl_min, p.ttl);
        e.c2s_ttl_max = std::max(e.c2s_ttl_max, p.ttl);
    } else {
        ++e.s2c_packets;
        e.s2c_bytes += p.l3_bytes;
        e.s2c_flags |= p.tcp_flags;
        e.s2c_ttl_min = std::min(e.s2c_ttl_min, p.ttl);
        e.s2c_ttl_max = std::max(e.s2c_ttl_max, p.ttl);
    }
    if (p.tunnel != tunnel_type::none && e.tunnel == tunnel_type::none) [[unlikely]] {
        e.tunnel = p.tunnel;
        tunnel_info& tun = t.tunnels[s];
        tun.id = p.tunnel_id;
        tun.ip_version = p.outer_ip_version;
        tun.client_side = from_client ? p.outer_src : p.outer_dst;
        tun.server_side = from_client ? p.outer_dst : p.outer_src;
    }
    const std::uint32_t headers = static_cast<std::uint32_t>(p.payload_offset - p.l3_offset);
    if (p.protocol == ip_proto_tcp && p.has_tcp_header) {
        // Segment length by the (inner) IP length, as Wireshark's tcp.len: a
        // snapped capture still counts its payload.
        const std::uint32_t seglen = p.ip_length > headers ? p.ip_length - headers : 0;
        t.tcp[s].observe({p.tcp_seq, p.tcp_ack, seglen, p.tcp_window, p.tcp_flags}, from_client, now_ns);
        st |= st_tcp_analysed;
    }
    // L4 payload on the wire: the IP length beyond the headers (a snapped
    // capture still counts; a header cut short counts as payload, which can
    // only hide a "no data" connection, never invent one).
    if (p.has_l4 && p.ip_length > headers) st |= from_client ? st_payload_c2s : st_payload_s2c;
    if (p.has_macs && (st & st_has_macs) == 0) {
        st |= st_has_macs;
        e.client_mac = from_client ? p.src_mac : p.dst_mac;
        e.server_mac = from_client ? p.dst_mac : p.src_mac;
    }

    bool close_rst = false, close_fin = false;
    if (p.protocol == ip_proto_tcp && p.has_l4) {
        const std::uint8_t f = p.tcp_flags;
        const bool both_fins_before = (st & (st_fin_c2s | st_fin_s2c)) == (st_fin_c2s | st_fin_s2c);
        if (f & tcp_flag::fin) st |= from_client ? st_fin_c2s : st_fin_s2c;
        // RFC 9293 3.10.7.x: a RST aborts the connection at once.
        close_rst = (f & tcp_flag::rst) != 0;
        // RFC 9293 3.6: the ACK of the second FIN completes the close.
        close_fin = both_fins_before && (f & tcp_flag::ack) && !(f & tcp_flag::fin);
    }
    e.state = st;  // before emit(), which reads it
    if (close_rst || close_fin) {
        t.emit(s, close_rst ? end_reason::tcp_rst : end_reason::tcp_fin, true, sink);
        hit.ended = true;
    }
    return hit;
}

void flow_table::expire(std::uint64_t now_ns, std::uint32_t budget, record_sink& sink) noexcept {
    impl& t = *impl_;
    const std::uint32_t cap = t.cfg.capacity;
    if (budget > cap) budget = cap;
    for (std::uint32_t n = 0; n < budget && t.live != 0; ++n) {
        const std::uint32_t s = t.cursor;
        t.cursor = s + 1 == cap ? 0 : s + 1;
        entry& e = t.entries[s];
        if ((e.state & st_live) == 0) continue;
        if (t.idle(e, now_ns)) {
            t.emit(s, t.idle_reason(e), true, sink);
        } else if (e.c2s_packets + e.s2c_packets != 0 && now_ns >= e.period_first_ns &&
                   now_ns - e.period_first_ns >= t.cfg.active_timeout_ns) {
            t.emit(s, end_reason::active_timeout, false, sink);
        }
    }
}

std::uint32_t flow_table::report(std::uint32_t budget, update_sink& sink) noexcept {
    impl& t = *impl_;
    const std::uint32_t cap = t.cfg.capacity;
    if (budget > cap) budget = cap;
    std::uint32_t n = 0;
    for (; n < budget && t.live != 0; ++n) {
        const std::uint32_t s = t.report_cursor;
        const entry& e = t.entries[s];
        // A period without packets (just after an active-timeout record) has
        // nothing to say: the collector keeps the flow for three periods.
        if ((e.state & st_live) != 0 && e.c2s_packets + e.s2c_packets != 0) {
            flow_record r;  // as in emit()
            t.fill_record(e, r, end_reason::unspecified);
            if (!sink.on_update(r, s)) break;  // this slot first next time
        }
        t.report_cursor = s + 1 == cap ? 0 : s + 1;
    }
    return n;
}

void flow_table::flush(std::uint64_t now_ns, record_sink& sink) noexcept {
    (void)now_ns;  // records carry the flows' own timestamps
    impl& t = *impl_;
    for (std::uint32_t s = 0; s < t.cfg.capacity && t.live != 0; ++s)
        if (t.entries[s].state & st_live) t.emit(s, end_reason::shutdown, true, sink);
}

std::uint32_t flow_table::longest_probe() const noexcept {
    const impl& t = *impl_;
    std::uint64_t longest = 0;
    for (std::uint64_t pos = 0; pos < t.index.size(); ++pos) {
        const std::uint64_t c = t.index[pos];
        if (c == empty_cell) continue;
        const std::uint64_t home = impl::cell_hash(c) & t.index_mask;
        longest = std::max(longest, ((pos - home) & t.index_mask) + 1);
    }
    return static_cast<std::uint32_t>(longest);
}

std::uint32_t flow_table::active() const noexcept { return impl_->live; }
std::uint32_t flow_table::capacity() const noexcept { return impl_->cfg.capacity; }
const flow_table_counters& flow_table::counters() const noexcept { return impl_->counters; }

}  // namespace wireflow::probe
