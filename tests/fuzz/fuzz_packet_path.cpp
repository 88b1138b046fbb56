// The probe's per-packet path without DPDK: what worker::process_burst does
// to each frame (dissect, flow-table lookup, account_packet: the table and
// nDPI), the expiry sweep between packets, and a flush at the end.
//
// Input: the capture's pcap LINKTYPE (2 bytes, big-endian), then packets,
// each a time step (1 byte: the clock advances step^2 ms, so runs of small
// steps and single jumps past the idle and active timeouts both occur), a
// length (2 bytes, big-endian) and that many frame bytes. seeds.py writes
// the first packets of each capture this way.
//
// The table is small (64 flows, 16 nDPI states) so eviction and an empty
// state pool happen within a short input; it lives across inputs, like a
// worker's, and every input ends with flush(), which must leave it empty.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "dissect/dissect.hpp"
#include "dpi/dpi_engine.hpp"
#include "dpi/packet_step.hpp"
#include "flow/flow_table.hpp"
#include "fuzz_input.hpp"
#include "net/utf8.hpp"

using namespace wireflow::probe;

namespace {

constexpr std::uint32_t capacity = 64;
constexpr std::uint64_t ms = 1'000'000;

// The worker's sink (capture/worker.cpp) without the ring: DPI results into
// the record, the slot released on a final record, and the record checked.
struct checking_sink final : record_sink {
    dpi_engine* dpi{nullptr};
    std::uint64_t records{0};

    void on_record(flow_record& rec, std::uint32_t slot, bool final) noexcept override {
        FUZZ_CHECK(slot < capacity);
        dpi->fill(slot, rec);
        if (final) dpi->release(slot);
        ++records;
        FUZZ_CHECK(rec.first_seen_ns <= rec.last_seen_ns);
        FUZZ_CHECK(rec.ip_version == 4 || rec.ip_version == 6);
        // Packet-derived text leaves the probe bounded, NUL-terminated, valid UTF-8.
        FUZZ_CHECK(rec.server_name_len <= max_server_name && rec.server_name[rec.server_name_len] == '\0');
        const std::string_view sn(rec.server_name, rec.server_name_len);
        FUZZ_CHECK(sn.find('\0') == std::string_view::npos && wireflow::net::valid_utf8(sn));
        FUZZ_CHECK(std::memchr(rec.app_name, '\0', sizeof rec.app_name) != nullptr);
        FUZZ_CHECK(std::memchr(rec.app_category, '\0', sizeof rec.app_category) != nullptr);
        // TLS and HTTP details and name claims likewise, each within its field.
        if (rec.app.kind == app_details_kind::tls) {
            const tls_details& t = rec.app.tls;
            for (std::string_view f : {text(t.ja3_client), text(t.ja3_server), text(t.alpn), text(t.subject),
                                       text(t.issuer)})
                FUZZ_CHECK(wireflow::net::valid_utf8(f));
            FUZZ_CHECK(text(t.ja3_client).empty() || text(t.ja3_client).size() == ja3_hex);
        } else if (rec.app.kind == app_details_kind::http) {
            const http_details& h = rec.app.http;
            for (std::string_view f : {text(h.method), text(h.url), text(h.user_agent)})
                FUZZ_CHECK(wireflow::net::valid_utf8(f));
            FUZZ_CHECK(h.response_code == 0 || (h.response_code >= 100 && h.response_code <= 599));
        } else if (rec.app.kind == app_details_kind::name) {
            // A name service flow's claim (dpi/name_claim.hpp): an address and a name.
            const name_claim& c = rec.app.claim;
            FUZZ_CHECK(c.service == name_service::mdns || c.service == name_service::netbios ||
                       c.service == name_service::llmnr);
            FUZZ_CHECK(c.address_len == 4 || c.address_len == 16);
            FUZZ_CHECK(!text(c.name).empty() && wireflow::net::valid_utf8(text(c.name)));
        } else {
            FUZZ_CHECK(rec.app.kind == app_details_kind::none);
        }
    }

    // A fixed field's text: it must hold its NUL.
    template <std::size_t N>
    static std::string_view text(const char (&a)[N]) noexcept {
        const void* nul = std::memchr(a, '\0', N);
        FUZZ_CHECK(nul != nullptr);
        return {a, static_cast<std::size_t>(static_cast<const char*>(nul) - a)};
    }
};

struct path {
    flow_table table{flow_table_config{capacity, 1'000 * ms, 4'000 * ms, 0, 0}};
    dpi_engine dpi{dpi_config{capacity, 16, 24}};
    checking_sink sink;
    path() { sink.dpi = &dpi; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static path p;  // nDPI's setup costs milliseconds: once per process, as per worker
    wireflow::fuzz::input in(data, size);
    const std::uint16_t linktype = in.u16();
    const auto known = link_type_from_pcap(linktype);
    if (!known) return -1;  // refused at start by the probe: nothing reaches this path
    std::uint64_t now = 1'700'000'000'000 * ms;

    while (!in.empty()) {
        const unsigned step = in.u8();
        now += std::uint64_t{step} * step * ms;
        const auto bytes = in.bytes(in.u16());
        const std::span<const std::byte> frame{reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()};
        const packet_summary s = dissect(*known, frame);
        if (s.status == parse_status::ok) {
            const flow_lookup l = p.table.lookup(s);
            p.table.prefetch_entry(l);
            const flow_hit hit = account_packet(p.table, &p.dpi, s, l, frame, now, p.sink);
            FUZZ_CHECK(hit.slot < capacity);
        }
        FUZZ_CHECK(p.table.active() <= capacity);
        p.table.expire(now, 8, p.sink);
    }
    p.table.expire(now, capacity, p.sink);
    p.table.flush(now, p.sink);
    FUZZ_CHECK(p.table.active() == 0);
    FUZZ_CHECK(p.dpi.states_in_use() == 0);
    return 0;
}
