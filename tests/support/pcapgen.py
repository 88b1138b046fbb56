"""Builds pcap files of realistic traffic for tests and the demo.

Everything is generated: no third-party capture is copied. Packets carry
correct IPv4/IPv6 lengths (the probe's byte counts are L3 lengths) and real
protocol payloads where DPI should recognise them (DNS queries and answers,
HTTP requests with a Host header, TLS ClientHello with SNI).

    w = PcapWriter(path)             # Ethernet, microsecond timestamps
    conv = TcpConversation(w, client=("192.168.1.10", 51000), server=("93.184.216.34", 80))
    conv.handshake(t); conv.client_send(t, b"GET / ..."); conv.close(t)
    w.close()

`python3 pcapgen.py sample OUT.pcap [--hostile]` writes the bundled sample
(a small office network for a few minutes); --hostile puts script payloads in
the HTTP Host, TLS SNI and DNS names (for the dashboard's escaping tests).
"""
import ipaddress
import random
import struct
import sys

LINKTYPE_ETHERNET = 1


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac_for(ip):
    """A stable locally administered MAC per address, so MAC-based tests are reproducible."""
    b = ipaddress.ip_address(ip).packed[-4:]
    return bytes([0x02, 0x42]) + b


class PcapWriter:
    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=65535):
        self.f = open(path, "wb")
        self.linktype = linktype
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self.count = 0

    def write(self, t, frame, orig_len=None):
        sec = int(t)
        usec = int(round((t - sec) * 1e6))
        if usec >= 1000000:
            sec, usec = sec + 1, usec - 1000000
        self.f.write(struct.pack("<IIII", sec, usec, len(frame), orig_len or len(frame)))
        self.f.write(frame)
        self.count += 1

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def ether(src_mac, dst_mac, ethertype, payload, vlan=None):
    if vlan is not None:
        return dst_mac + src_mac + struct.pack("!HHH", 0x8100, vlan & 0x0FFF, ethertype) + payload
    return dst_mac + src_mac + struct.pack("!H", ethertype) + payload


def ip_packet(src, dst, proto, l4, ident=0, ttl=64):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0x4000, ttl, proto, 0,
                          s.packed, d.packed)
        hdr = hdr[:10] + struct.pack("!H", _csum(hdr)) + hdr[12:]
        return 0x0800, hdr + l4
    hdr = struct.pack("!IHBB16s16s", 0x60000000, len(l4), proto, ttl, s.packed, d.packed)
    return 0x86DD, hdr + l4


def _pseudo(src, dst, proto, length):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        return s.packed + d.packed + struct.pack("!BBH", 0, proto, length)
    return s.packed + d.packed + struct.pack("!IxxxB", length, proto)


