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

The tests' own captures (so a clone without ../shared/corpus runs every test):
  write_sample          IPv4 + IPv6, a guest VLAN, DNS/HTTP/TLS/ICMP, TCP/UDP
  write_lan             the same kind of traffic, IPv6 only or all on one VLAN
  write_encapsulations  QinQ, MPLS, PPPoE, IPv6 extension headers, IPv4 and
                        IPv6 fragments, GRE, SCTP, ICMPv6, snaplen-cut frames
  write_malformed_set   a folder of hostile captures: every link type the
                        probe reads with truncated and corrupted frames,
                        link types it refuses, damaged files
`python3 pcapgen.py malformed DIR` writes the last one.
"""
import ipaddress
import random
import struct
import sys

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276


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
    """A classic pcap file; frames longer than snaplen are cut to it (their
    original length recorded), as a capture with -s does."""

    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=65535, nano=False, big_endian=False):
        self.f = open(path, "wb")
        self.linktype = linktype
        self.snaplen = snaplen
        self.nano = nano
        self.endian = ">" if big_endian else "<"
        magic = 0xA1B23C4D if nano else 0xA1B2C3D4
        self.f.write(struct.pack(self.endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        self.count = 0

    def write(self, t, frame, orig_len=None):
        scale = 1_000_000_000 if self.nano else 1_000_000
        sec = int(t)
        sub = int(round((t - sec) * scale))
        if sub >= scale:
            sec, sub = sec + 1, sub - scale
        self.write_stamp(sec, sub, frame, orig_len)

    def write_stamp(self, sec, sub, frame, orig_len=None):
        """A record with an exact stamp (sub: micro- or nanoseconds, as the file says)."""
        orig_len = orig_len or len(frame)
        frame = frame[:self.snaplen]
        self.f.write(struct.pack(self.endian + "IIII", sec, sub, len(frame), orig_len))
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


def l2_frame(linktype, ethertype, pkt, src_mac=b"\x02\0\0\0\0\x01", dst_mac=b"\x02\0\0\0\0\x02", vlan=None):
    """An IP packet (or any Ethernet payload) as a frame of the link type."""
    v6 = ethertype == 0x86DD
    if linktype == LINKTYPE_ETHERNET:
        return ether(src_mac, dst_mac, ethertype, pkt, vlan)
    if linktype in (12, 14, LINKTYPE_RAW, 228, 229):
        return pkt
    if linktype == LINKTYPE_NULL:   # host byte order; 30: AF_INET6 on Darwin
        return struct.pack("<I", 30 if v6 else 2) + pkt
    if linktype == LINKTYPE_LOOP:   # network byte order; 24: AF_INET6 on OpenBSD
        return struct.pack(">I", 24 if v6 else 2) + pkt
    if linktype == LINKTYPE_LINUX_SLL:   # packet type, ARPHRD_ETHER, address length, address, protocol
        return struct.pack("!HHH8sH", 0, 1, 6, src_mac + b"\0\0", ethertype) + pkt
    if linktype == LINKTYPE_LINUX_SLL2:  # protocol, reserved, ifindex, ARPHRD_ETHER, packet type, length, address
        return struct.pack("!HHIHBB8s", ethertype, 0, 1, 1, 0, 6, src_mac + b"\0\0") + pkt
    raise ValueError(f"no frame builder for link type {linktype}")


def ip_packet(src, dst, proto, l4, ident=0, ttl=64, frag=0x4000, length=None):
    """frag: IPv4 flags and fragment offset (default DF); length: a total (or
    payload) length other than the true one, for malformed packets."""
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length or 20 + len(l4), ident & 0xFFFF, frag, ttl, proto, 0,
                          s.packed, d.packed)
        hdr = hdr[:10] + struct.pack("!H", _csum(hdr)) + hdr[12:]
        return 0x0800, hdr + l4
    hdr = struct.pack("!IHBB16s16s", 0x60000000, length or len(l4), proto, ttl, s.packed, d.packed)
    return 0x86DD, hdr + l4


def ipv4_fragments(src, dst, proto, l4, ident, size=1480):
    """RFC 791 fragments of one datagram (offsets in 8-byte units, MF on all but the last)."""
    out = []
    for off in range(0, len(l4), size):
        more = 0x2000 if off + size < len(l4) else 0
        out.append(ip_packet(src, dst, proto, l4[off:off + size], ident, frag=more | (off // 8)))
    return out


def ipv6_ext(src, dst, proto, l4, headers=("hop", "dest"), frag=None):
    """IPv6 with extension headers (RFC 8200 4): hop-by-hop and destination
    options padded to 8 bytes; frag=(offset, more, ident) adds a fragment header."""
    codes = {"hop": 0, "dest": 60, "routing": 43}
    chain = [codes[h] for h in headers] + ([44] if frag else [])
    body = l4
    nxt = proto
    if frag:
        off, more, ident = frag
        body = struct.pack("!BBHI", nxt, 0, (off // 8) << 3 | (1 if more else 0), ident) + body
        nxt = 44
        chain = chain[:-1]
    for code in reversed(chain):
        if code == 43:   # type 0 routing header with no addresses left (segments left 0)
            body = struct.pack("!BBBB4x", nxt, 0, 0, 0) + body
        else:            # PadN option filling the 8 bytes
            body = struct.pack("!BBBB4x", nxt, 0, 1, 4) + body
        nxt = code
    return ip_packet(src, dst, nxt, body)


def qinq(outer, inner):
    """802.1ad: an S-tag then a C-tag (the innermost VLAN is the flow's)."""
    return lambda et, pkt: (0x88A8, struct.pack("!HHHH", outer, 0x8100, inner, et) + pkt)


def mpls(*labels):
    """An MPLS label stack (RFC 3032), bottom of stack on the last label, TTL 64."""
    def wrap(et, pkt):
        stack = b"".join(struct.pack("!I", lab << 12 | (1 << 8 if i == len(labels) - 1 else 0) | 64)
                         for i, lab in enumerate(labels))
        return 0x8847, stack + pkt
    return wrap


def pppoe(session):
    """A PPPoE session frame (RFC 2516) carrying PPP's IPv4 (0x0021) or IPv6 (0x0057)."""
    return lambda et, pkt: (0x8864, struct.pack("!BBHHH", 0x11, 0, session, len(pkt) + 2,
                                                0x0057 if et == 0x86DD else 0x0021) + pkt)


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
    """Writes IP packets between hosts as frames of the writer's link type:
    Ethernet optionally VLAN-tagged or wrapped (encap: qinq, mpls, pppoe)."""

    def __init__(self, writer, vlan=None, gateway_mac=bytes.fromhex("020000000001"), encap=None):
        self.w = writer
        self.vlan = vlan
        self.gw = gateway_mac
        self.encap = encap

    def send(self, t, src, dst, proto, l4, local_macs=True):
        et, pkt = ip_packet(src.ip, dst.ip, proto, l4)
        self.send_packet(t, src, dst, et, pkt, local_macs)
        return len(pkt)

    def send_packet(self, t, src, dst, et, pkt, local_macs=True):
        """An IP packet made by the caller (fragments, extension headers)."""
        if self.encap:
            et, pkt = self.encap(et, pkt)
        self.w.write(t, l2_frame(self.w.linktype, et, pkt, src.mac if local_macs else self.gw, dst.mac, self.vlan))


INNER_MAC_CLIENT = bytes.fromhex("02aa00000010")
INNER_MAC_SERVER = bytes.fromhex("02aa00000020")


def inner_ethernet(src_is_client, et, pkt):
    src, dst = (INNER_MAC_CLIENT, INNER_MAC_SERVER) if src_is_client else (INNER_MAC_SERVER, INNER_MAC_CLIENT)
    return ether(src, dst, et, pkt)


def tunnel_wrap(kind, tid, outer_src, outer_dst, src_is_client, et, pkt):
    """(ethertype, outer IP packet) carrying the inner IP packet `pkt` in a
    tunnel the probe opens: kind gre, gre-ethernet, erspan-ii, erspan-iii,
    vxlan, gtp-u or ip-in-ip; tid its key / session / VNI / TEID."""
    if kind == "ip-in-ip":
        return ip_packet(outer_src, outer_dst, 4 if et == 0x0800 else 41, pkt)
    if kind == "gre":
        # RFC 2890: K bit, the key.
        return ip_packet(outer_src, outer_dst, 47, struct.pack("!HHI", 0x2000, et, tid) + pkt)
    if kind == "gre-ethernet":
        return ip_packet(outer_src, outer_dst, 47, struct.pack("!HH", 0, 0x6558) +
                                 inner_ethernet(src_is_client, et, pkt))
    if kind == "erspan-ii":
        # GRE with a sequence number, then version 1 | VLAN 0, COS/En/T | session, reserved | index.
        hdr = struct.pack("!HHI", 0x1000, 0x88BE, random.randrange(1 << 32)) + struct.pack("!HHI", 0x1000, tid, 0)
        return ip_packet(outer_src, outer_dst, 47, hdr + inner_ethernet(src_is_client, et, pkt))
    if kind == "erspan-iii":
        # Version 2 | VLAN, COS/BSO/T | session, timestamp, SGT, P/FT/HW/D/Gra/O (no subheader).
        hdr = struct.pack("!HHI", 0x1000, 0x22EB, random.randrange(1 << 32)) + \
            struct.pack("!HHIHH", 0x2000, tid, random.randrange(1 << 32), 0, 0)
        return ip_packet(outer_src, outer_dst, 47, hdr + inner_ethernet(src_is_client, et, pkt))
    if kind == "vxlan":
        sport = 49152 + (1 if src_is_client else 2)  # RFC 7348 5: a hash of the inner flow; one per direction here
        payload = struct.pack("!BBHI", 0x08, 0, 0, tid << 8) + inner_ethernet(src_is_client, et, pkt)
        return ip_packet(outer_src, outer_dst, 17, udp_datagram(outer_src, sport, outer_dst, 4789, payload))
    if kind == "gtp-u":
        # E flag: sequence, N-PDU, next extension 0x85 (PDU session container, one 4-octet unit), then none.
        ext = struct.pack("!HBB", 0, 0, 0x85) + bytes([1, 0x10, 0x09, 0])
        payload = struct.pack("!BBHI", 0x34, 0xFF, len(ext) + len(pkt), tid) + ext + pkt
        return ip_packet(outer_src, outer_dst, 17, udp_datagram(outer_src, 2152, outer_dst, 2152, payload))
    raise ValueError(kind)


class TunnelLink(Link):
    """A pcapgen Link whose IP packets travel in a tunnel between two routers."""

    def __init__(self, writer, kind, tid, outer_client, outer_server, inner_client):
        super().__init__(writer, encap=None)
        self.kind, self.tid = kind, tid
        self.outer = (Host(outer_client), Host(outer_server))
        self.inner_client = inner_client

    def send_packet(self, t, src, dst, et, pkt, local_macs=True):
        from_client = src.ip == self.inner_client
        a, b = self.outer if from_client else self.outer[::-1]
        oet, opkt = tunnel_wrap(self.kind, self.tid, a.ip, b.ip, from_client, et, pkt)
        self.w.write(t, ether(a.mac, b.mac, oet, opkt))


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
    """An A answer, or AAAA for an IPv6 address."""
    packed = ipaddress.ip_address(addr).packed
    qtype = 28 if len(packed) == 16 else 1
    q = dns_name(name) + struct.pack("!HH", qtype, 1)
    a = struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(packed)) + packed
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + a


