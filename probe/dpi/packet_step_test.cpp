#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <vector>

#include "dissect/dissect.hpp"
#include "dpi/packet_step.hpp"

using namespace wireflow::probe;

namespace {

constexpr std::uint64_t ms = 1'000'000ULL;

// Raw IPv4 + a 20-byte TCP header with `flags` (checksums are not checked).
std::vector<std::byte> tcp4(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags) {
    std::vector<std::byte> p(40, std::byte{0});
    const auto set = [&](std::size_t at, unsigned v) { p[at] = static_cast<std::byte>(v); };
    set(0, 0x45);
    set(3, 40);
    set(8, 64);
    set(9, 6);
    set(12, 10), set(15, 1);   // 10.0.0.1
    set(16, 10), set(19, 2);   // 10.0.0.2
    set(20, sport >> 8), set(21, sport & 0xff);
    set(22, dport >> 8), set(23, dport & 0xff);
    set(32, 0x50);
    set(33, flags);
    return p;
}

// The worker's sink: DPI results into the record, the state back on a final record.
struct dpi_sink final : record_sink {
    dpi_engine& dpi;
    explicit dpi_sink(dpi_engine& d) : dpi(d) {}
    void on_record(flow_record& rec, std::uint32_t slot, bool final) noexcept override {
        dpi.fill(slot, rec);
        if (final) dpi.release(slot);
    }
};

flow_hit feed(flow_table& table, dpi_engine& dpi, record_sink& sink, const std::vector<std::byte>& frame,
              std::uint64_t now) {
    const packet_summary s = dissect(link_type::raw_ip, frame);
    REQUIRE(s.status == parse_status::ok);
    return account_packet(table, &dpi, s, table.lookup(s), frame, now, sink);
}

}  // namespace

// Found by tests/fuzz/fuzz_packet_path (its input is kept in tests/fuzz/corpus):
// the worker fed a flow's only packet to nDPI even when that packet (a RST)
// had already ended the flow, so the state stayed with a free slot; a few
// thousand RSTs to new ports left every later flow without DPI.
TEST_CASE("a flow that its own first packet ends (a lone RST) holds no nDPI state", "[packet_step]") {
    flow_table table(flow_table_config{64, 1'000 * ms, 4'000 * ms, 0, 0});
    dpi_engine dpi(dpi_config{64, 4, 24});
    dpi_sink sink(dpi);
    std::uint64_t now = 1'700'000'000'000 * ms;
    for (std::uint16_t port = 40000; port < 40020; ++port) {
        const flow_hit hit = feed(table, dpi, sink, tcp4(port, 80, tcp_flag::rst | tcp_flag::ack), now += ms);
        CHECK(hit.created);
        CHECK(hit.ended);
    }
    CHECK(dpi.states_in_use() == 0);
    CHECK(table.active() == 0);

    // The pool is whole: a new conversation is inspected.
    (void)feed(table, dpi, sink, tcp4(50000, 80, tcp_flag::syn), now += ms);
    CHECK(dpi.states_in_use() == 1);
    CHECK(dpi.counters().flows_without_state == 0);
    table.flush(now, sink);
    CHECK(dpi.states_in_use() == 0);
}

TEST_CASE("a packet that ends an established flow returns its nDPI state", "[packet_step]") {
    flow_table table(flow_table_config{64, 1'000 * ms, 4'000 * ms, 0, 0});
    dpi_engine dpi(dpi_config{64, 4, 24});
    dpi_sink sink(dpi);
    std::uint64_t now = 1'700'000'000'000 * ms;
    const flow_hit first = feed(table, dpi, sink, tcp4(40000, 80, tcp_flag::syn), now += ms);
    CHECK(dpi.states_in_use() == 1);
    const flow_hit rst = feed(table, dpi, sink, tcp4(40000, 80, tcp_flag::rst), now += ms);
    CHECK(rst.slot == first.slot);
    CHECK(rst.ended);
    CHECK(dpi.states_in_use() == 0);
}
