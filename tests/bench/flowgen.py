#!/usr/bin/python3
"""Writes a pcap of 60-byte Ethernet/IPv4/UDP frames over a given number of
flows, for the probe benchmark (tests/bench/probe.sh).

    flowgen.py OUT.pcap PACKETS FLOWS
    flowgen.py OUT.pcap --churn K FLOWS

Packet i belongs to flow (i * 7919) % FLOWS when PACKETS >= FLOWS (every flow
seen in turn, spread), so each flow gets PACKETS/FLOWS packets; direction
alternates per visit. Timestamps advance 1 µs per packet (1 Mpps of capture
time). Addresses: 10.x.y.z clients, 172.16.x.y servers; ports vary too.

With --churn K (K even, < FLOWS), a capture for a flow table in steady state
with churn when replayed in a loop: FLOWS - K stable flows appear twice per
loop, exactly half a loop apart (client to server, then back), and K churn
flows once (half of them in each half of the loop, spread among the stable
ones): 2 * (FLOWS - K) + K packets. Replayed with an idle timeout between half
a loop and a loop, the stable flows never expire and every churn flow ends and
starts again each loop: K new flows per loop, beside FLOWS - K live ones.
"""
import struct
import sys


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    churn = 0
    if sys.argv[2] == "--churn":
        out, churn, flows = sys.argv[1], int(sys.argv[3]), int(sys.argv[4])
        if churn % 2 or not 0 < churn < flows:
            print("--churn K: K even, 0 < K < FLOWS")
            return 2
        packets = 2 * (flows - churn) + churn
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
        stable = flows - churn
        half = stable + churn // 2
        every = stable // (churn // 2) + 1 if churn else 0  # a churn flow after every-1 stable ones
        for i in range(packets):
            if churn:
                second, j = divmod(i, half)
                if j % every == every - 1 and j // every < churn // 2:
                    fl = stable + second * (churn // 2) + j // every
                    reverse = 0
                else:
                    fl = ((j - j // every) * step) % stable
                    reverse = second
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
