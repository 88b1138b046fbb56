"""A generated capture of TCP conversations with the events Wireshark's
tcp.analysis flags (issue 14): retransmissions after a timeout, spurious and
fast retransmissions, out-of-order segments (with and without a handshake),
zero windows and zero-window probes, keep-alives, a retransmitted SYN and
SYN/ACK, known handshake times, and TTL / DSCP marks. IPv4 and IPv6.

Every conversation is written packet by packet with explicit sequence
numbers, so what each packet is meant to be is readable here; the test
(tests/integration/tcp_health_tshark_test.py) does not trust these
intentions: it compares the probe with tshark's own verdicts.
"""
import struct

from pcapgen import ACK, FIN, PSH, RST, SYN, Host, PcapWriter, _csum, ip_packet, l2_frame, tcp_segment


class Conv:
    """One TCP conversation; c()/s() write a segment from the client/server."""

    def __init__(self, w, client, cport, server, sport, cisn, sisn, c_ttl=64, s_ttl=57, dscp=0):
        self.w, self.client, self.cport, self.server, self.sport = w, client, cport, server, sport
        self.ci, self.si = cisn, sisn
        self.c_ttl, self.s_ttl, self.dscp = c_ttl, s_ttl, dscp

    def _send(self, t, src, sport, dst, dport, seq, ack, flags, data, window, ttl, dscp):
        l4 = tcp_segment(src.ip, sport, dst.ip, dport, seq, ack, flags, data, window)
        et, pkt = ip_packet(src.ip, dst.ip, 6, l4, ttl=ttl)
        pkt = bytearray(pkt)
        if et == 0x0800:
            pkt[1] = dscp << 2
            pkt[10:12] = b"\0\0"
            pkt[10:12] = struct.pack("!H", _csum(bytes(pkt[:20])))
        else:
            # Traffic class straddles the version nibble and the flow label.
            tc = dscp << 2
            pkt[0] = 0x60 | tc >> 4
            pkt[1] = (tc & 0x0F) << 4 | (pkt[1] & 0x0F)
        self.w.write(t, l2_frame(self.w.linktype, et, bytes(pkt), src.mac, dst.mac))

    def c(self, t, seq, ack, flags, n=0, window=64240, ttl=None, dscp=None):
        """Client segment; seq/ack relative to the client's and server's ISN."""
        self._send(t, self.client, self.cport, self.server, self.sport, self.ci + seq, self.si + ack if ack else 0,
                   flags, b"c" * n, window, ttl or self.c_ttl, self.dscp if dscp is None else dscp)

    def s(self, t, seq, ack, flags, n=0, window=64240, ttl=None):
        self._send(t, self.server, self.sport, self.client, self.cport, self.si + seq, self.ci + ack, flags, b"s" * n,
                   window, ttl or self.s_ttl, self.dscp)

    def handshake(self, t, server_part, client_part):
        self.c(t, 0, 0, SYN)
        self.s(t + server_part, 0, 1, SYN | ACK)
        self.c(t + server_part + client_part, 1, 1, ACK)
        return t + server_part + client_part

    def close(self, t, cseq, sseq):
        self.c(t, cseq, sseq, FIN | ACK)
        self.s(t + 0.01, sseq, cseq + 1, FIN | ACK)
        self.c(t + 0.02, cseq + 1, sseq + 1, ACK)


