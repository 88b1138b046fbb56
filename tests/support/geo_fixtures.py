"""The geolocation test databases: what the collector's geo unit tests
(collector/geo/*_test.cpp) and the integration test (geo_test.py) look up.
Every network here is public address space, since the collector never
looks up private, loopback, link-local, multicast or documentation
addresses. Not real data: each answer is chosen by the tests.

    python3 geo_fixtures.py OUTDIR   # writes OUTDIR/country.mmdb, OUTDIR/asn.mmdb
"""

import os
import sys

from mmdb_writer import MmdbWriter

# An AS name a hostile database could carry: markup, a byte that starts no
# UTF-8 sequence, and 1000 bytes more than anyone needs.
HOSTILE_AS_NAME = b"<img src=x onerror=alert(1)>\xc3(" + b"A" * 1000

# network -> record of the country database (GeoLite2-Country's key names).
COUNTRY = {
    "81.2.69.0/24": {"country": {"iso_code": "GB"}, "registered_country": {"iso_code": "GB"}},
    # Only a registered country (as GeoLite2 has for some networks): the fallback.
    "175.16.199.0/24": {"registered_country": {"iso_code": "CN"}},
    # A country database that also carries AS fields (DB-IP style combined data).
    "89.160.20.112/28": {"country": {"iso_code": "se"}, "autonomous_system_number": 29518,
                         "autonomous_system_organization": "Bredband2 AB"},
    # Not an ISO 3166-1 alpha-2 code: reads as unknown.
    "67.43.156.0/24": {"country": {"iso_code": "X<"}},
    "2a02:cf40::/29": {"country": {"iso_code": "NO"}},
    "2001:218::/32": {"country": {"iso_code": "JP"}},
}

# network -> record of the ASN database (GeoLite2-ASN's key names).
ASN = {
    "81.2.69.0/24": {"autonomous_system_number": 20712, "autonomous_system_organization": "Andrews & Arnold Ltd"},
    "1.128.0.0/11": {"autonomous_system_number": 1221, "autonomous_system_organization": "Telstra Pty Ltd"},
    "149.101.100.0/28": {"autonomous_system_number": 6167, "autonomous_system_organization": HOSTILE_AS_NAME},
    "2a02:cf40::/29": {"autonomous_system_number": 2119, "autonomous_system_organization": "Telenor Norge AS"},
}


def write(outdir):
    """Writes country.mmdb (IPv6 tree, 28-bit records) and asn.mmdb (IPv6
    tree, 24-bit records) into outdir; returns their paths."""
    os.makedirs(outdir, exist_ok=True)
    paths = []
    for name, networks, size, kind in (("country.mmdb", COUNTRY, 28, "Wireflow-Test-Country"),
                                       ("asn.mmdb", ASN, 24, "Wireflow-Test-ASN")):
        w = MmdbWriter(ip_version=6, record_size=size, database_type=kind)
        for net, rec in networks.items():
            w.insert(net, rec)
        path = os.path.join(outdir, name)
        w.write(path + ".tmp")
        os.replace(path + ".tmp", path)
        paths.append(path)
    return tuple(paths)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: geo_fixtures.py OUTDIR")
    print(*write(sys.argv[1]))
