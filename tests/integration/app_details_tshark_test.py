#!/usr/bin/python3
"""The TLS and HTTP details the probe takes from nDPI equal tshark's reading
of the same packets (issue 14).

A generated capture (tests/support/pcapgen.py) holds TLS 1.2 handshakes whose
server presents a certificate made for the test by `openssl req` (its subject
carries markup, quotes and non-ASCII text: packet-derived and hostile), one
with ALPN, one without, over IPv4 and IPv6, and HTTP exchanges (GET 200, POST
404, a user agent with markup and a control character). For every flow:
- JA3 and JA3S equal tshark's tls.handshake.ja3 / ja3s;
- the TLS version is the ServerHello's (tls.handshake.version);
- the certificate's SHA-1 is the SHA-1 of tshark's tls.handshake.certificate,
  its validity openssl's notBefore/notAfter, its subject the names
  openssl wrote as nDPI writes them ("C=.., L=.., CN=..", markup kept as
  text; nDPI 4.2 leaves out a name with non-ASCII text);
- HTTP method, URL (nDPI keeps Host then path), user agent and response code
  equal tshark's http.request.method, http.host + http.request.uri,
  http.user_agent, http.response.code;
- nDPI's confidence is "dpi" (4) for every such flow;
- end to end: the same capture replayed into the real collector with a real
  PostgreSQL, GET /api/v1/flows gives every flow's `tls` / `http` object and
  `dpi_confidence` equal to the probe's record (version by name, JA3/JA3S,
  ALPN, certificate subject, issuer, validity, SHA-1; method, URL, user
  agent, status), and `?ja3=` finds exactly the flows with that hash.

Then every capture of $WIREFLOW_CORPUS/real whose name says TLS, HTTP,
QUIC or DTLS (when a corpus is there): the same fields, flows matched by
their 5-tuple. Of the values both read, at least MIN_AGREEMENT agree (a
value tshark read in another request of the same connection counts, as does
a URL cut at the probe's bound); the differences are listed with examples,
and the values only tshark read are counted by capture and nDPI's verdict
(TLS after STARTTLS, in HTTP CONNECT or SOCKS, QUIC hellos nDPI 4.2 cannot
reassemble: nDPI does not look there).

Environment: WIREFLOW_BUILD, WIREFLOW_SOURCE, WIREFLOW_CORPUS (optional).
"""
import calendar
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

import pcapgen
from harness import COLLECTOR, PROBE, Checks, Cluster, Collector, corpus_files, fail, read_jsonl, replay, require_built, run_probe, wait_for

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_support  # noqa: E402
from tshark_crosscheck import tshark_frames

MIN_AGREEMENT = 0.95
MAX_URL = 255        # probe/flow/app_details.hpp
# openssl -subj: "/" separates names, "\\/" is a slash inside one.
HOSTILE_SUBJECT = '/C=CH/O=Wire "flow" <b>Zürich<\\/b>/L=Bern/CN=<img src=x onerror=alert(1)>.example'
# nDPI 4.2 writes the names joined by ", " and leaves out one whose text is
# not printable ASCII (the O= here): what it keeps is shown as it was sent.
SUBJECT = 'C=CH, L=Bern, CN=<img src=x onerror=alert(1)>.example'
HOSTILE_UA = 'wf-test/1.0 (<script>alert("ua")</script>\x01)'
EXTRA = ["tls.handshake.ja3", "tls.handshake.ja3s", "tls.handshake.type", "tls.handshake.version",
         "tls.handshake.extensions.supported_version",
         "tls.handshake.certificate", "http.request.method", "http.host", "http.request.uri",
         "http.user_agent", "http.response.code"]
CORPUS_NAMES = re.compile(r"tls|ssl|http|quic|dtls|ja3|cert|smtps|imaps|pops|starttls", re.I)


def make_certificate(work):
    key, der = os.path.join(work, "key.pem"), os.path.join(work, "cert.der")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-outform", "DER", "-out", der, "-days", "30", "-utf8",
                    "-subj", HOSTILE_SUBJECT], check=True, capture_output=True)
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", der, "-noout", "-startdate", "-enddate"],
                         check=True, capture_output=True, text=True).stdout
    dates = dict(line.split("=", 1) for line in out.split("\n") if "=" in line)

    def epoch(s):
        return calendar.timegm(time.strptime(s.strip(), "%b %d %H:%M:%S %Y GMT"))

    with open(der, "rb") as f:
        return f.read(), epoch(dates["notBefore"]), epoch(dates["notAfter"])


