"""Browser tests of the dashboard: real collector, real PostgreSQL, real probe,
headless Chromium driven by playwright-core under `node --test`.

1. A throw-away database (pgcluster), a blacklist file holding one server
   address of the generated capture, the real wireflow-collector serving the
   REST API and ui-static/ on a free port.
2. The real wireflow-probe replays a capture from tests/support/pcapgen.py
   (hostile=True: the HTTP Host, TLS SNI and DNS names hold script payloads),
   with timestamps of the last minutes so the hosts are live.
3. `node --test` runs ui_modules.test.mjs and series.test.mjs (the pure UI
   modules), the scenario (dashboard.test.mjs) and then the live-view pages
   (live.test.mjs: tokens, charts, live flows). Before it, one batch of two
   flows with TLS and HTTP details (hostile certificate subject, URL and user
   agent) is sent as a probe would (send_details). The scenario
   calls this script with --replay (WF_REPLAY) after it enabled alerts, so the
   blacklisted contact of that second replay raises an alert.
The node exit status is the result; screenshots go to tests/output/screenshots/.
Skips (77) only when node or chromium is missing.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import geo_fixtures  # noqa: E402
import harness  # noqa: E402
import pcapgen  # noqa: E402
from harness import SOURCE, Cluster, Collector, require_built, skip, wait_for  # noqa: E402

HERE = os.path.join(SOURCE, "tests", "browser")
CHROMIUM = os.environ.get("WF_CHROMIUM", "/usr/bin/chromium")
BLACKLISTED_IP = "151.101.1.69"   # one of pcapgen's web servers: locals and the guest VLAN talk to it


def replay(collector_endpoint, probe_id, workdir, minutes):
    """Generates a hostile capture ending now and replays it into the collector."""
    pcap = os.path.join(workdir, f"{probe_id}-{int(time.time() * 1000)}.pcap")
    pcapgen.write_sample(pcap, hostile=True, minutes=minutes, start=time.time() - minutes * 60 - 5)
    harness.replay(pcap, collector_endpoint, probe_id)
    os.unlink(pcap)


def send_active(endpoint, probe_id, scale):
    """One ActiveFlows report (issue 15) as a live probe sends it: 30 flows in
    progress of local hosts of the capture, busiest first by flow number,
    hostile server names. The live flows page shows them (the real probe's
    path is tests/integration/live_flows_test.py). A 60 s period keeps them
    listed for three minutes."""
    import zmq
    import wireflow_pb2 as pb
    now = time.time_ns()
    env = pb.Envelope()
    a = env.active
    a.schema_version = pb.SCHEMA_VERSION_1
    a.probe_id = probe_id
    a.boot_id = 4242
    a.time_ns = now
    a.interval_ms = 60000
    for i in range(1, 31):
        r = a.flows.add()
        r.flow_id = 9000 + i
        r.ip_version = 4
        r.protocol = 6
        r.client_ip = bytes([192, 168, 1, 10 + i % 3])
        r.client_port = 50000 + i
        r.server_ip = bytes([203, 0, 113, i])
        r.server_port = 443
        r.first_seen_ns = now - 20 * 10**9
        r.last_seen_ns = now - 10**9
        r.c2s_packets = int(10 * i * scale)   # bytes per packet stay plausible (ingest checks them)
        r.c2s_bytes = int(1000 * i * i * scale)
        r.s2c_packets = int(5 * i * scale)
        r.s2c_bytes = int(500 * i * scale)
        r.app_name = "TLS" if i % 2 else "HTTP"
        r.server_name = f"<script>alert('live-{i}')</script>.example" if i % 5 == 0 else f"live-{i}.example"
    # A live probe also reports its statistics: the probes list (and the
    # live page's probe filter) knows it from those.
    st = pb.Envelope()
    st.stats.schema_version = pb.SCHEMA_VERSION_1
    st.stats.probe_id = probe_id
    st.stats.boot_id = 4242
    st.stats.time_ns = now
    st.stats.uptime_ns = 20 * 10**9
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 2000)
    s.connect(endpoint)
    s.send(st.SerializeToString())
    s.send(env.SerializeToString())
    s.close()


# A stored flow with TLS details (FlowRecord 47-49) whose certificate
# subject is markup, and a plain-HTTP one with a hostile URL and user agent:
# the flow details must show them as text. Their clients are unique so the
# scenario can open them (flows page: ?ja3=, ?host=).
TLS_CLIENT, HTTP_CLIENT = "198.51.100.76", "198.51.100.77"
TLS_JA3 = "e7d705a3286e19ea42f587b344ee6865"
TLS_SUBJECT = "CN=<img src=x onerror=alert('cert')>, O=\"Quoted\" & Co"


def send_details(endpoint, probe_id):
    """One FlowBatch of two ended flows with nDPI details, stored before the
    scenario starts (the call waits for the collector's ack)."""
    import zmq
    import wireflow_pb2 as pb
    now = time.time_ns()
    env = pb.Envelope()
    b = env.batch
    b.schema_version = pb.SCHEMA_VERSION_1
    b.probe_id = probe_id
    b.boot_id = 77
    b.sequence = 1
    b.send_time_ns = now
    for i, client in enumerate((TLS_CLIENT, HTTP_CLIENT)):
        r = b.records.add()
        r.flow_id = 7000 + i
        r.ip_version = 4
        r.protocol = 6
        r.client_ip = bytes(int(x) for x in client.split("."))
        r.client_port = 51000 + i
        r.server_ip = bytes([203, 0, 113, 200 + i])
        r.server_port = 443 if i == 0 else 80
        r.first_seen_ns = now - 10 * 10**9
        r.last_seen_ns = now - 10**9
        r.c2s_packets, r.c2s_bytes, r.s2c_packets, r.s2c_bytes = 12, 2400, 10, 9000
        r.end_reason = pb.END_REASON_TCP_FIN
    tls, web = b.records
    tls.app_name, tls.app_category, tls.server_name = "TLS", "Web", "expired.badssl.example"
    tls.dpi_confidence = pb.DPI_CONFIDENCE_DPI
    tls.tls.version = 0x0303
    tls.tls.ja3_client = TLS_JA3
    tls.tls.ja3_server = "f4febc55ea12b31ae17cfb7e614afda8"
    tls.tls.alpn = "h2,http/1.1"
    tls.tls.cert_subject = TLS_SUBJECT
    tls.tls.cert_issuer = "C=US, O=<b>Bold</b> CA, CN=Test CA"
    tls.tls.cert_not_before_s = 1_420_070_400   # 2015-01-01
    tls.tls.cert_not_after_s = 1_428_883_200    # 2015-04-13: expired long before the flow
    tls.tls.cert_sha1 = bytes(range(0xc0, 0xd4))
    web.app_name, web.app_category, web.server_name = "HTTP", "Web", "www.example.com"
    web.dpi_confidence = pb.DPI_CONFIDENCE_MATCH_BY_PORT
    web.http.method = "GET"
    web.http.url = "www.example.com/<script>alert('url')</script>"
    web.http.user_agent = "<img src=x onerror=alert('ua')>"
    web.http.response_code = 200
    send_stored(endpoint, env, "details")


def send_stored(endpoint, env, what):
    """Sends one Envelope and waits for the collector's STORED ack."""
    import zmq
    import wireflow_pb2 as pb
    s = zmq.Context.instance().socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.connect(endpoint)
    try:
        s.send(env.SerializeToString())
        if not s.poll(30000, zmq.POLLIN):
            raise RuntimeError(f"no ack for the {what} batch")
        ack = pb.Envelope()
        ack.ParseFromString(s.recv())
        if ack.ack.status != pb.Ack.STATUS_STORED:
            raise RuntimeError(f"{what} batch not stored: {ack}")
    finally:
        s.close()


# Geolocation: the collector reads tests/support/geo_fixtures.py's MaxMind DB
# files; these flows reach a GB server in AS20712 and a server whose AS name
# in the ASN file is an <img onerror> payload. Sent by the scenario itself
# (--geo), so the remote hosts are still live (not yet purged) when it looks.
GEO_CLIENT = "192.168.70.7"
GEO_SERVER, GEO_HOSTILE_SERVER = "81.2.69.7", "149.101.100.5"


def send_geo(endpoint, probe_id):
    import wireflow_pb2 as pb
    now = time.time_ns()
    env = pb.Envelope()
    b = env.batch
    b.schema_version = pb.SCHEMA_VERSION_1
    b.probe_id = probe_id
    b.boot_id = now // 10**9
    b.sequence = 1
    b.send_time_ns = now
    for i, server in enumerate((GEO_SERVER, GEO_HOSTILE_SERVER)):
        r = b.records.add()
        r.flow_id = 8000 + i
        r.ip_version = 4
        r.protocol = 6
        r.client_ip = bytes(int(x) for x in GEO_CLIENT.split("."))
        r.client_port = 52000 + i
        r.server_ip = bytes(int(x) for x in server.split("."))
        r.server_port = 443
        r.first_seen_ns = now - 5 * 10**9
        r.last_seen_ns = now - 10**9
        r.c2s_packets, r.c2s_bytes, r.s2c_packets, r.s2c_bytes = 8, 1200, 6, 5000
        r.end_reason = pb.END_REASON_TCP_FIN
        r.app_name, r.app_category = "TLS", "Web"
    send_stored(endpoint, env, "geolocation")


def http_answers(url):
    try:
        urllib.request.urlopen(url + "api/v1/session", timeout=2)
        return True
    except urllib.error.HTTPError:
        return True   # 401: the server answers
    except OSError:
        return False


def ensure_node_modules():
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)
    if not os.path.isfile(os.path.join(SOURCE, "ui-static", "vendor", "uPlot.esm.js")):
        subprocess.run(["bash", os.path.join(SOURCE, "deploy", "build-ui.sh")], check=True)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--replay":
        replay(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "--geo":
        send_geo(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "--active":
        send_active(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return 0
    if not shutil.which("node") or not os.access(CHROMIUM, os.X_OK):
        skip("node or chromium missing: browser tests skipped")
    require_built()
    ensure_node_modules()

    work = tempfile.mkdtemp(prefix="wireflow-browser-")
    collector = None
    rc = 1
    # A syslog receiver for the notification endpoint the Preferences page
    # tests with its "Send test" button.
    syslog = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    syslog.bind(("127.0.0.1", 0))
    with Cluster() as pg, syslog:
        try:
            dsn = pg.create_database("browser")
            blacklist = os.path.join(work, "test-blacklist.txt")
            with open(blacklist, "w") as f:
                f.write(f"# browser test: a server of the generated capture\n{BLACKLISTED_IP}\n")
            country_mmdb, asn_mmdb = geo_fixtures.write(os.path.join(work, "geo"))
            collector = Collector(dsn, os.path.join(work, "collector"), extra=[
                "--local-networks=192.168.0.0/16,fd00::/8", f"--blacklist=plain:{blacklist}",
                f"--geoip-country={country_mmdb}", f"--geoip-asn={asn_mmdb}",
                f"--ui-dir={os.path.join(SOURCE, 'ui-static')}", "--host-persist-s=5",
                f"--notify=syslog udp://127.0.0.1:{syslog.getsockname()[1]} name=ops-syslog"]).start()
            ingest = collector.endpoint
            url = f"http://127.0.0.1:{collector.http_port}/"
            wait_for("the collector's HTTP server", lambda: http_answers(url))
            replay(ingest, "browser-probe", work, 2.0)
            send_details(ingest, "browser-probe-dpi")

            screenshots = os.path.join(SOURCE, "tests", "output", "screenshots")
            os.makedirs(screenshots, exist_ok=True)
            env = dict(os.environ,
                       WF_URL=url,
                       WF_CHROMIUM=CHROMIUM,
                       WF_SCREENSHOTS=screenshots,
                       WF_BLACKLISTED_IP=BLACKLISTED_IP,
                       WF_DETAILS=json.dumps({"tls_ja3": TLS_JA3, "tls_subject": TLS_SUBJECT, "http_client": HTTP_CLIENT}),
                       WF_REPLAY=json.dumps([sys.executable, os.path.abspath(__file__), "--replay", ingest,
                                             "browser-probe-2", work, "1.0"]),
                       WF_GEO=json.dumps([sys.executable, os.path.abspath(__file__), "--geo", ingest, "browser-probe-geo"]),
                       WF_GEO_HOSTS=json.dumps({"client": GEO_CLIENT, "server": GEO_SERVER, "hostile": GEO_HOSTILE_SERVER}),
                       WF_ACTIVE=json.dumps([sys.executable, os.path.abspath(__file__), "--active", ingest,
                                             "live-probe"]))
            node = subprocess.run(["node", "--test", "--test-reporter=spec", "--test-concurrency=1",
                                   os.path.join(HERE, "ui_modules.test.mjs"), os.path.join(HERE, "series.test.mjs"),
                                   os.path.join(HERE, "dashboard.test.mjs"), os.path.join(HERE, "live.test.mjs")],
                                  cwd=HERE, env=env, timeout=600)
            rc = 0 if node.returncode == 0 else 1
            # The page's test button really reached the receiver.
            # (Alerts raised by the tests arrive there too: read them all.)
            syslog.settimeout(0.5)
            got = b""
            try:
                while b"notification_test" not in got:
                    got += syslog.recv(65536)
            except OSError:
                pass
            if b"notification_test" not in got:
                print("FAIL: the syslog receiver got no test message from the Preferences page", got[:200])
                rc = 1
        finally:
            try:
                if collector is not None:
                    if rc:
                        print("---- collector log (tail) ----")
                        print(collector.log_text()[-6000:])
                    collector.stop_clean()   # exit 0 and no sanitizer report (the CI build has ASan+UBSan)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    print("screenshots in", os.path.join(SOURCE, "tests", "output", "screenshots"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
