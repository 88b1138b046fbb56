#!/usr/bin/python3
"""Writes a pcap of 60-byte Ethernet/IPv4/UDP frames over a given number of
flows, for the probe benchmark (tests/bench/probe.sh).

    flowgen.py OUT.pcap PACKETS FLOWS
    flowgen.py OUT.pcap --churn K FLOWS

Packet i belongs to flow (i * 7919) % FLOWS when PACKETS >= FLOWS (every flow
seen in turn, spread), so each flow gets PACKETS/FLOWS packets; direction
alternates per visit. Timestamps advance 1 µs per packet (1 Mpps of capture
time). Addresses: 10.x.y.z clients, 172.16.x.y servers; ports vary too.

With --churn K (K < FLOWS), a capture for a flow table in steady state with
churn when replayed in a loop: FLOWS - K stable UDP flows seen once per loop
(they never expire under the default idle timeout), and K TCP connections
that open (SYN, in the first half of the loop) and are reset (RST/ACK, half a
loop later): each ends on its RST and starts again on the next loop's SYN,
whatever the replay speed. FLOWS - K + 2 * K packets; K new flows per loop
beside FLOWS - K live ones.
"""
import struct
import sys


def churn_order(stable, churn, step):
    """A churn capture's packets in order: ("udp", flow) once per stable flow,
    ("syn", c) for each connection spread over the first half, ("rst", c) at
    the same places in the second half."""
    udp = [("udp", (k * step) % stable) for k in range(stable)]
    halves = (udp[:stable // 2], udp[stable // 2:])
    order = []
    for kind, part in zip(("syn", "rst"), halves):
        every = max(1, len(part) // churn)
        c = 0
        for j, p in enumerate(part):
            order.append(p)
            if j % every == every - 1 and c < churn:
                order.append((kind, c))
                c += 1
        order.extend((kind, x) for x in range(c, churn))
    return order


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    churn = 0
    if sys.argv[2] == "--churn":
        out, churn, flows = sys.argv[1], int(sys.argv[3]), int(sys.argv[4])
        if not 0 < churn < flows:
            print("--churn K: 0 < K < FLOWS")
            return 2
        packets = flows - churn + 2 * churn
    else:
        out, packets, flows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    eth_fwd = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    eth_rev = bytes.fromhex("020000000001020000000002") + b"\x08\x00"
    payload = bytes(18)  # 14 + 20 + 8 + 18 = 60 bytes
    rec_hdr = struct.Struct("<IIII")
    ip_udp = struct.Struct("!BBHHHBBH4s4sHHHH")
    step = 7919 if flows % 7919 else 7907
    with open(out, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t_sec, t_usec = 1700000000, 0
        order = churn_order(flows - churn, churn, step) if churn else None
        tcp_hdr = struct.Struct("!BBHHHBBH4s4sHHIIBBHHH")
        for i in range(packets):
            if churn:
                kind, fl = order[i]
                reverse = 0
                if kind != "udp":
                    # Connection fl: SYN in the first half, RST/ACK at the same place in the second.
                    cl = (10 << 24) | (128 << 16) | (fl & 0xFFFF)
                    sv = (172 << 24) | (17 << 16) | (fl >> 16 & 0xFFFF)
                    flags, seq, ack = (0x02, 1000, 0) if kind == "syn" else (0x14, 1001, 5001)
                    frame = eth_fwd + tcp_hdr.pack(
                        0x45, 0, 40, i & 0xFFFF, 0, 64, 6, 0, cl.to_bytes(4, "big"), sv.to_bytes(4, "big"),
                        1024 + fl % 60000, 80, seq, ack, 0x50, flags, 65535, 0, 0) + bytes(6)
                    f.write(rec_hdr.pack(t_sec, t_usec, 60, 60))
                    f.write(frame)
                    t_usec += 1
                    if t_usec == 1000000:
                        t_sec, t_usec = t_sec + 1, 0
                    continue
            else:
                fl = (i * step) % flows
                reverse = (i // flows) & 1
            c = (10 << 24) | (fl & 0xFFFFFF)
            s = (172 << 24) | (16 << 16) | (fl >> 8 & 0xFFFF)
            cport, sport = 1024 + (fl % 60000), 53 + (fl % 7)
            src, dst, sp, dp = (c, s, cport, sport) if not reverse else (s, c, sport, cport)
            frame = (eth_rev if reverse else eth_fwd) + ip_udp.pack(
                0x45, 0, 46, i & 0xFFFF, 0, 64, 17, 0, src.to_bytes(4, "big"), dst.to_bytes(4, "big"),
                sp, dp, 26, 0) + payload
            f.write(rec_hdr.pack(t_sec, t_usec, 60, 60))
            f.write(frame)
            t_usec += 1
            if t_usec == 1000000:
                t_sec, t_usec = t_sec + 1, 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