def write_capture(path, cert):
    random.seed(5)
    t = 1_700_000_000.0
    with pcapgen.PcapWriter(path) as w:
        link = pcapgen.Link(w)
        c4, s4 = pcapgen.Host("192.168.70.10"), pcapgen.Host("203.0.113.70")
        c6, s6 = pcapgen.Host("2001:db8:70::10"), pcapgen.Host("2001:db8:71::70")
        sessions = [
            (c4, s4, 443, pcapgen.tls_client_hello("details.example", alpn=["h2", "http/1.1"]),
             pcapgen.tls12_server_flight(cert, alpn="http/1.1")),
            (c4, s4, 8443, pcapgen.tls_client_hello("plain.example"), pcapgen.tls12_server_flight(cert)),
            (c6, s6, 443, pcapgen.tls_client_hello("v6.example", alpn=["http/1.1"]),
             pcapgen.tls12_server_flight(cert, cipher=0xC030, alpn="http/1.1")),
            (c4, s4, 80, pcapgen.http_request("GET", "www.details.example", "/a/b.html?q=1", "curl/7.88.1"),
             pcapgen.http_status(200, "OK", 900)),
            (c4, s4, 8080, pcapgen.http_request("POST", "api.details.example", "/v1/upload", HOSTILE_UA, b"k=v"),
             pcapgen.http_status(404, "Not Found", 40)),
            (c6, s6, 80, pcapgen.http_request("GET", "v6.details.example", "/", "Wget/1.21"),
             pcapgen.http_status(301, "Moved Permanently", 0)),
        ]
        for client, server, port, request, response in sessions:
            conv = pcapgen.TcpConversation(link, client, random.randrange(32768, 60999), server, port)
            t = conv.handshake(t)
            t = conv.request(t, request, response)
            if port != 80 and port != 8080:
                t = conv.request(t, b"\x17\x03\x03\x00\x20" + bytes(32), b"\x17\x03\x03\x00\x40" + bytes(64))
            t = conv.close(t + 0.01) + 0.2
    return path


def first(values):
    return next((v for v in values if v), None)


def tshark_details(path):
    """(proto, endpoint, endpoint) -> field -> every value tshark read in the
    flow, in frame order (a connection may carry several requests)."""
    flows = defaultdict(lambda: defaultdict(list))
    for f in tshark_frames(path, EXTRA):
        if f["sport"] is None:
            continue
        key = (f["proto"],) + tuple(sorted([(f["src"], int(f["sport"])), (f["dst"], int(f["dport"]))]))
        d = flows[key]
        types = f["tls.handshake.type"]
        if "2" in types:
            # TLS 1.3 names itself in supported_versions; the legacy field says 1.2 (RFC 8446 4.1.3).
            chosen = f["tls.handshake.extensions.supported_version"] if "1" not in types else []
            legacy = f["tls.handshake.version"]
            v = chosen[-1] if chosen else (legacy[types.index("2")] if types.index("2") < len(legacy) else None)
            if v:
                d["version"].append(int(v, 16))
        for name, field in (("ja3_client", "tls.handshake.ja3"), ("ja3_server", "tls.handshake.ja3s"),
                            ("http_method", "http.request.method"), ("http_user_agent", "http.user_agent"),
                            ("http_response_code", "http.response.code")):
            d[name] += [int(v) if name == "http_response_code" else v for v in f[field] if v]
        cert = first(f["tls.handshake.certificate"])
        if cert:
            d["cert_sha1"].append(hashlib.sha1(bytes.fromhex(cert.replace(":", ""))).hexdigest())
        host = first(f["http.host"])
        for uri in f["http.request.uri"]:
            d["http_url"].append((host or "") + uri if uri.startswith("/") else uri)
    return flows


def probe_details(records):
    flows = {}
    for r in records:
        key = (r["protocol"],) + tuple(sorted([(r["client_ip"], r["client_port"]), (r["server_ip"], r["server_port"])]))
        d = flows.setdefault(key, {})
        for k, v in r.items():
            if k in ("tls_version", "ja3_client", "ja3_server", "cert_sha1", "cert_subject", "cert_issuer",
                     "cert_not_before_s", "cert_not_after_s", "alpn", "http_method", "http_url",
                     "http_user_agent", "http_response_code", "dpi_confidence", "app_name"):
                d.setdefault("version" if k == "tls_version" else k, v)
    return flows


def as_probe_writes(v):
    """A packet-derived string as the probe sends it (common/net/utf8.hpp):
    C0 controls, DEL and C1 controls become U+FFFD."""
    return re.sub("[\x00-\x1f\x7f-\x9f]", "\ufffd", v) if isinstance(v, str) else v


