"""A small MaxMind DB writer for tests (MaxMind DB File Format 2.0).

Tests of the collector's geolocation need databases whose every answer is
known; MaxMind's own test files are not in Debian, and a mocked reader would
test nothing. This writes the format from its specification
(https://maxmind.github.io/MaxMind-DB/):

  - a binary search tree over the address bits, records of 24 or 28 bits:
    a record below node_count points to a node, node_count is "no data",
    above it points into the data section (value - node_count - 16);
  - 16 zero bytes (the data-section separator), the data section;
  - "\\xAB\\xCD\\xEFMaxMind.com" and the metadata map.

Data types written: map, utf8 string, uint16, uint32, uint64, array (the
last two in the metadata only). An IPv6 database holds IPv4 networks at
::a.b.c.d/(96 + n), as GeoLite2 does, so a reader's IPv4 lookups find them.

Strings may be given as bytes to write text that is not UTF-8 (hostile
databases for tests). Checked against libmaxminddb's mmdblookup by
mmdb_writer_test.py.

    w = MmdbWriter(ip_version=6, record_size=28, database_type="Test-Country")
    w.insert("81.2.69.0/24", {"country": {"iso_code": "GB"}})
    w.write("country.mmdb")
"""

import ipaddress
import struct
import time

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"

_POINTER, _UTF8, _DOUBLE, _BYTES, _UINT16, _UINT32, _MAP = 1, 2, 3, 4, 5, 6, 7
_UINT64, _ARRAY = 9, 11


class Uint16(int):
    pass


class Uint64(int):
    pass


def _control(type_, size):
    """The control byte(s) of a field: type in the top 3 bits (extended types
    in a second byte), size in the low 5 bits with up to 3 more bytes."""
    if size < 29:
        first, extra = size, b""
    elif size < 29 + 256:
        first, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, extra = 30, struct.pack(">H", size - 285)
    else:
        first, extra = 31, struct.pack(">I", size - 65821)[1:]
    if type_ <= 7:
        return bytes([(type_ << 5) | first]) + extra
    return bytes([first, type_ - 7]) + extra


def _uint(type_, value, width):
    if value < 0 or value >= 1 << (8 * width):
        raise ValueError(f"{value} does not fit {width} bytes")
    raw = value.to_bytes(width, "big").lstrip(b"\x00")
    return _control(type_, len(raw)) + raw


def encode(value):
    """One value in the data section's encoding (no pointers)."""
    if isinstance(value, dict):
        out = _control(_MAP, len(value))
        for k, v in value.items():
            out += encode(k) + encode(v)
        return out
    if isinstance(value, (list, tuple)):
        out = _control(_ARRAY, len(value))
        for v in value:
            out += encode(v)
        return out
    if isinstance(value, bytes):
        return _control(_UTF8, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _control(_UTF8, len(raw)) + raw
    if isinstance(value, bool):
        raise TypeError("booleans are not written")
    if isinstance(value, Uint16):
        return _uint(_UINT16, value, 2)
    if isinstance(value, Uint64):
        return _uint(_UINT64, value, 8)
    if isinstance(value, int):
        return _uint(_UINT32, value, 4)
    raise TypeError(f"cannot encode {type(value).__name__}")


class MmdbWriter:
    def __init__(self, ip_version=6, record_size=28, database_type="Wireflow-Test", description="wireflow test data"):
        if ip_version not in (4, 6) or record_size not in (24, 28, 32):
            raise ValueError("ip_version 4 or 6, record_size 24, 28 or 32")
        self.ip_version = ip_version
        self.record_size = record_size
        self.database_type = database_type
        self.description = description
        # Node: [left, right]; a record is None (no data), ("node", index) or ("data", key).
        self.nodes = [[None, None]]
        self.data = {}  # key -> encoded bytes, in insertion order

    def _bits(self, network):
        net = ipaddress.ip_network(network, strict=True)
        width = 128 if self.ip_version == 6 else 32
        if net.version == 4:
            value, length = int(net.network_address), net.prefixlen
            if self.ip_version == 6:
                length += 96  # ::a.b.c.d, where readers look IPv4 up in an IPv6 tree
        else:
            if self.ip_version == 4:
                raise ValueError("IPv6 network in an IPv4 database")
            value, length = int(net.network_address), net.prefixlen
        return [(value >> (width - 1 - i)) & 1 for i in range(length)]

    def insert(self, network, record):
        """Maps `network` (CIDR text) to `record` (a dict). A narrower network
        inserted later overrides a part of a broader one."""
        encoded = encode(record)
        key = encoded
        self.data.setdefault(key, encoded)
        bits = self._bits(network)
        if not bits:
            raise ValueError("a /0 network is not supported")
        node = 0
        for depth, bit in enumerate(bits):
            if depth == len(bits) - 1:
                self.nodes[node][bit] = ("data", key)
                return
            rec = self.nodes[node][bit]
            if rec is None or rec[0] == "data":
                # A broader network's data is pushed down to both halves.
                self.nodes.append([rec, rec])
                self.nodes[node][bit] = ("node", len(self.nodes) - 1)
            node = self.nodes[node][bit][1]

    def _record_value(self, rec, node_count, offsets):
        if rec is None:
            return node_count
        if rec[0] == "node":
            return rec[1]
        return node_count + 16 + offsets[rec[1]]

    def build(self):
        data_section = b""
        offsets = {}
        for key, encoded in self.data.items():
            offsets[key] = len(data_section)
            data_section += encoded
        node_count = len(self.nodes)
        tree = bytearray()
        for left, right in self.nodes:
            lv = self._record_value(left, node_count, offsets)
            rv = self._record_value(right, node_count, offsets)
            if max(lv, rv) >= 1 << self.record_size:
                raise ValueError("record value does not fit the record size")
            if self.record_size == 24:
                tree += lv.to_bytes(3, "big") + rv.to_bytes(3, "big")
            elif self.record_size == 28:
                # The middle byte holds the high nibbles: left's first, right's second.
                tree += (lv & 0xFFFFFF).to_bytes(3, "big")
                tree += bytes([((lv >> 24) << 4) | (rv >> 24)])
                tree += (rv & 0xFFFFFF).to_bytes(3, "big")
            else:
                tree += lv.to_bytes(4, "big") + rv.to_bytes(4, "big")
        metadata = {
            "binary_format_major_version": Uint16(2),
            "binary_format_minor_version": Uint16(0),
            "build_epoch": Uint64(int(time.time())),
            "database_type": self.database_type,
            "description": {"en": self.description},
            "ip_version": Uint16(self.ip_version),
            "languages": ["en"],
            "node_count": node_count,
            "record_size": Uint16(self.record_size),
        }
        return bytes(tree) + b"\x00" * 16 + data_section + METADATA_MARKER + encode(metadata)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.build())