def alpn_extension(protocols):
    """RFC 7301 3.1: a list of length-prefixed protocol names."""
    names = b"".join(bytes([len(p)]) + p.encode() for p in protocols)
    return struct.pack("!HHH", 16, len(names) + 2, len(names)) + names


def tls_client_hello(sni, alpn=None):
    """A TLS 1.2/1.3 ClientHello with a server_name extension (RFC 8446 4.1.2, RFC 6066 3),
    and an ALPN extension offering `alpn` when given."""
    name = sni.encode("utf-8", "surrogateescape")
    sni_ext = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    groups = struct.pack("!HHH", 10, 4, 2) + struct.pack("!H", 29)
    versions = struct.pack("!HHB", 43, 5, 4) + struct.pack("!HH", 0x0304, 0x0303)
    sigalgs = struct.pack("!HHH", 13, 6, 4) + struct.pack("!HH", 0x0403, 0x0804)
    exts = sni_ext + groups + versions + sigalgs + (alpn_extension(alpn) if alpn else b"")
    suites = struct.pack("!HHHH", 6, 0x1301, 0x1302, 0xC02F)
    body = struct.pack("!H", 0x0303) + bytes(range(32)) + b"\x20" + bytes(32) + suites + b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls12_server_flight(cert_der, cipher=0xC02F, alpn=None):
    """A TLS 1.2 server's first flight in one record: ServerHello (RFC 5246
    7.4.1.3, renegotiation_info and the chosen ALPN protocol), Certificate
    with `cert_der` (7.4.2) and ServerHelloDone."""
    exts = b"\xff\x01\x00\x01\x00" + (alpn_extension([alpn]) if alpn else b"")
    hello = (struct.pack("!H", 0x0303) + bytes(range(100, 132)) + b"\x20" + bytes(range(32)) +
             struct.pack("!HB", cipher, 0) + struct.pack("!H", len(exts)) + exts)
    certs = struct.pack("!I", len(cert_der))[1:] + cert_der
    cert_msg = struct.pack("!I", len(certs))[1:] + certs

    def message(kind, body):
        return bytes([kind]) + struct.pack("!I", len(body))[1:] + body

    hs = message(2, hello) + message(11, cert_msg) + message(14, b"")
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


