// TCP health on hand-built segment sequences, each with the verdict
// Wireshark's tcp.analysis gives the same packets (tests/integration/
// tcp_health_tshark_test.py checks that agreement on real tshark output).
#include <catch2/catch.hpp>

#include "dissect/packet_summary.hpp"
#include "flow/tcp_analysis.hpp"

using namespace wireflow::probe;

namespace {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint8_t S = tcp_flag::syn, A = tcp_flag::ack, F = tcp_flag::fin, R = tcp_flag::rst, P = tcp_flag::psh;
constexpr std::uint32_t cisn = 1000, sisn = 5000;

// A connection driven from both ends; times in milliseconds.
struct conn {
    tcp_analysis t;
    void c(std::uint64_t at_ms, std::uint32_t seq, std::uint32_t ack, std::uint32_t len, std::uint8_t flags,
           std::uint16_t win = 1000) {
        t.observe({seq, ack, len, win, flags}, true, 1'000'000'000'000ULL + at_ms * ms);
    }
    void s(std::uint64_t at_ms, std::uint32_t seq, std::uint32_t ack, std::uint32_t len, std::uint8_t flags,
           std::uint16_t win = 1000) {
        t.observe({seq, ack, len, win, flags}, false, 1'000'000'000'000ULL + at_ms * ms);
    }
    // SYN at 0, SYN/ACK at 30 ms, ACK at 40 ms: server part 30, client part 10.
    void handshake() {
        c(0, cisn, 0, 0, S);
        s(30, sisn, cisn + 1, 0, S | A);
        c(40, cisn + 1, sisn + 1, 0, A);
    }
};

}  // namespace

TEST_CASE("handshake round trip splits into server part syn to syn-ack and client part syn-ack to ack", "[tcp_analysis]") {
    conn k;
    k.handshake();
    CHECK(k.t.handshake_known());
    CHECK(k.t.server_rtt_ns() == 30 * ms);
    CHECK(k.t.client_rtt_ns() == 10 * ms);
    CHECK(k.t.initial_rtt_ns() == 40 * ms);
}

TEST_CASE("a retransmitted syn restarts the handshake clock from the most recent syn", "[tcp_analysis]") {
    conn k;
    k.c(0, cisn, 0, 0, S);
    k.c(1000, cisn, 0, 0, S);
    k.s(1020, sisn, cisn + 1, 0, S | A);
    k.c(1025, cisn + 1, sisn + 1, 0, A);
    CHECK(k.t.server_rtt_ns() == 20 * ms);
    CHECK(k.t.client_rtt_ns() == 5 * ms);
    // The second SYN is a retransmission: same sequence number, below nextseq.
    CHECK(k.t.c2s_counts.retransmissions == 1);
}

TEST_CASE("a flow seen mid-stream has no handshake round trip", "[tcp_analysis]") {
    conn k;
    k.c(0, cisn + 1, sisn + 1, 100, A | P);
    k.s(5, sisn + 1, cisn + 101, 0, A);
    CHECK_FALSE(k.t.handshake_known());
    CHECK(k.t.client_rtt_ns() == 0);
    CHECK(k.t.initial_rtt_ns() == 0);
}

TEST_CASE("a segment sent again long after the original is a retransmission", "[tcp_analysis]") {
    conn k;
    k.handshake();
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.c(60, cisn + 101, sisn + 1, 100, A | P);
    k.c(300, cisn + 1, sisn + 1, 100, A | P);  // the first one again, 250 ms later
    CHECK(k.t.c2s_counts.retransmissions == 1);
    CHECK(k.t.c2s_counts.out_of_order == 0);
    CHECK(k.t.s2c_counts.retransmissions == 0);
}

TEST_CASE("data the peer already acknowledged is a (spurious) retransmission", "[tcp_analysis]") {
    conn k;
    k.handshake();
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.s(60, sisn + 1, cisn + 101, 0, A);
    k.c(61, cisn + 1, sisn + 1, 100, A | P);  // within 3 ms of nothing: already acked
    CHECK(k.t.c2s_counts.retransmissions == 1);
    CHECK(k.t.c2s_counts.out_of_order == 0);
}

TEST_CASE("a hole filled within the initial round trip is out of order", "[tcp_analysis]") {
    conn k;
    k.handshake();  // initial RTT 40 ms
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.c(51, cisn + 201, sisn + 1, 100, A | P);  // skips 101..200
    k.c(60, cisn + 101, sisn + 1, 100, A | P);  // the missing one, 9 ms later
    CHECK(k.t.c2s_counts.out_of_order == 1);
    CHECK(k.t.c2s_counts.retransmissions == 0);
}

TEST_CASE("the same late segment after the initial round trip is a retransmission", "[tcp_analysis]") {
    conn k;
    k.handshake();
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.c(51, cisn + 201, sisn + 1, 100, A | P);
    k.c(200, cisn + 101, sisn + 1, 100, A | P);  // 149 ms > 40 ms
    CHECK(k.t.c2s_counts.out_of_order == 0);
    CHECK(k.t.c2s_counts.retransmissions == 1);
}