def verdict(field, seen, p):
    """How the probe's value p stands against tshark's values `seen` of the flow."""
    if p is None:
        return "probe has none"
    if p == seen[0]:
        return "equal"
    if p in seen:
        return "equal"    # nDPI kept another request's (or response's) value of the connection
    if field == "http_url" and len(p.encode()) >= MAX_URL - 3 and seen[0].startswith(p):
        return "equal"    # cut at the probe's bound, on a character
    return "different"


def compare(want, got):
    """[(field, flow, tshark's values, probe's, verdict)] for each field tshark
    read in a flow the probe has."""
    out = []
    for key, t in want.items():
        p = got.get(key)
        if p is None:
            continue
        for field, values in t.items():
            if values:
                seen = [as_probe_writes(v) for v in values]
                out.append((field, key, seen, p.get(field), verdict(field, seen, p.get(field))))
    return out


def dump(path, work):
    out = os.path.join(work, os.path.basename(path) + ".jsonl")
    r = run_probe(["--pcap", path, "--dump-flows", out, "--collector", "none"], timeout=300)
    if r.returncode != 0:
        fail(f"{path}: probe exit {r.returncode}: {r.stderr.strip()[-500:]}")
    records = read_jsonl(out)
    os.unlink(out) if os.path.exists(out) else None
    return records


TLS_NAMES = {0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}


def rest_view(record):
    """What GET /api/v1/flows should say of a dumped record's details."""
    tls = http = None
    if record.get("ja3_client") or record.get("tls_version"):
        tls = {"version": TLS_NAMES.get(record.get("tls_version")), "ja3_client": record.get("ja3_client"),
               "ja3_server": record.get("ja3_server"), "alpn": record.get("alpn"),
               "certificate": {"subject": record.get("cert_subject"), "issuer": record.get("cert_issuer"),
                               "not_before": record.get("cert_not_before_s"),
                               "not_after": record.get("cert_not_after_s"), "sha1": record.get("cert_sha1")}}
    if record.get("http_method"):
        http = {"method": record["http_method"], "url": record.get("http_url"),
                "user_agent": record.get("http_user_agent"), "response_code": record.get("http_response_code")}
    return {"dpi_confidence": {4: "dpi"}.get(record.get("dpi_confidence")), "tls": tls, "http": http}


def end_to_end(checks, work, path, records):
    password = "details-admin-1"
    pw_file = os.path.join(work, "admin-password")
    with open(pw_file, "w") as f:
        f.write(password + "\n")
    with Cluster() as pg:
        col = Collector(pg.create_database("details"), os.path.join(work, "collector"),
                        extra=[f"--admin-password-file={pw_file}"]).start()
        try:
            replay(path, col.endpoint, "details")
            client = api_support.Client(col.http_port)
            wait_for("the collector's HTTP server", lambda: client.login("admin", password).status == 200)
            span = "from=1699999000&to=1700003000&limit=100"
            got = {}
            wait_for("the stored flows", lambda: len(client.get(f"/api/v1/flows?{span}").json()["items"]) >= 6)
            for f in client.get(f"/api/v1/flows?{span}").json()["items"]:
                got[(f["client_ip"], f["client_port"])] = {k: f.get(k) for k in ("dpi_confidence", "tls", "http")}
                if got[(f["client_ip"], f["client_port"])]["tls"]:
                    got[(f["client_ip"], f["client_port"])]["tls"].pop("version_code", None)
            want = {(r["client_ip"], r["client_port"]): rest_view(r) for r in records}
            diff = [(k, want[k], got.get(k)) for k in want if want[k] != got.get(k)]
            checks.check(len(want) == 6 and not diff,
                         f"REST flows carry the probe's details, every field{'; differ: ' + str(diff[:2]) if diff else ''}")
            ja3 = next(r["ja3_client"] for r in records if r.get("ja3_client"))
            with_ja3 = sorted((r["client_ip"], r["client_port"]) for r in records
                              if ja3 in (r.get("ja3_client"), r.get("ja3_server")))
            found = sorted((f["client_ip"], f["client_port"])
                           for f in client.get(f"/api/v1/flows?{span}&ja3={ja3}").json()["items"])
            checks.check(found == with_ja3 and found, f"?ja3={ja3} finds its {len(with_ja3)} flows ({found})")
            checks.check(client.get(f"/api/v1/flows?{span}&ja3=nothex").status == 400, "?ja3=nothex is a 400")
            print(f"end to end: {len(got)} stored flows, details equal the probe's records; ?ja3= found {len(found)}")
        finally:
            col.stop_clean()