def http_request(method, host, path, user_agent, body=b""):
    head = (f"{method} {path} HTTP/1.1\r\nHost: ".encode() + host.encode("utf-8", "surrogateescape") +
            b"\r\nUser-Agent: " + user_agent.encode("utf-8", "surrogateescape") + b"\r\nAccept: */*\r\n")
    if body:
        head += b"Content-Length: " + str(len(body)).encode() + b"\r\n"
    return head + b"\r\n" + body


def http_status(code, reason, size):
    body = b"y" * size
    return (f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {size}\r\n\r\n".encode() +
            body)


def http_get(host, path="/"):
    return (f"GET {path} HTTP/1.1\r\nHost: ".encode() + host.encode("utf-8", "surrogateescape") +
            b"\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n")


def http_response(size):
    body = b"x" * size
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + str(size).encode() + b"\r\n\r\n" + body


HOSTILE_NAME = '<script>alert("wf")</script>.evil"\'<img src=x onerror=alert(1)>'


def web_session(link, client, dns, server, name, t, qid):
    """A DNS lookup, then an HTTP or a TLS request to the server, closed with FINs."""
    sport = random.randrange(20000, 60000)
    link.send(t, client, dns, 17, udp_datagram(client.ip, sport, dns.ip, 53, dns_query(qid, name)))
    link.send(t + 0.004, dns, client, 17, udp_datagram(dns.ip, 53, client.ip, sport, dns_answer(qid, name, server.ip)))
    conv = TcpConversation(link, client, random.randrange(32768, 60999), server, random.choice([80, 443]))
    tt = conv.handshake(t + 0.01)
    if conv.sp == 80:
        tt = conv.request(tt, http_get(name, "/index.html"), http_response(random.randrange(500, 20000)))
    else:
        tt = conv.request(tt, tls_client_hello(name), b"\x16\x03\x03" + bytes(random.randrange(1500, 6000)))
    conv.close(tt + 0.05)


