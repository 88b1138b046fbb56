#include "flow/tcp_analysis.hpp"

#include "dissect/packet_summary.hpp"

namespace wireflow::probe {

static_assert(sizeof(tcp_analysis) <= 128, "TCP state must stay two cache lines per flow");

namespace {

// RFC 9293 3.4 sequence space is modulo 2^32: compare by signed difference.
constexpr bool seq_lt(std::uint32_t a, std::uint32_t b) noexcept { return static_cast<std::int32_t>(a - b) < 0; }
constexpr bool seq_gt(std::uint32_t a, std::uint32_t b) noexcept { return static_cast<std::int32_t>(b - a) < 0; }
constexpr bool seq_le(std::uint32_t a, std::uint32_t b) noexcept { return static_cast<std::int32_t>(b - a) >= 0; }

constexpr std::uint8_t mark_keep_alive = 0x01;
constexpr std::uint8_t mark_zero_window_probe = 0x02;

// Wireshark's thresholds: out-of-order within the initial RTT (3 ms while
// unknown), fast retransmission within 20 ms of the duplicate ACKs.
constexpr std::uint64_t ooo_default_ns = 3'000'000;
constexpr std::uint64_t fast_retransmission_ns = 20'000'000;

// Time since `then`, as Wireshark computes it: unsigned, so a packet stamped
// before `then` (clock step) gives a huge value and no "recent" verdict.
constexpr std::uint64_t since(std::uint64_t now, std::uint64_t then) noexcept { return now - then; }

}  // namespace

void tcp_analysis::observe(const tcp_segment& s, bool from_client, std::uint64_t now_ns) noexcept {
    direction& fwd = from_client ? c2s_ : s2c_;
    direction& rev = from_client ? s2c_ : c2s_;
    tcp_counts& counts = from_client ? c2s_counts : s2c_counts;
    const std::uint8_t f = s.flags;
    const bool syn = (f & tcp_flag::syn) != 0, fin = (f & tcp_flag::fin) != 0, rst = (f & tcp_flag::rst) != 0,
               ack = (f & tcp_flag::ack) != 0;
    const bool syn_fin_rst = syn || fin || rst;
    std::uint8_t marks = 0;

    bool zero_window_probe = false;
    // Zero-window probe: exactly one byte at the next sequence number while
    // the peer advertises a zero window. It does not advance nextseq.
    if (s.seglen == 1 && s.seq == fwd.nextseq && rev.window == 0) {
        zero_window_probe = true;
        marks |= mark_zero_window_probe;
    } else {
        if (s.window == 0 && !syn_fin_rst) ++counts.zero_windows;
        // Keep-alive: 0 or 1 byte one below the next sequence number.
        if (s.seglen <= 1 && s.seq == fwd.nextseq - 1 && !syn_fin_rst) marks |= mark_keep_alive;
        const bool repeats = s.seglen == 0 && s.seq == fwd.nextseq && s.ack == fwd.lastack && !syn_fin_rst;
        const bool keep_alive_ack = repeats && s.window != 0 && s.window == fwd.window &&
                                    (rev.last_marks & mark_keep_alive) != 0;
        const bool probe_ack = repeats && s.window == 0 && s.window == fwd.window &&
                               (rev.last_marks & mark_zero_window_probe) != 0;
        // Duplicate ACK: same window, seq and ACK as before, no data.
        if (!keep_alive_ack && !probe_ack && repeats && s.window != 0 && s.window == fwd.window) {
            if (fwd.dupacks == acked_unseen) fwd.dupacks = 1;
            else if (fwd.dupacks < 100) ++fwd.dupacks;  // only ">= 2" is ever asked
        }
    }
    if (s.ack != fwd.lastack) fwd.dupacks = 0;

    // An ACK beyond what the peer was seen to send: data missed by the
    // capture. Wireshark then resets the peer's duplicate-ACK count.
    if (rev.maxseq_to_ack != 0 && seq_gt(s.ack, rev.maxseq_to_ack) && ack) {
        if (rev.maxseq_to_ack > rev.nextseq) rev.maxseq_to_ack = rev.nextseq;  // plain compare, as Wireshark
        else rev.dupacks = acked_unseen;
    }

    if ((s.seglen > 0 || syn || fin) && (marks & mark_keep_alive) == 0) {
        bool not_advanced = fwd.nextseq != 0 && seq_lt(s.seq, fwd.nextseq);
        // More than one byte starting one below nextseq: new data after a
        // zero-window probe, not a retransmission.
        if (s.seglen > 1 && fwd.nextseq - 1 == s.seq) not_advanced = false;
        const std::uint32_t end = s.seq + s.seglen + ((syn || fin) ? 1u : 0u);
        if (s.seglen > 0 && rev.lastack != 0 && seq_le(s.seq + s.seglen, rev.lastack)) {
            ++counts.retransmissions;  // spurious: the peer already acknowledged it all
        } else if (not_advanced && rev.dupacks >= 2 && rev.dupacks != acked_unseen && rev.lastack == s.seq &&
                   since(now_ns, rev.lastack_ns) < fast_retransmission_ns) {
            ++counts.retransmissions;  // fast retransmission
        } else if (not_advanced && since(now_ns, fwd.nextseq_ns) < (first_rtt_ns_ ? first_rtt_ns_ : ooo_default_ns) &&
                   fwd.nextseq != end) {
            ++counts.out_of_order;
        } else if (not_advanced) {
            ++counts.retransmissions;
        }
    }

    // Wireshark adds the SYN/FIN byte only for segments it keeps in its
    // unacknowledged list (those with data, SYN or FIN): the same segments.
    const std::uint32_t nextseq = s.seq + s.seglen + ((syn || fin) ? 1u : 0u);
    if ((seq_gt(nextseq, fwd.nextseq) || fwd.nextseq == 0) && !zero_window_probe) {
        fwd.nextseq = nextseq;
        fwd.nextseq_ns = now_ns;
    }
    if ((s.seq == fwd.maxseq_to_ack || fwd.maxseq_to_ack == 0) && !zero_window_probe) fwd.maxseq_to_ack = fwd.nextseq;
    fwd.window = s.window;
    fwd.lastack = s.ack;
    fwd.lastack_ns = now_ns;
    fwd.last_marks = marks;

    // Handshake times, after the sequence analysis as in Wireshark (whose
    // out-of-order threshold for this very segment is still the old one).
    // Wireshark keeps the most recent SYN; the first segment with ACK and
    // without SYN after it, in either direction, closes the initial RTT. Once
    // known, the split is frozen (a later SYN does not reopen it).
    if (first_rtt_ns_ == 0) {
        if (syn && !ack) {
            syn_ns_ = now_ns;
            synack_ns_ = 0;
        } else if (syn && ack && syn_ns_ != 0 && now_ns >= syn_ns_) {
            synack_ns_ = now_ns;
        } else if (!syn && ack && syn_ns_ != 0) {
            first_rtt_ns_ = now_ns - syn_ns_;
        }
    }
}

}  // namespace wireflow::probe
