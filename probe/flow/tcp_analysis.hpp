#pragma once
// TCP health of one flow: retransmitted and out-of-order segments, zero-window
// events per direction, and the handshake round trip split at the probe into
// a server part (SYN -> SYN/ACK) and a client part (SYN/ACK -> ACK).
//
// The definitions are Wireshark's sequence analysis (epan/dissectors/
// packet-tcp.c, tcp_analyze_sequence_number, as shipped in Debian 12's
// Wireshark 4.0), re-expressed on a fixed-size state so that the counts can
// equal tshark's `tcp.analysis.*` on the same packets:
//   - zero window (tcp.analysis.zero_window): window field 0 on a segment
//     without SYN, FIN or RST, unless the segment is a zero-window probe;
//   - retransmission (tcp.analysis.retransmission, which Wireshark also sets
//     for its fast and spurious retransmissions): a segment with data, SYN or
//     FIN that is not a keep-alive and either lies entirely below the peer's
//     last ACK (spurious) or starts below the highest next sequence number
//     seen in its direction and is not out of order;
//   - out of order (tcp.analysis.out_of_order): such a segment that arrives
//     less than the initial RTT (3 ms while unknown) after the highest
//     sequence number was last advanced and does not end exactly there, and
//     is not a fast retransmission (two duplicate ACKs from the peer, ACK ==
//     seq, within 20 ms of the peer's last ACK: Wireshark's default
//     precedence of fast retransmission over out-of-order);
//   - initial RTT (tcp.analysis.initial_rtt): from the most recent SYN to the
//     first segment with ACK and without SYN after it. The server part ends at
//     the most recent SYN/ACK between the two, the client part starts there.
//
// Known, documented differences with Wireshark (docs/user-guide.md):
// Wireshark stops tracking SYN/FIN sequence space after 10,000 unacknowledged
// segments in one direction, scales windows by the negotiated factor (we
// compare raw 16-bit window fields; equal raw windows are equal scaled ones
// except across the SYN), and restarts its analysis on a reused port pair,
// where the probe starts a new flow only after FIN/RST or the idle timeout.
//
// Pure: no DPDK, no allocation, no exceptions; 112 bytes per flow.

#include <cstdint>

namespace wireflow::probe {

// The fields of one TCP segment the analysis reads.
struct tcp_segment {
    std::uint32_t seq;
    std::uint32_t ack;
    std::uint32_t seglen;   // payload bytes by the IP length (a snapped capture still counts)
    std::uint16_t window;   // raw window field
    std::uint8_t flags;     // tcp_flag bits
};

// Counts of one record period (reset with the flow's packet counters).
struct tcp_counts {
    std::uint32_t retransmissions{0};
    std::uint32_t out_of_order{0};
    std::uint32_t zero_windows{0};
};

class tcp_analysis {
public:
    // Accounts one segment seen at now_ns travelling client -> server when
    // `from_client`. Never fails: a nonsensical segment is just counted.
    void observe(const tcp_segment& s, bool from_client, std::uint64_t now_ns) noexcept;

    // Starts a new record period: counts back to zero, sequence state and
    // RTT kept (the connection goes on).
    void new_period() noexcept { c2s_counts = s2c_counts = {}; }

    // Handshake parts once known: SYN, SYN/ACK and the first ACK after them
    // were all seen, in that order. 0 when unknown.
    [[nodiscard]] bool handshake_known() const noexcept { return first_rtt_ns_ != 0 && synack_ns_ != 0; }
    [[nodiscard]] std::uint64_t server_rtt_ns() const noexcept { return handshake_known() ? synack_ns_ - syn_ns_ : 0; }
    [[nodiscard]] std::uint64_t client_rtt_ns() const noexcept {
        return handshake_known() ? first_rtt_ns_ - (synack_ns_ - syn_ns_) : 0;
    }
    // Wireshark's tcp.analysis.initial_rtt (client + server parts); 0 when unknown.
    [[nodiscard]] std::uint64_t initial_rtt_ns() const noexcept { return first_rtt_ns_; }

    tcp_counts c2s_counts{};
    tcp_counts s2c_counts{};

private:
    // Sequence state of one direction (Wireshark's tcp_analyze_seq_info and
    // window). 0 in nextseq/lastack/maxseq means "not seen yet", as in Wireshark.
    static constexpr std::uint8_t acked_unseen = 0xff;
    struct direction {
        std::uint64_t nextseq_ns{0};     // when nextseq last advanced
        std::uint64_t lastack_ns{0};     // when this direction last sent a segment (its ACK field)
        std::uint32_t nextseq{0};        // highest seq + len (+1 for SYN/FIN) seen
        std::uint32_t maxseq_to_ack{0};  // highest contiguous next sequence number
        std::uint32_t lastack{0};        // ACK field of the last segment
        std::uint32_t window{0xffffffff};  // window of the last segment; none yet
        // Duplicate ACKs in a row, saturating; acked_unseen after an ACK of
        // data never seen (Wireshark's -1), which the next duplicate turns
        // into 1 and which does not pass the fast-retransmission test: on
        // the corpus (heuristic_tcp_ack_payload.pcap) tshark 4.0.17 agrees
        // with that, although its counter is unsigned.
        std::uint8_t dupacks{0};
        std::uint8_t last_marks{0};      // keep-alive / zero-window probe marks of the last segment
    };

    direction c2s_{};
    direction s2c_{};
    std::uint64_t syn_ns_{0};        // most recent SYN (without ACK)
    std::uint64_t synack_ns_{0};     // most recent SYN/ACK after that SYN
    std::uint64_t first_rtt_ns_{0};  // SYN -> first ACK; 0 until then
};

}  // namespace wireflow::probe