def pings(link, client, server, t, count=3):
    """Echo requests and replies (ICMP or ICMPv6 by the addresses' family)."""
    ident = random.randrange(1, 65535)
    v6 = ":" in client.ip
    for s in range(count):
        link.send(t + s, client, server, 58 if v6 else 1, icmp_echo(ident, s, v6=v6))
        link.send(t + s + 0.01, server, client, 58 if v6 else 1, icmp_echo(ident, s, reply=True, v6=v6))


def write_sample(path, hostile=False, minutes=3.0, seed=7, start=1700000000.0, snaplen=65535):
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
    with PcapWriter(path, snaplen=snaplen) as w:
        lan, guest_lan = Link(w), Link(w, vlan=20)
        t = start
        end = start + minutes * 60
        qid = 1
        while t < end:
            h = random.choice(locals_)
            web_session(lan, h, dns, random.choice(web[:2]), random.choice(names), t, qid)
            qid += 1
            if random.random() < 0.2:
                g = random.choice(guest)
                c2 = TcpConversation(guest_lan, g, random.randrange(32768, 60999), web[1], 443)
                c2.close(c2.request(c2.handshake(t + 0.2), tls_client_hello(random.choice(names)), bytes(3000)))
            if random.random() < 0.1:
                pings(lan, h, web[0], t + 0.3)
            if random.random() < 0.1:
                c6 = TcpConversation(lan, v6_local, random.randrange(32768, 60999), web[2], 443)
                c6.close(c6.request(c6.handshake(t + 0.4), tls_client_hello("ipv6.example.com"), bytes(2000)))
            t += random.expovariate(2.0)
    return path


