"""Browser tests of the dashboard: real collector, real PostgreSQL, real probe,
headless Chromium driven by playwright-core under `node --test`.

1. A throw-away database (pgcluster), a blacklist file holding one server
   address of the generated capture, the real wireflow-collector serving the
   REST API and ui-static/ on a free port.
2. The real wireflow-probe replays a capture from tests/support/pcapgen.py
   (hostile=True: the HTTP Host, TLS SNI and DNS names hold script payloads),
   with timestamps of the last minutes so the hosts are live.
3. `node --test` runs ui_modules.test.mjs (the pure UI modules) and the
   scenario (dashboard.test.mjs). The scenario
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

SOURCE = os.environ.get("WIREFLOW_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("WIREFLOW_BUILD", os.path.join(SOURCE, "build"))
COLLECTOR = os.path.join(BUILD, "collector", "wireflow-collector")
PROBE = os.path.join(BUILD, "probe", "wireflow-probe")
HERE = os.path.join(SOURCE, "tests", "browser")
CHROMIUM = os.environ.get("WF_CHROMIUM", "/usr/bin/chromium")
SANITIZER_REPORT = "ERROR: AddressSanitizer"
BLACKLISTED_IP = "151.101.1.69"   # one of pcapgen's web servers: locals and the guest VLAN talk to it

sys.path.insert(0, os.path.join(SOURCE, "tests", "support"))
import pcapgen  # noqa: E402
from pgcluster import Cluster  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def replay(collector_endpoint, probe_id, workdir, minutes):
    """Generates a hostile capture ending now and replays it into the collector."""
    pcap = os.path.join(workdir, f"{probe_id}-{int(time.time() * 1000)}.pcap")
    pcapgen.write_sample(pcap, hostile=True, minutes=minutes, start=time.time() - minutes * 60 - 5)
    p = subprocess.run([PROBE, "--no-huge", "--memory", "256", "--pcap", pcap, "--probe-id", probe_id,
                        "--collector", collector_endpoint, "--batch-ms", "50", "--linger-s", "20"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0 or SANITIZER_REPORT in err or "runtime error:" in err:
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"probe exited {p.returncode} (or reported a sanitizer error)")
    os.unlink(pcap)


def wait_http(url, proc, log_path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"collector exited {proc.returncode}:\n{open(log_path, errors='replace').read()[-4000:]}")
        try:
            urllib.request.urlopen(url + "api/v1/session", timeout=2)
            return
        except urllib.error.HTTPError:
            return   # 401: the server answers
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the collector's HTTP server did not answer:\n" + open(log_path, errors="replace").read()[-4000:])


def ensure_node_modules():
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)
    if not os.path.isfile(os.path.join(SOURCE, "ui-static", "vendor", "uPlot.esm.js")):
        subprocess.run(["bash", os.path.join(SOURCE, "deploy", "build-ui.sh")], check=True)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--replay":
        replay(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
        return 0
    if not shutil.which("node") or not os.access(CHROMIUM, os.X_OK):
        print("node or chromium missing: browser tests skipped")
        return 77
    for binary in (COLLECTOR, PROBE):
        if not os.access(binary, os.X_OK):
            print("not built:", binary)
            return 1
    ensure_node_modules()

    work = tempfile.mkdtemp(prefix="wireflow-browser-")
    collector = None
    rc = 1
    with Cluster() as pg:
        try:
            dsn = pg.create_database("browser")
            blacklist = os.path.join(work, "test-blacklist.txt")
            with open(blacklist, "w") as f:
                f.write(f"# browser test: a server of the generated capture\n{BLACKLISTED_IP}\n")
            ingest = f"tcp://127.0.0.1:{free_port()}"
            http_port = free_port()
            url = f"http://127.0.0.1:{http_port}/"
            log_path = os.path.join(work, "collector.log")
            log = open(log_path, "w")
            collector = subprocess.Popen(
                [COLLECTOR, f"--listen={ingest}", f"--db={dsn}", f"--data-dir={os.path.join(work, 'spool')}",
                 f"--http=127.0.0.1:{http_port}", "--local-networks=192.168.0.0/16,fd00::/8",
                 f"--blacklist=plain:{blacklist}", f"--ui-dir={os.path.join(SOURCE, 'ui-static')}",
                 "--host-persist-s=5"],
                stdout=log, stderr=subprocess.STDOUT)
            wait_http(url, collector, log_path)
            replay(ingest, "browser-probe", work, 2.0)

            screenshots = os.path.join(SOURCE, "tests", "output", "screenshots")
            os.makedirs(screenshots, exist_ok=True)
            env = dict(os.environ,
                       WF_URL=url,
                       WF_CHROMIUM=CHROMIUM,
                       WF_SCREENSHOTS=screenshots,
                       WF_BLACKLISTED_IP=BLACKLISTED_IP,
                       WF_REPLAY=json.dumps([sys.executable, os.path.abspath(__file__), "--replay", ingest,
                                             "browser-probe-2", work, "1.0"]))
            node = subprocess.run(["node", "--test", "--test-reporter=spec", "--test-concurrency=1",
                                   os.path.join(HERE, "ui_modules.test.mjs"), os.path.join(HERE, "dashboard.test.mjs")],
                                  cwd=HERE, env=env, timeout=600)
            rc = 0 if node.returncode == 0 else 1
            # A clean stop, and no sanitizer report (the CI build has ASan+UBSan).
            collector.terminate()
            stopped = collector.wait(timeout=60)
            text = open(log_path, errors="replace").read()
            if stopped != 0 or SANITIZER_REPORT in text or "runtime error:" in text:
                print(f"collector exit status {stopped} or a sanitizer report in its log")
                rc = 1
            if rc:
                print("---- collector log (tail) ----")
                print(text[-6000:])
        finally:
            if collector is not None and collector.poll() is None:
                collector.terminate()
                try:
                    collector.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    collector.kill()
            shutil.rmtree(work, ignore_errors=True)
    print("screenshots in", os.path.join(SOURCE, "tests", "output", "screenshots"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
