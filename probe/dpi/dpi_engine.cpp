#include "dpi/dpi_engine.hpp"

#include <algorithm>
#include <cstdlib>
#include <type_traits>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <vector>

extern "C" {
#include <ndpi/ndpi_api.h>
}

#include "dpi/name_claim.hpp"
#include "net/utf8.hpp"

namespace wireflow::probe {

namespace {

// The state pool grows by this many nDPI flow states at a time, up to
// pool_size: memory follows the flows actually inspected at once.
constexpr std::uint32_t chunk_states = 256;
// Likewise for the TLS/HTTP details (app_details, 744 bytes each): only
// flows that have some take a block, kept until the flow ends.
constexpr std::uint32_t chunk_details = 256;

enum class phase : std::uint8_t {
    unused = 0,     // no flow in this slot
    inspecting,     // fresh or holding a pool state
    done,           // result final, no state held
    no_dpi,         // the pool was empty when the flow started
};

// nDPI 4.2 keeps host_server_name in a char[80]; the raw bytes are kept and
// sanitized only when a record is written.
constexpr std::size_t raw_name_size = sizeof(ndpi_flow_struct::host_server_name);

struct slot_result {
    std::uint64_t risk;
    std::uint32_t state;        // pool index + 1, 0: none (all-zero is an unused slot)
    std::uint16_t app;
    std::uint16_t master;
    std::uint16_t category;
    std::uint32_t details;      // details pool index + 1, 0: none
    std::uint8_t packets;       // packets given to nDPI
    std::uint8_t confidence;    // ndpi_confidence_t of the latest verdict
    phase ph;
    std::uint8_t name_len;
    char name[raw_name_size];
    // DNS flows (nDPI's protos.dns, read only when the flow is DNS: protos is
    // a union): question type (0: not DNS), response code, first answer.
    std::uint16_t dns_query_type;
    std::uint8_t dns_reply_code;
    std::uint8_t dns_answer_len;  // 4, 16 or 0
    std::uint8_t dns_answer[16];
    bool claimed;                 // the details hold the flow's name claim: read no more
};

struct ndpi_module_deleter {
    void operator()(ndpi_detection_module_struct* m) const noexcept { ndpi_exit_detection_module(m); }
};

// Blocks of `stride` bytes (64-byte aligned, zeroed when the pool grows),
// handed out by index and grown by `chunk` blocks up to `capacity`: memory
// follows the blocks actually in use, and an index never moves. A failed
// allocation only means no block. One mechanism for the nDPI states and the
// TLS/HTTP details.
class chunked_pool {
public:
    chunked_pool(std::size_t stride, std::uint32_t chunk, std::uint32_t capacity)
        : stride_((stride + 63) / 64 * 64), chunk_(chunk), capacity_(capacity) {
        chunks_.reserve((capacity + chunk - 1) / chunk);
        free_.reserve(capacity);
    }
    // A free block's index, growing the pool by a chunk when none is free.
    std::optional<std::uint32_t> take() noexcept {
        if (free_.empty() && allocated_ < capacity_) {
            const std::uint32_t n = std::min(chunk_, capacity_ - allocated_);
            auto* mem = static_cast<std::byte*>(::operator new[](stride_ * n, std::align_val_t{64}, std::nothrow));
            if (mem != nullptr) {
                std::memset(mem, 0, stride_ * n);
                chunks_.emplace_back(mem);
                for (std::uint32_t i = n; i-- > 0;) free_.push_back(allocated_ + i);
                allocated_ += n;
            }
        }
        if (free_.empty()) return std::nullopt;
        const std::uint32_t i = free_.back();
        free_.pop_back();
        return i;
    }
    void give_back(std::uint32_t i) noexcept { free_.push_back(i); }
    std::byte* at(std::uint32_t i) const noexcept { return chunks_[i / chunk_].get() + stride_ * (i % chunk_); }
    [[nodiscard]] std::uint32_t allocated() const noexcept { return allocated_; }
    [[nodiscard]] std::uint32_t in_use() const noexcept { return allocated_ - static_cast<std::uint32_t>(free_.size()); }
    [[nodiscard]] const std::vector<std::uint32_t>& free_list() const noexcept { return free_; }

private:
    struct aligned_deleter {
        void operator()(std::byte* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }
    };
    std::size_t stride_;
    std::uint32_t chunk_;
    std::uint32_t capacity_;
    std::vector<std::unique_ptr<std::byte[], aligned_deleter>> chunks_;  // capacity reserved: never reallocates
    std::uint32_t allocated_{0};
    std::vector<std::uint32_t> free_;  // stack, capacity reserved
};

struct free_deleter {
    void operator()(void* p) const noexcept { std::free(p); }
};

bool is_tls_family(std::uint16_t id) noexcept {
    switch (id) {
    case NDPI_PROTOCOL_TLS: case NDPI_PROTOCOL_DTLS: case NDPI_PROTOCOL_QUIC:
    case NDPI_PROTOCOL_MAIL_SMTPS: case NDPI_PROTOCOL_MAIL_IMAPS: case NDPI_PROTOCOL_MAIL_POPS:
        return true;
    default:
        return false;
    }
}

// The name services whose messages say which address a name is for
// (dpi/name_claim.hpp); none for other protocols.
name_service name_service_of(std::uint16_t app, std::uint16_t master) noexcept {
    for (const std::uint16_t id : {app, master}) {
        switch (id) {
        case NDPI_PROTOCOL_MDNS: return name_service::mdns;
        case NDPI_PROTOCOL_LLMNR: return name_service::llmnr;
        case NDPI_PROTOCOL_NETBIOS: return name_service::netbios;
        default: break;
        }
    }
    return name_service::none;
}

bool is_http_family(std::uint16_t id) noexcept {
    return id == NDPI_PROTOCOL_HTTP || id == NDPI_PROTOCOL_HTTP_PROXY || id == NDPI_PROTOCOL_HTTP_CONNECT;
}

// nDPI's C string (possibly null, possibly not UTF-8, of any length) into a
// fixed field: bounded, valid UTF-8, NUL-terminated.
template <std::size_t N>
void copy_text(const char* in, char (&out)[N]) noexcept {
    if (in == nullptr) {
        out[0] = '\0';
        return;
    }
    // Look no further than the field can hold plus one character: nDPI's
    // strings are NUL-terminated, but nothing else bounds them.
    net::sanitize_utf8(std::span<const char>(in, strnlen(in, N + 4)), std::span<char>(out));
}

// A JA3 hash is 32 hex digits; anything else (nDPI leaves the field empty
// until the hello is parsed) is sent as none.
void copy_ja3(const char (&in)[33], char (&out)[33]) noexcept {
    const std::size_t n = strnlen(in, sizeof in);
    const bool hex = n == ja3_hex && std::all_of(in, in + n, [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (hex) std::memcpy(out, in, n);
    out[hex ? n : 0] = '\0';
}

// ndpi_init_detection_module must not run concurrently (ndpi_api.h): workers
// build their engines in parallel threads, so serialise the setup.
std::mutex ndpi_init_mutex;

}  // namespace

struct dpi_engine::impl {
    dpi_config cfg;
    std::unique_ptr<ndpi_detection_module_struct, ndpi_module_deleter> mod;
    std::optional<chunked_pool> states;   // nDPI flow states, up to pool_size
    std::optional<chunked_pool> details;  // app_details blocks, at most one per slot
    // One per flow-table slot, from calloc: all-zero is "unused", so the
    // kernel maps the pages only when a flow first lands in them.
    std::unique_ptr<slot_result[], free_deleter> results;
    std::uint32_t slots{0};
    dpi_counters counters;

    explicit impl(const dpi_config& c) : cfg(c) {
        if (c.slots == 0 || c.max_packets == 0 || c.max_packets > 255)
            throw std::invalid_argument("dpi: slots must be > 0 and max_packets in 1..255");
        {
            std::lock_guard lock(ndpi_init_mutex);
            mod.reset(ndpi_init_detection_module(ndpi_no_prefs));
            if (!mod) throw std::runtime_error("dpi: ndpi_init_detection_module failed");
            NDPI_PROTOCOL_BITMASK all;
            NDPI_BITMASK_SET_ALL(all);
            ndpi_set_protocol_detection_bitmask2(mod.get(), &all);
            ndpi_finalize_initialization(mod.get());
        }
        // The library's own size, not our header's: guards against a header/ABI mismatch.
        const std::size_t size = ndpi_detection_get_sizeof_ndpi_flow_struct();
        if (size != sizeof(ndpi_flow_struct))
            throw std::runtime_error("dpi: libndpi flow struct size differs from its header");
        states.emplace(size, chunk_states, c.pool_size);  // zeroed: nDPI expects a zeroed flow
        // Zeroed bytes are an app_details (an implicit-lifetime type); each
        // block is assigned whole when taken anyway.
        static_assert(std::is_trivially_copyable_v<app_details> && std::is_trivially_destructible_v<app_details>);
        details.emplace(sizeof(app_details), chunk_details, c.slots);
        static_assert(std::is_trivially_copyable_v<slot_result>);
        results.reset(static_cast<slot_result*>(std::calloc(c.slots, sizeof(slot_result))));
        if (!results) throw std::bad_alloc();
        slots = c.slots;
    }

    ~impl() {
        // Give nDPI's own allocations back for every state still in use,
        // without walking (and so touching) the per-slot results.
        std::vector<bool> is_free(states->allocated(), false);
        for (std::uint32_t i : states->free_list()) is_free[i] = true;
        for (std::uint32_t i = 0; i < states->allocated(); ++i)
            if (!is_free[i]) ndpi_free_flow_data(state(i));
    }
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    ndpi_flow_struct* state(std::uint32_t i) noexcept {
        return reinterpret_cast<ndpi_flow_struct*>(states->at(i));
    }
    ndpi_flow_struct* state_of(const slot_result& r) noexcept { return state(r.state - 1); }

    // A zeroed state from the pool (chunked_pool grows it up to pool_size).
    // A failed allocation only means no DPI for this flow.
    bool take_state(slot_result& r) noexcept {
        const auto i = states->take();
        if (!i) return false;
        r.state = *i + 1;
        return true;
    }

    app_details& details_of(const slot_result& r) noexcept {
        return *std::launder(reinterpret_cast<app_details*>(details->at(r.details - 1)));
    }

    // The slot's details block, taken from the pool on first use (at most
    // one block per slot); null when memory ran out, which loses the details
    // of this flow only (counted).
    app_details* take_details(slot_result& r) noexcept {
        if (r.details != 0) return &details_of(r);
        const auto i = details->take();
        if (!i) {
            ++counters.details_lost;
            return nullptr;
        }
        r.details = *i + 1;
        app_details& d = details_of(r);
        d = app_details{};
        return &d;
    }

    void put_back_details(slot_result& r) noexcept {
        if (r.details == 0) return;
        details->give_back(r.details - 1);
        r.details = 0;
    }

    void put_back(slot_result& r) noexcept {
        if (r.state == 0) return;
        ndpi_flow_struct* f = state_of(r);
        ndpi_free_flow_data(f);
        std::memset(static_cast<void*>(f), 0, sizeof(ndpi_flow_struct));  // nDPI expects a zeroed flow
        states->give_back(r.state - 1);
        r.state = 0;
    }

    void take_name(slot_result& r, const ndpi_flow_struct* f) noexcept {
        const std::size_t n = strnlen(f->host_server_name, raw_name_size);
        std::memcpy(r.name, f->host_server_name, n);
        r.name_len = static_cast<std::uint8_t>(n);
        if (r.app == NDPI_PROTOCOL_DNS || r.master == NDPI_PROTOCOL_DNS) take_dns(r, f);
        r.confidence = static_cast<std::uint8_t>(f->confidence);
        if (is_tls_family(r.app) || is_tls_family(r.master)) take_tls(r, f);
        else if (is_http_family(r.app) || is_http_family(r.master)) take_http(r, f);
    }

    // What nDPI 4.2's TLS/DTLS/QUIC dissectors kept (protos.tls_quic, read
    // only for those protocols: protos is a union). Nothing is taken before
    // a hello was parsed.
    void take_tls(slot_result& r, const ndpi_flow_struct* f) noexcept {
        const auto& t = f->protos.tls_quic;
        if (t.ssl_version == 0 && t.ja3_client[0] == '\0' && t.ja3_server[0] == '\0' && t.subjectDN == nullptr)
            return;
        app_details* d = take_details(r);
        if (d == nullptr) return;
        if (d->kind != app_details_kind::tls) d->tls = tls_details{};
        d->kind = app_details_kind::tls;
        tls_details& out = d->tls;
        out.version = t.ssl_version;
        copy_ja3(t.ja3_client, out.ja3_client);
        copy_ja3(t.ja3_server, out.ja3_server);
        copy_text(t.alpn, out.alpn);
        copy_text(t.subjectDN, out.subject);
        copy_text(t.issuerDN, out.issuer);
        out.has_validity = t.notAfter != 0;
        out.not_before_s = t.notBefore;
        out.not_after_s = t.notAfter;
        out.has_sha1 = std::any_of(std::begin(t.sha1_certificate_fingerprint), std::end(t.sha1_certificate_fingerprint),
                                   [](std::uint8_t b) { return b != 0; });
        std::memcpy(out.cert_sha1, t.sha1_certificate_fingerprint, sizeof out.cert_sha1);
    }

    // nDPI 4.2's HTTP dissector: the request's method, URL (as nDPI builds
    // it: Host then path) and User-Agent, the response's status code.
    void take_http(slot_result& r, const ndpi_flow_struct* f) noexcept {
        const auto& h = f->http;
        const bool any = h.method != NDPI_HTTP_METHOD_UNKNOWN || h.url != nullptr || h.user_agent != nullptr ||
                         h.response_status_code != 0;
        if (!any) return;
        app_details* d = take_details(r);
        if (d == nullptr) return;
        if (d->kind != app_details_kind::http) d->http = http_details{};
        d->kind = app_details_kind::http;
        http_details& out = d->http;
        copy_text(h.method != NDPI_HTTP_METHOD_UNKNOWN ? ndpi_http_method2str(h.method) : nullptr, out.method);
        copy_text(h.url, out.url);
        copy_text(h.user_agent, out.user_agent);
        out.response_code = h.response_status_code >= 100 && h.response_status_code <= 599 ? h.response_status_code : 0;
    }

    // A name service flow's datagrams are read until one names an address
    // (nDPI classifies these flows on their first packet and is not fed
    // more; this is our own reading, see name_claim.hpp). The first claim
    // is the flow's: a device repeats its own name, and reading stops.
    // While nDPI has not decided, the port says which service to try: a
    // lone unicast answer (LLMNR's) is only guessed by port when the flow
    // ends, after its one packet; fill() drops the claim if nDPI's final
    // word is another protocol.
    // `inspected`: nDPI saw this packet (so the port guess costs nothing on
    // the packets of flows nDPI is done with).
    void read_name_claim(slot_result& r, const std::uint8_t* l3, std::uint16_t l3_len, bool inspected) noexcept {
        if (r.claimed) return;
        name_service service = name_service_of(r.app, r.master);
        const bool undecided = r.app == NDPI_PROTOCOL_UNKNOWN && r.master == NDPI_PROTOCOL_UNKNOWN;
        if (service == name_service::none && !(inspected && undecided)) return;
        udp_view udp;
        if (!udp_of({l3, l3_len}, udp)) return;
        if (service == name_service::none) service = service_on_port(udp);
        name_claim claim;
        if (service == name_service::none || !read_claim(service, udp, claim)) return;
        app_details* d = take_details(r);
        if (d == nullptr) return;
        d->kind = app_details_kind::name;
        d->claim = claim;
        r.claimed = true;
    }

    // Whether a finished flow can still get a name claim: not once it holds
    // one, nor when its protocol is no name service (after detection the
    // port is not tried: read_name_claim with inspected = false).
    static bool claims_over(const slot_result& r) noexcept {
        return r.claimed || name_service_of(r.app, r.master) == name_service::none;
    }

    // What nDPI 4.2's DNS dissector kept: the question's type, the response
    // code and the first A/AAAA address of the answer section (rsp_type
    // says which; nothing when the response carried no address).
    static void take_dns(slot_result& r, const ndpi_flow_struct* f) noexcept {
        const auto& d = f->protos.dns;
        // A DNS flow whose question nDPI did not parse still says "DNS":
        // the name it holds is then no query, and the probe sends none.
        r.dns_query_type = d.query_type != 0 ? d.query_type : 0;
        r.dns_reply_code = d.is_query ? 0 : d.reply_code;
        r.dns_answer_len = 0;
        if (d.is_query || d.num_answers == 0) return;
        if (d.rsp_type == 1) {  // A
            std::memcpy(r.dns_answer, &d.rsp_addr.ipv4, 4);
            r.dns_answer_len = 4;
        } else if (d.rsp_type == 28) {  // AAAA
            std::memcpy(r.dns_answer, &d.rsp_addr.ipv6, 16);
            r.dns_answer_len = 16;
        }
    }

    // Copies the verdict out of the nDPI state and returns the state to the pool.
    void finish(slot_result& r, ndpi_protocol proto) noexcept {
        ndpi_flow_struct* f = state_of(r);
        if (proto.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
            std::uint8_t guessed = 0;
            proto = ndpi_detection_giveup(mod.get(), f, 1, &guessed);
            ++counters.flows_given_up;
        } else {
            ++counters.flows_detected;
        }
        r.app = proto.app_protocol;
        r.master = proto.master_protocol;
        r.category = static_cast<std::uint16_t>(proto.category);
        r.risk = f->risk;
        take_name(r, f);
        put_back(r);
        r.ph = phase::done;
    }

    // While inspecting, the slot holds the verdict of the latest packet (as
    // ndpi_detection_process_packet returned it, category included); after
    // finish() it holds the final one.
    static ndpi_protocol stored(const slot_result& r) noexcept {
        ndpi_protocol p{};
        p.app_protocol = r.app;
        p.master_protocol = r.master;
        p.category = static_cast<ndpi_protocol_category_t>(r.category);
        return p;
    }
};

dpi_engine::dpi_engine(const dpi_config& cfg) : impl_(std::make_unique<impl>(cfg)), quiet_(cfg.slots, 0) {}
dpi_engine::~dpi_engine() = default;

void dpi_engine::process(std::uint32_t slot, const std::uint8_t* l3, std::uint16_t l3_len, std::uint64_t ts_ns,
                         bool from_client, bool created) noexcept {
    (void)from_client;
    impl& e = *impl_;
    if (slot >= e.slots) [[unlikely]] return;
    slot_result& r = e.results[slot];
    if (created || r.ph == phase::unused) {
        e.put_back(r);
        e.put_back_details(r);
        r = slot_result{};
        quiet_[slot] = 0;
        if (!e.take_state(r)) {
            r.ph = phase::no_dpi;
            quiet_[slot] = 1;  // nothing to do for the flow's other packets
            ++e.counters.flows_without_state;
            return;
        }
        r.ph = phase::inspecting;
        ++e.counters.flows_inspected;
    }
    if (l3 == nullptr || l3_len == 0) return;
    if (r.ph != phase::inspecting) {
        if (r.ph == phase::done && !r.claimed) e.read_name_claim(r, l3, l3_len, false);
        quiet_[slot] = r.ph != phase::done || e.claims_over(r);
        return;
    }

    ndpi_flow_struct* f = e.state_of(r);
    const ndpi_protocol proto = ndpi_detection_process_packet(e.mod.get(), f, l3, l3_len, ts_ns / 1'000'000);
    r.app = proto.app_protocol;
    r.master = proto.master_protocol;
    r.category = static_cast<std::uint16_t>(proto.category);
    ++r.packets;
    ++e.counters.packets_inspected;
    // Same stopping rule as ndpiReader: a classified flow is done unless nDPI
    // still wants packets for metadata (e.g. the TLS certificate).
    const bool classified = proto.app_protocol != NDPI_PROTOCOL_UNKNOWN;
    if ((classified && !ndpi_extra_dissection_possible(e.mod.get(), f)) || r.packets >= e.cfg.max_packets)
        e.finish(r, proto);
    e.read_name_claim(r, l3, l3_len, true);
    quiet_[slot] = r.ph == phase::done && e.claims_over(r);
}

void dpi_engine::fill(std::uint32_t slot, flow_record& rec) noexcept {
    impl& e = *impl_;
    if (slot >= e.slots) [[unlikely]] return;
    slot_result& r = e.results[slot];
    if (r.ph == phase::inspecting && rec.reason != end_reason::active_timeout) e.finish(r, impl::stored(r));
    if (r.ph == phase::inspecting) {
        const ndpi_flow_struct* f = e.state_of(r);
        r.risk = f->risk;
        e.take_name(r, f);
    }
    const ndpi_protocol p = impl::stored(r);
    rec.app_protocol = p.app_protocol;
    rec.master_protocol = p.master_protocol;
    rec.flow_risk = r.risk;

    char buf[64];
    const char* name = ndpi_protocol2name(e.mod.get(), p, buf, sizeof buf);
    // Static nDPI tables, but bounded and sanitized anyway: nothing unchecked leaves the probe.
    net::sanitize_utf8(std::span<const char>(name, strnlen(name, sizeof buf)), std::span<char>(rec.app_name));
    const char* cat = ndpi_category_get_name(e.mod.get(), p.category);
    if (cat == nullptr) cat = "";
    net::sanitize_utf8(std::span<const char>(cat, strnlen(cat, max_app_name)), std::span<char>(rec.app_category));
    const std::size_t n = net::sanitize_utf8(std::span<const char>(r.name, r.name_len), std::span<char>(rec.server_name));
    rec.server_name_len = static_cast<std::uint8_t>(n);
    rec.dns_query_type = r.dns_query_type;
    rec.dns_reply_code = r.dns_reply_code;
    rec.dns_answer_len = r.dns_answer_len;
    std::memcpy(rec.dns_answer.data(), r.dns_answer, sizeof r.dns_answer);
    if (r.details != 0) rec.app = e.details_of(r);
    else rec.app.kind = app_details_kind::none;  // the union stays unset (app_details.hpp)
    if (rec.app.kind == app_details_kind::name && name_service_of(p.app_protocol, p.master_protocol) == name_service::none)
        rec.app.kind = app_details_kind::none;  // claimed by port, but nDPI says it is something else
    rec.app.confidence = r.confidence <= static_cast<std::uint8_t>(dpi_confidence::dpi)
                             ? static_cast<dpi_confidence>(r.confidence)
                             : dpi_confidence::unknown;
}

void dpi_engine::release(std::uint32_t slot) noexcept {
    impl& e = *impl_;
    if (slot >= e.slots) [[unlikely]] return;
    e.put_back(e.results[slot]);
    e.put_back_details(e.results[slot]);
    e.results[slot] = slot_result{};
    quiet_[slot] = 0;
}

const dpi_counters& dpi_engine::counters() const noexcept { return impl_->counters; }

std::uint32_t dpi_engine::states_in_use() const noexcept {
    return impl_->states->in_use();
}

std::uint32_t dpi_engine::states_allocated() const noexcept { return impl_->states->allocated(); }

std::uint32_t dpi_engine::details_in_use() const noexcept {
    return impl_->details->in_use();
}

}  // namespace wireflow::probe