def write_lan(path, v6=False, vlan=None, minutes=1.0, seed=11, start=1700000000.0):
    """Web sessions and pings of 8 hosts of one family, all on one VLAN when vlan is given."""
    random.seed(seed)
    if v6:
        locals_ = [Host(f"fd00:20::{10 + i:x}") for i in range(8)]
        dns, web = Host("fd00:20::1"), [Host("2001:db8:80::1"), Host("2001:db8:443::1"), Host("2a00:1450::200e")]
    else:
        locals_ = [Host(f"10.20.0.{10 + i}") for i in range(8)]
        dns, web = Host("10.20.0.1"), [Host("198.51.100.80"), Host("203.0.113.43"), Host("192.0.2.200")]
    names = ["intranet.example", "mail.example.org", "files.example.net"]
    with PcapWriter(path) as w:
        lan = Link(w, vlan=vlan)
        t, end, qid = start, start + minutes * 60, 1
        while t < end:
            h = random.choice(locals_)
            web_session(lan, h, dns, random.choice(web), random.choice(names), t, qid)
            qid += 1
            if random.random() < 0.2:
                pings(lan, h, random.choice(web), t + 0.3)
            t += random.expovariate(3.0)
    return path


def write_encapsulations(path, start=1700000000.0):
    """One conversation per encapsulation the probe unwraps (QinQ, MPLS,
    PPPoE, 802.2 SNAP, IPv6 extension headers, each tunnel it opens) and per
    IP case that has no plain ports (IPv4 and IPv6 fragments, GRE carrying
    MPLS, SCTP, ICMPv6): tshark and the probe must attribute the same packets
    to the same hosts (the inner ones of an opened tunnel)."""
    random.seed(5)
    a4, b4, a6, b6 = Host("10.30.0.1"), Host("10.30.0.2"), Host("fd00:30::1"), Host("fd00:30::2")
    t = start
    with PcapWriter(path) as w:
        for encap in (qinq(100, 200), mpls(16001, 24002), pppoe(0x1234), None):
            link = Link(w, encap=encap)
            for c, s in ((a4, b4), (a6, b6)):
                conv = TcpConversation(link, c, random.randrange(32768, 60999), s, 443)
                t = conv.close(conv.request(conv.handshake(t), tls_client_hello("encap.example"), bytes(2500))) + 0.1
                link.send(t, c, s, 17, udp_datagram(c.ip, 5353, s.ip, 5353, b"m" * 40))
                t += 0.1
        link = Link(w)
        # IPv4 fragments of one 4000-byte datagram, and IPv6 fragments (RFC 8200 4.5).
        dgram = udp_datagram(a4.ip, 4000, b4.ip, 4001, bytes(4000))
        for et, pkt in ipv4_fragments(a4.ip, b4.ip, 17, dgram, ident=0x77):
            link.send_packet(t, a4, b4, et, pkt)
            t += 0.001
        dgram6 = udp_datagram(a6.ip, 4000, b6.ip, 4001, bytes(2000))
        for off in (0, 1232):
            et, pkt = ipv6_ext(a6.ip, b6.ip, 17, dgram6[off:off + 1232], headers=(),
                               frag=(off, off == 0, 0x99))
            link.send_packet(t, a6, b6, et, pkt)
            t += 0.001
        # Hop-by-hop, routing and destination options before UDP and TCP.
        for proto, l4 in ((17, udp_datagram(a6.ip, 6000, b6.ip, 6001, b"x" * 100)),
                          (6, tcp_segment(a6.ip, 6002, b6.ip, 80, 1, 0, SYN))):
            et, pkt = ipv6_ext(a6.ip, b6.ip, proto, l4, headers=("hop", "routing", "dest"))
            link.send_packet(t, a6, b6, et, pkt)
            t += 0.01
        # GRE (RFC 2784) carrying MPLS (not opened: the GRE flow), SCTP (RFC 9260) INIT, ICMPv6 echo.
        _, inner = ip_packet("172.16.0.1", "172.16.0.2", 17, udp_datagram("172.16.0.1", 1, "172.16.0.2", 2, b"g" * 30))
        link.send(t, a4, b4, 47, struct.pack("!HHI", 0, 0x8847, 16 << 12 | 0x100 | 64) + inner)
        link.send(t + 0.01, a4, b4, 132, struct.pack("!HHII", 5000, 38412, 0, 0) + struct.pack("!BBH", 1, 0, 20) + bytes(16))
        pings(link, a6, b6, t + 0.02)
        # One UDP exchange through each tunnel the probe opens: keyed on the
        # inner packet, counted by the outer length (tshark_crosscheck reads
        # tshark's frames the same way).
        for i, (kind, tid, outer) in enumerate((("gre", 9, ("10.30.1.1", "10.30.1.2")),
                                                ("gre-ethernet", 0, ("10.30.1.1", "10.30.1.2")),
                                                ("erspan-ii", 0x101, ("10.30.1.3", "10.30.1.4")),
                                                ("erspan-iii", 0x102, ("10.30.1.3", "10.30.1.4")),
                                                ("vxlan", 4242, ("10.30.1.5", "10.30.1.6")),
                                                ("gtp-u", 0xCAFE, ("10.30.1.7", "10.30.1.8")),
                                                ("ip-in-ip", 0, ("10.30.1.9", "10.30.1.10")),
                                                ("ip-in-ip", 0, ("fd00:31::1", "fd00:31::2")))):
            inner_c, inner_s = Host(f"172.30.{i}.1"), Host(f"fd00:32:{i}::2" if i % 2 else f"172.30.{i}.2")
            if ":" in inner_s.ip:
                inner_c = Host(f"fd00:32:{i}::1")
            tl = TunnelLink(w, kind, tid, outer[0], outer[1], inner_c.ip)
            tl.send(t, inner_c, inner_s, 17, udp_datagram(inner_c.ip, 6000 + i, inner_s.ip, 53, b"t" * (20 + i)))
            tl.send(t + 0.001, inner_s, inner_c, 17, udp_datagram(inner_s.ip, 53, inner_c.ip, 6000 + i, b"u" * (40 + i)))
            t += 0.01
        # IPv4 in 802.2 LLC/SNAP (RFC 1042): a length instead of an Ethernet type.
        _, pkt = ip_packet(a4.ip, b4.ip, 17, udp_datagram(a4.ip, 7000, b4.ip, 7001, b"s" * 60))
        llc = b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + pkt
        w.write(t + 5, b4.mac + a4.mac + struct.pack("!H", len(llc)) + llc)
    return path