def generated(checks, work):
    cert, not_before, not_after = make_certificate(work)
    path = write_capture(os.path.join(work, "details.pcap"), cert)
    records = dump(path, work)
    want, got = tshark_details(path), probe_details(records)
    pairs = compare(want, got)
    bad = [p for p in pairs if p[4] != "equal" or len(p[2]) != 1]
    fields = Counter(p[0] for p in pairs)
    checks.check(len(want) == 6 and fields["ja3_client"] == 3 and fields["ja3_server"] == 3 and
                 fields["cert_sha1"] == 3 and fields["http_method"] == 3 and fields["http_response_code"] == 3,
                 f"tshark read the six sessions' details ({dict(fields)})")
    checks.check(not bad, f"{len(pairs)} values equal tshark's{'; differ: ' + str(bad[:4]) if bad else ''}")
    print(f"generated capture: {len(got)} flows, {len(pairs)} values compared with tshark's")
    tls = [d for d in got.values() if d.get("ja3_client")]
    sha1 = hashlib.sha1(cert).hexdigest()
    checks.check(len(tls) == 3 and all(d.get("cert_sha1") == sha1 and d.get("version") == 0x0303 for d in tls),
                 f"3 TLS flows with the certificate's SHA-1 {sha1} and TLS 1.2 ({tls})")
    checks.check(all((d.get("cert_not_before_s"), d.get("cert_not_after_s")) == (not_before, not_after)
                     for d in tls), f"validity equals openssl's ({not_before}, {not_after})")
    checks.check(all(d.get("cert_subject") == SUBJECT and d.get("cert_issuer") == SUBJECT for d in tls),
                 f"subject and issuer (self-signed) kept as text: {[d.get('cert_subject') for d in tls]}")
    alpn = sorted(str(d.get("alpn")) for d in tls)
    checks.check(alpn == ["None", "h2,http/1.1", "http/1.1"], f"ALPN the client offered ({alpn})")
    http = [d for d in got.values() if d.get("http_method")]
    checks.check(len(http) == 3 and any(d.get("http_user_agent") == as_probe_writes(HOSTILE_UA) for d in http),
                 f"the hostile user agent kept as text, its control character replaced ({[d.get('http_user_agent') for d in http]})")
    conf = sorted({d.get("dpi_confidence") for d in got.values()})
    checks.check(conf == [4], f"nDPI's confidence is dpi (4) for every flow ({conf})")
    end_to_end(checks, work, path, records)


def corpus(checks, work):
    paths = [p for p in corpus_files("real") if CORPUS_NAMES.search(os.path.basename(p))]
    if not paths:
        print("no corpus: the generated capture only")
        return
    agree, differ, missing = Counter(), defaultdict(list), defaultdict(Counter)
    for path in paths:
        got_records = dump(path, work)
        got = probe_details(got_records)
        for field, key, seen, p, v in compare(tshark_details(path), got):
            name = os.path.basename(path)
            if v == "equal":
                agree[field] += 1
            elif v == "different":
                differ[field].append((name, key[1:], seen[:2], p))
            else:
                # Not a disagreement: nDPI 4.2 did not read it (TLS after
                # STARTTLS, HTTP CONNECT or SOCKS; QUIC hellos it cannot
                # reassemble; a flow it classified otherwise).
                missing[field][(name, got[key].get("app_name"))] += 1
    total = sum(agree.values()) + sum(len(v) for v in differ.values())
    print(f"corpus: {len(paths)} captures; of the values both read, {sum(agree.values())} of {total} equal tshark's")
    for field in sorted(set(agree) | set(differ) | set(missing)):
        print(f"  {field}: {agree[field]} equal, {len(differ[field])} different, "
              f"{sum(missing[field].values())} only tshark read")
        for d in differ[field][:5]:
            print(f"    different: {d}")
        for (name, app), n in missing[field].most_common(4):
            print(f"    only tshark: {n} in {name} (probe: {app})")
    checks.check(total == 0 or sum(agree.values()) >= MIN_AGREEMENT * total,
                 f"corpus agreement {sum(agree.values())}/{total} >= {MIN_AGREEMENT:.0%}")


def main():
    for tool in ("tshark", "openssl"):
        if shutil.which(tool) is None:
            fail(f"{tool} not installed (deploy/install-deps.sh installs it)")
    require_built(PROBE, COLLECTOR)
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="wf-details-") as work:
        generated(checks, work)
        corpus(checks, work)
    return checks.result()


if __name__ == "__main__":
    sys.exit(main())