def write_tcp_health(path, start=1700000000.0):
    """Writes the capture; returns the number of conversations."""
    c4, s4 = Host("10.14.0.1"), Host("10.14.0.2")
    c6, s6 = Host("2001:db8:14::1"), Host("2001:db8:14::2")
    with PcapWriter(path) as w:
        t = start

        # 1. A timeout retransmission; TTL varies on the server side, DSCP EF.
        k = Conv(w, c4, 40001, s4, 80, 1000, 900000, s_ttl=50, dscp=46)
        t1 = k.handshake(t, 0.030, 0.005)
        k.c(t1 + 0.010, 1, 1, ACK | PSH, 100)
        k.c(t1 + 0.011, 101, 1, ACK | PSH, 100)
        k.s(t1 + 0.040, 1, 101, ACK, ttl=52)
        k.c(t1 + 0.500, 101, 1, ACK | PSH, 100)        # retransmission (timeout)
        k.s(t1 + 0.530, 1, 201, ACK, ttl=49)
        k.close(t1 + 0.600, 201, 1)
        t += 2

        # 2. Out of order within the initial RTT (40 ms).
        k = Conv(w, c4, 40002, s4, 80, 5000, 700000)
        t1 = k.handshake(t, 0.025, 0.015)
        k.c(t1 + 0.010, 1, 1, ACK | PSH, 100)
        k.c(t1 + 0.011, 201, 1, ACK | PSH, 100)        # skips 101..200
        k.c(t1 + 0.020, 101, 1, ACK | PSH, 100)        # out of order: 9 ms later
        k.s(t1 + 0.050, 1, 301, ACK)
        k.close(t1 + 0.100, 301, 1)
        t += 2

        # 3. Fast retransmission after two duplicate ACKs.
        k = Conv(w, c4, 40003, s4, 443, 77, 12345)
        t1 = k.handshake(t, 0.010, 0.010)
        for i in range(4):
            k.c(t1 + 0.001 * (i + 1), 1 + 100 * i, 1, ACK, 100)
        k.s(t1 + 0.030, 1, 101, ACK)
        k.s(t1 + 0.031, 1, 101, ACK)                   # duplicate 1
        k.s(t1 + 0.032, 1, 101, ACK)                   # duplicate 2
        k.c(t1 + 0.033, 101, 1, ACK, 100)              # fast retransmission
        k.s(t1 + 0.060, 1, 401, ACK)
        k.close(t1 + 0.100, 401, 1)
        t += 2

        # 4. IPv6: zero window, probes, window update.
        k = Conv(w, c6, 40004, s6, 8080, 3000, 60000, c_ttl=63, s_ttl=61, dscp=10)
        t1 = k.handshake(t, 0.020, 0.002)
        k.c(t1 + 0.010, 1, 1, ACK | PSH, 1000)
        k.s(t1 + 0.030, 1, 1001, ACK, window=0)        # zero window
        k.c(t1 + 0.300, 1001, 1, ACK, 1)               # zero-window probe
        k.s(t1 + 0.320, 1, 1001, ACK, window=0)        # probe ACK, still zero: zero window
        k.c(t1 + 0.900, 1001, 1, ACK, 1)               # probe again
        k.s(t1 + 0.920, 1, 1001, ACK, window=0)        # zero window
        k.s(t1 + 1.500, 1, 1001, ACK, window=65535)    # window update
        k.c(t1 + 1.510, 1001, 1, ACK | PSH, 500)
        k.s(t1 + 1.530, 1, 1501, ACK)
        k.close(t1 + 1.600, 1501, 1)
        t += 4

        # 5. Keep-alive, then data the server already acknowledged (spurious).
        k = Conv(w, c4, 40005, s4, 22, 0x7FFFFFF0, 0xFFFFFFA0)   # server seq wraps past 2^32
        t1 = k.handshake(t, 0.005, 0.005)
        k.s(t1 + 0.010, 1, 1, ACK | PSH, 200)
        k.c(t1 + 0.012, 1, 201, ACK | PSH, 50)
        k.s(t1 + 0.020, 201, 51, ACK)
        k.c(t1 + 5.000, 50, 201, ACK)                  # keep-alive: one below nextseq
        k.s(t1 + 5.010, 201, 51, ACK)                  # keep-alive ACK
        k.c(t1 + 5.500, 1, 201, ACK | PSH, 50)         # spurious retransmission
        k.s(t1 + 5.600, 201, 51, ACK)
        k.close(t1 + 6.000, 51, 201)
        t += 8

        # 6. A SYN and a SYN/ACK sent twice; the RTT counts from the last SYN.
        k = Conv(w, c6, 40006, s6, 443, 1, 2)
        k.c(t, 0, 0, SYN)
        k.c(t + 1.0, 0, 0, SYN)                        # retransmitted SYN
        k.s(t + 1.020, 0, 1, SYN | ACK)
        k.s(t + 1.400, 0, 1, SYN | ACK)                # retransmitted SYN/ACK
        k.c(t + 1.405, 1, 1, ACK)
        k.c(t + 1.410, 1, 1, ACK | PSH, 10)
        k.s(t + 1.420, 1, 11, ACK | RST)
        t += 3

        # 7. Seen mid-stream: no handshake, so the out-of-order window is 3 ms.
        k = Conv(w, c4, 40007, s4, 80, 10000, 20000)
        k.c(t, 1, 1, ACK | PSH, 100)
        k.c(t + 0.001, 201, 1, ACK | PSH, 100)
        k.c(t + 0.002, 101, 1, ACK | PSH, 100)         # out of order (1 ms < 3 ms)
        k.c(t + 0.010, 301, 1, ACK | PSH, 100)
        k.c(t + 0.030, 1, 1, ACK | PSH, 100)           # retransmission (20 ms > 3 ms)
        k.s(t + 0.040, 1, 401, ACK)
        k.s(t + 0.050, 1, 401, ACK | RST)
    return 7