def write_tshark_set(folder):
    """The captures the tshark comparisons run on when there is no corpus:
    an office (IPv4, a guest VLAN, some IPv6), an IPv6-only LAN, a LAN where
    every frame is tagged, the encapsulations, and an office captured with a
    96-byte snaplen (every longer frame cut)."""
    import os
    os.makedirs(folder, exist_ok=True)
    j = lambda name: os.path.join(folder, name)  # noqa: E731
    return [write_sample(j("office.pcap"), minutes=1.0),
            write_lan(j("ipv6-lan.pcap"), v6=True),
            write_lan(j("vlan30-lan.pcap"), vlan=30, seed=12),
            write_encapsulations(j("encapsulations.pcap")),
            write_sample(j("office-snaplen96.pcap"), minutes=0.5, seed=8, snaplen=96)]


def _deep_packets():
    """(ethertype, IP packet) of every shape the dissector walks: TCP with
    options, UDP, ICMP, IPv6 with extension headers, a fragment, SCTP."""
    a4, b4, a6, b6 = "10.40.0.1", "10.40.0.2", "fd00:40::1", "fd00:40::2"
    tcp_opts = tcp_segment(a4, 1000, b4, 80, 1, 0, SYN)
    tcp_opts = tcp_opts[:12] + bytes([8 << 4]) + tcp_opts[13:] + b"\x02\x04\x05\xb4\x01\x03\x03\x07\x04\x02\x00\x00"
    return [
        ip_packet(a4, b4, 6, tcp_opts + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ip_packet(a4, b4, 17, udp_datagram(a4, 53000, b4, 53, dns_query(1, "deep.example"))),
        ip_packet(a4, b4, 1, icmp_echo(1, 1)),
        ip_packet(a4, b4, 17, udp_datagram(a4, 1, b4, 2, bytes(40)), frag=0x2000),
        ipv6_ext(a6, b6, 6, tcp_segment(a6, 1000, b6, 443, 1, 0, SYN), headers=("hop", "routing", "dest")),
        ipv6_ext(a6, b6, 17, udp_datagram(a6, 1, b6, 2, bytes(30)), headers=("hop",), frag=(0, True, 7)),
        ip_packet(a6, b6, 58, icmp_echo(1, 1, v6=True)),
        ip_packet(a4, b4, 132, struct.pack("!HHII", 1, 2, 0, 0) + bytes(20)),
    ]


def _malformed_packets():
    """IP packets whose headers lie: RFC 791 IHL < 5 or beyond the packet,
    total length shorter than the header or longer than the frame, bad
    versions, TCP data offsets < 5 or beyond, UDP length < 8, IPv6 payload
    lengths beyond the frame, an endless extension header chain."""
    a4, b4, a6, b6 = "10.50.0.1", "10.50.0.2", "fd00:50::1", "fd00:50::2"
    _, good = ip_packet(a4, b4, 17, udp_datagram(a4, 1, b4, 2, bytes(20)))
    _, tcp = ip_packet(a4, b4, 6, tcp_segment(a4, 1, b4, 2, 0, 0, SYN))
    _, good6 = ip_packet(a6, b6, 17, udp_datagram(a6, 1, b6, 2, bytes(20)))
    chain = b"".join(struct.pack("!BBBB4x", 0, 0, 1, 4) for _ in range(200)) + udp_datagram(a6, 1, b6, 2, b"")
    out = [
        (0x0800, bytes([0x44]) + good[1:]),                    # IHL 4
        (0x0800, bytes([0x4F]) + good[1:]),                    # IHL 15: options beyond the packet
        (0x0800, good[:2] + struct.pack("!H", 12) + good[4:]),  # total length < header
        (0x0800, good[:2] + struct.pack("!H", 9000) + good[4:]),  # total length > frame
        (0x0800, bytes([0x75]) + good[1:]),                    # version 7
        (0x0800, tcp[:32] + bytes([0x20]) + tcp[33:]),         # TCP data offset 2
        (0x0800, tcp[:32] + bytes([0xF0]) + tcp[33:]),         # TCP data offset 15, beyond
        (0x0800, good[:24] + struct.pack("!H", 3) + good[26:]),  # UDP length 3
        (0x86DD, good6[:4] + struct.pack("!H", 5000) + good6[6:]),  # IPv6 payload length > frame
        (0x86DD, good6[:6] + bytes([0]) + good6[7:40] + chain),     # 200 hop-by-hop headers
        (0x0800, b""), (0x86DD, b"\x60"),
    ]
    return out


def _encapsulated(linktype, et, pkt):
    """Frames of one packet: plain, and on Ethernet also tagged and wrapped."""
    frames = [l2_frame(linktype, et, pkt)]
    if linktype == LINKTYPE_ETHERNET:
        frames.append(l2_frame(linktype, et, pkt, vlan=42))
        for encap in (qinq(10, 20), mpls(1, 2, 3), pppoe(7)):
            e, p = encap(et, pkt)
            frames.append(l2_frame(linktype, e, p))
        frames.append(b"\x02" * 12 + struct.pack("!H", 0x8903) + b"\x02" * 16 + l2_frame(linktype, et, pkt))
        llc = b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", et) + pkt
        frames.append(b"\x02" * 12 + struct.pack("!H", min(len(llc), 1500)) + llc)
    return frames


READ_LINK_TYPES = (0, 1, 12, 14, 101, 108, 113, 228, 229, 276)   # the probe dissects these
REFUSED_LINK_TYPES = (9, 105, 127, 147, 195)   # PPP, 802.11, radiotap, USER0, 802.15.4


def write_malformed_set(folder, seed=1):
    """Hostile captures for probe_malformed_test. Returns {file name: status
    the probe's summary must give it ("ok", "refused") or None where only a
    one-line error is required (damaged files)}."""
    import os
    rng = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    expect = {}
    t = 1700000000.0
    for lt in READ_LINK_TYPES:
        v4_only, v6_only = lt == 228, lt == 229
        packets = [(et, p) for et, p in _deep_packets() + _malformed_packets()
                   if not (v4_only and et == 0x86DD) and not (v6_only and et == 0x0800)]
        frames = [f for et, p in packets for f in _encapsulated(lt, et, p)]
        name = f"linktype{lt}-truncated.pcap"
        with PcapWriter(os.path.join(folder, name), linktype=lt) as w:
            for f in frames:   # every prefix through the headers, original length kept
                for cut in sorted(set(range(0, min(len(f), 160) + 1)) | {len(f)}):
                    w.write(t, f[:cut], orig_len=len(f))
        expect[name] = "ok"
        name = f"linktype{lt}-corrupted.pcap"
        with PcapWriter(os.path.join(folder, name), linktype=lt) as w:
            for _ in range(3000):            # a few random bytes changed in the headers
                f = bytearray(rng.choice(frames))
                for _ in range(rng.randint(1, 4)):
                    if f:
                        f[rng.randrange(min(len(f), 96))] = rng.randrange(256)
                w.write(t, bytes(f))
        expect[name] = "ok"
    for lt in REFUSED_LINK_TYPES:
        name = f"linktype{lt}-refused.pcap"
        with PcapWriter(os.path.join(folder, name), linktype=lt) as w:
            w.write(t, bytes(64))
        expect[name] = "refused"
    # Files in other formats and damaged files.
    sample = os.path.join(folder, "sample-nanosecond-big-endian.pcap")
    with PcapWriter(sample, nano=True, big_endian=True) as w:
        for f in _encapsulated(LINKTYPE_ETHERNET, *_deep_packets()[0]):
            w.write(t + 0.123456789, f)
    expect[os.path.basename(sample)] = "ok"
    with open(sample, "rb") as f:
        whole = f.read()
    for name, data in (("empty.pcap", b""), ("header-cut.pcap", whole[:10]), ("bad-magic.pcap", b"\0" * 4 + whole[4:]),
                       ("record-header-cut.pcap", whole[:24 + 8]), ("record-data-cut.pcap", whole[:24 + 16 + 20]),
                       ("caplen-huge.pcap", whole[:24 + 8] + struct.pack(">II", 0x7FFFFFFF, 64) + whole[40:])):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
        expect[name] = None
    return expect


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "sample":
        write_sample(sys.argv[2], hostile="--hostile" in sys.argv)
    elif len(sys.argv) >= 3 and sys.argv[1] == "malformed":
        write_malformed_set(sys.argv[2])
    else:
        print(__doc__)