TEST_CASE("without a handshake the out-of-order window is 3 ms", "[tcp_analysis]") {
    conn k;
    k.c(0, cisn + 1, sisn + 1, 100, A | P);
    k.c(1, cisn + 201, sisn + 1, 100, A | P);
    k.c(3, cisn + 101, sisn + 1, 100, A | P);  // 2 ms: out of order
    k.c(10, cisn + 301, sisn + 1, 100, A | P);
    k.c(20, cisn + 1, sisn + 1, 100, A | P);  // 10 ms: retransmission
    CHECK(k.t.c2s_counts.out_of_order == 1);
    CHECK(k.t.c2s_counts.retransmissions == 1);
}

TEST_CASE("after two duplicate acks the segment they ask for is a fast retransmission", "[tcp_analysis]") {
    conn k;
    k.handshake();
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.c(51, cisn + 101, sisn + 1, 100, A | P);
    k.c(52, cisn + 201, sisn + 1, 100, A | P);
    k.s(80, sisn + 1, cisn + 101, 0, A);  // first ACK
    k.s(81, sisn + 1, cisn + 101, 0, A);  // duplicate 1
    k.s(82, sisn + 1, cisn + 101, 0, A);  // duplicate 2
    k.c(83, cisn + 101, sisn + 1, 100, A | P);  // 31 ms after nextseq moved: would be out of order too
    CHECK(k.t.c2s_counts.retransmissions == 1);
    CHECK(k.t.c2s_counts.out_of_order == 0);
}

TEST_CASE("zero windows count per direction, not on syn fin or rst", "[tcp_analysis]") {
    conn k;
    k.c(0, cisn, 0, 0, S, 0);  // a SYN with window 0 is not an event
    k.s(30, sisn, cisn + 1, 0, S | A);
    k.c(40, cisn + 1, sisn + 1, 0, A);
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.s(60, sisn + 1, cisn + 101, 0, A, 0);  // server's buffer is full
    k.s(70, sisn + 1, cisn + 101, 0, A, 0);
    k.s(80, sisn + 1, cisn + 101, 0, A | F, 0);
    k.c(90, cisn + 101, sisn + 2, 0, A | R, 0);
    CHECK(k.t.s2c_counts.zero_windows == 2);
    CHECK(k.t.c2s_counts.zero_windows == 0);
}

TEST_CASE("a zero-window probe is neither a zero window nor a retransmission", "[tcp_analysis]") {
    conn k;
    k.handshake();
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.s(60, sisn + 1, cisn + 101, 0, A, 0);      // zero window
    k.c(300, cisn + 101, sisn + 1, 1, A, 0);     // probe: one byte at nextseq (own window 0 too)
    k.c(800, cisn + 101, sisn + 1, 1, A, 0);     // probe again: nextseq did not move
    k.s(801, sisn + 1, cisn + 101, 0, A, 0);     // probe ACK, still zero: counted as a zero window
    CHECK(k.t.c2s_counts.zero_windows == 0);
    CHECK(k.t.c2s_counts.retransmissions == 0);
    CHECK(k.t.s2c_counts.zero_windows == 2);
}

TEST_CASE("a keep-alive one byte below nextseq is not a retransmission", "[tcp_analysis]") {
    conn k;
    k.handshake();
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.s(60, sisn + 1, cisn + 101, 0, A);
    k.c(10'000, cisn + 100, sisn + 1, 1, A);
    CHECK(k.t.c2s_counts.retransmissions == 0);
    CHECK(k.t.c2s_counts.out_of_order == 0);
}

TEST_CASE("sequence numbers wrap around 2^32", "[tcp_analysis]") {
    conn k;
    const std::uint32_t isn = 0xffffff00u;
    k.c(0, isn, 0, 0, S);
    k.s(10, sisn, isn + 1, 0, S | A);
    k.c(20, isn + 1, sisn + 1, 0, A);
    k.c(30, isn + 1, sisn + 1, 0x200, A | P);      // crosses 2^32
    k.c(31, isn + 0x201, sisn + 1, 0x100, A | P);
    CHECK(k.t.c2s_counts.retransmissions == 0);
    k.c(500, isn + 1, sisn + 1, 0x200, A | P);     // sent again, late
    CHECK(k.t.c2s_counts.retransmissions == 1);
}

TEST_CASE("a new period restarts the counts but keeps the handshake and the sequence state", "[tcp_analysis]") {
    conn k;
    k.handshake();
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.c(300, cisn + 1, sisn + 1, 100, A | P);
    CHECK(k.t.c2s_counts.retransmissions == 1);
    k.t.new_period();
    CHECK(k.t.c2s_counts.retransmissions == 0);
    k.c(600, cisn + 1, sisn + 1, 100, A | P);
    CHECK(k.t.c2s_counts.retransmissions == 1);
    CHECK(k.t.client_rtt_ns() == 10 * ms);
}

TEST_CASE("after an ack of unseen data the peer's segment at the last ack within the rtt is out of order, not a fast retransmission", "[tcp_analysis]") {
    conn k;
    k.handshake();
    k.c(50, cisn + 1, sisn + 1, 100, A | P);
    k.s(60, sisn + 1000, cisn + 500, 0, A);     // acks client data never seen; server seq jumps ahead
    k.s(61, sisn + 1, cisn + 101, 50, A | P);   // at the client's last ACK, 1 ms after nextseq moved
    CHECK(k.t.s2c_counts.out_of_order == 1);
    CHECK(k.t.s2c_counts.retransmissions == 0);
}