def tcp_segment(src, sport, dst, dport, seq, ack, flags, payload=b"", window=64240):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, window, 0, 0)
    c = _csum(_pseudo(src, dst, 6, len(hdr) + len(payload)) + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def udp_datagram(src, sport, dst, dport, payload):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = _csum(_pseudo(src, dst, 17, len(hdr) + len(payload)) + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


def icmp_echo(ident, seq, reply=False, v6=False, payload=b"wireflow-ping-payload-0123456789"):
    t = (129 if reply else 128) if v6 else (0 if reply else 8)
    hdr = struct.pack("!BBHHH", t, 0, 0, ident, seq)
    if v6:
        return hdr + payload  # checksum needs the pseudo header; left 0: dissectors do not verify it
    c = _csum(hdr + payload)
    return hdr[:2] + struct.pack("!H", c) + hdr[4:] + payload


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Host:
    def __init__(self, ip, mac=None):
        self.ip = ip
        self.mac = mac or mac_for(ip)


class Link:
    """Writes IP packets between hosts as Ethernet frames (optionally VLAN-tagged)."""

    def __init__(self, writer, vlan=None, gateway_mac=bytes.fromhex("020000000001")):
        self.w = writer
        self.vlan = vlan
        self.gw = gateway_mac

    def send(self, t, src, dst, proto, l4, local_macs=True):
        et, pkt = ip_packet(src.ip, dst.ip, proto, l4)
        self.w.write(t, ether(src.mac if local_macs else self.gw, dst.mac, et, pkt, self.vlan))
        return len(pkt)


class TcpConversation:
    def __init__(self, link, client, cport, server, sport):
        self.l, self.c, self.cp, self.s, self.sp = link, client, cport, server, sport
        self.cseq, self.sseq = random.randrange(1 << 32), random.randrange(1 << 32)

    def _c(self, t, flags, data=b""):
        self.l.send(t, self.c, self.s, 6, tcp_segment(self.c.ip, self.cp, self.s.ip, self.sp, self.cseq, self.sseq, flags, data))
        self.cseq += len(data) + (1 if flags & (SYN | FIN) else 0)

    def _s(self, t, flags, data=b""):
        self.l.send(t, self.s, self.c, 6, tcp_segment(self.s.ip, self.sp, self.c.ip, self.cp, self.sseq, self.cseq, flags, data))
        self.sseq += len(data) + (1 if flags & (SYN | FIN) else 0)

    def handshake(self, t, rtt=0.02):
        self._c(t, SYN)
        self._s(t + rtt / 2, SYN | ACK)
        self._c(t + rtt, ACK)
        return t + rtt

    def request(self, t, data, response, rtt=0.02, mss=1400):
        self._c(t, PSH | ACK, data)
        t += rtt / 2
        for i in range(0, len(response), mss):
            self._s(t, ACK | (PSH if i + mss >= len(response) else 0), response[i:i + mss])
            t += 0.0005
        self._c(t + rtt / 2, ACK)
        return t + rtt / 2

    def close(self, t, rtt=0.02):
        self._c(t, FIN | ACK)
        self._s(t + rtt / 2, FIN | ACK)
        self._c(t + rtt, ACK)
        return t + rtt


def dns_name(name):
    out = b""
    for label in name.encode("utf-8", "surrogateescape").split(b"."):
        out += bytes([min(len(label), 63)]) + label[:63]
    return out + b"\0"


def dns_query(qid, name, qtype=1):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1)


def dns_answer(qid, name, addr):
    q = dns_name(name) + struct.pack("!HH", 1, 1)
    a = struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + ipaddress.ip_address(addr).packed
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + a


def tls_client_hello(sni):
    """A TLS 1.2/1.3 ClientHello with a server_name extension (RFC 8446 4.1.2, RFC 6066 3)."""
    name = sni.encode("utf-8", "surrogateescape")
    sni_ext = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    groups = struct.pack("!HHH", 10, 4, 2) + struct.pack("!H", 29)
    versions = struct.pack("!HHB", 43, 5, 4) + struct.pack("!HH", 0x0304, 0x0303)
    sigalgs = struct.pack("!HHH", 13, 6, 4) + struct.pack("!HH", 0x0403, 0x0804)
    exts = sni_ext + groups + versions + sigalgs
    suites = struct.pack("!HHHH", 6, 0x1301, 0x1302, 0xC02F)
    body = struct.pack("!H", 0x0303) + bytes(range(32)) + b"\x20" + bytes(32) + suites + b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def http_get(host, path="/"):
    return (f"GET {path} HTTP/1.1\r\nHost: ".encode() + host.encode("utf-8", "surrogateescape") +
            b"\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n")


def http_response(size):
    body = b"x" * size
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + str(size).encode() + b"\r\n\r\n" + body


HOSTILE_NAME = '<script>alert("wf")</script>.evil"\'<img src=x onerror=alert(1)>'


def write_sample(path, hostile=False, minutes=3.0, seed=7, start=1700000000.0):
    """A small office: 6 local hosts, a DNS server, web and TLS servers, pings, a guest VLAN."""
    random.seed(seed)
    locals_ = [Host(f"192.168.1.{10 + i}") for i in range(6)]
    guest = [Host(f"192.168.20.{50 + i}") for i in range(2)]
    dns = Host("192.168.1.1")
    web = [Host("93.184.216.34"), Host("151.101.1.69"), Host("2606:4700::6810:84e5")]
    v6_local = Host("fd00::10")
    names = ["example.com", "news.example.org", "cdn.example.net", "www.wikipedia.org", "api.github.com"]
    if hostile:
        names = [HOSTILE_NAME, "ok.example.com"]
    with PcapWriter(path) as w:
        lan, guest_lan = Link(w), Link(w, vlan=20)
        t = start
        end = start + minutes * 60
        qid = 1
        while t < end:
            h = random.choice(locals_)
            name = random.choice(names)
            # DNS lookup then a web or TLS request
            sport = random.randrange(20000, 60000)
            lan.send(t, h, dns, 17, udp_datagram(h.ip, sport, dns.ip, 53, dns_query(qid, name)))
            lan.send(t + 0.004, dns, h, 17, udp_datagram(dns.ip, 53, h.ip, sport, dns_answer(qid, name, web[0].ip)))
            qid += 1
            srv = random.choice(web[:2])
            conv = TcpConversation(lan, h, random.randrange(32768, 60999), srv, random.choice([80, 443]))
            tt = conv.handshake(t + 0.01)
            if conv.sp == 80:
                tt = conv.request(tt, http_get(name, "/index.html"), http_response(random.randrange(500, 20000)))
            else:
                tt = conv.request(tt, tls_client_hello(name), b"\x16\x03\x03" + bytes(random.randrange(1500, 6000)))
            conv.close(tt + 0.05)
            if random.random() < 0.2:
                g = random.choice(guest)
                c2 = TcpConversation(guest_lan, g, random.randrange(32768, 60999), web[1], 443)
                c2.close(c2.request(c2.handshake(t + 0.2), tls_client_hello(random.choice(names)), bytes(3000)))
            if random.random() < 0.1:
                ident = random.randrange(1, 65535)
                for s in range(3):
                    lan.send(t + 0.3 + s, h, web[0], 1, icmp_echo(ident, s))
                    lan.send(t + 0.31 + s, web[0], h, 1, icmp_echo(ident, s, reply=True))
            if random.random() < 0.1:
                c6 = TcpConversation(lan, v6_local, random.randrange(32768, 60999), web[2], 443)
                c6.close(c6.request(c6.handshake(t + 0.4), tls_client_hello("ipv6.example.com"), bytes(2000)))
            t += random.expovariate(2.0)
    return path


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "sample":
        write_sample(sys.argv[2], hostile="--hostile" in sys.argv)
    else:
        print(__doc__)
