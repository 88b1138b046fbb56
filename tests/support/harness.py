"""What every end-to-end test shares: where the binaries are, how a test
fails, free ports and waiting, running the probe and the collector and
stopping them with a check for sanitizer reports, and PostgreSQL (Cluster,
from pgcluster.py).

    from harness import COLLECTOR, Cluster, Collector, check, fail, run_probe
    with Cluster() as pg:
        col = Collector(pg.create_database("t"), tmp).start()
        p = run_probe(["--pcap", cap, "--collector", col.endpoint])
        check(p.returncode == 0, f"probe exit {p.returncode}")
        col.stop_clean()

The build is made with ASan and UBSan (deploy/test.sh), so every run of a
binary is also a sanitizer run: a report in its output fails the test.
"""
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

from pgcluster import Cluster  # noqa: F401  (re-exported: one import for the tests)

SOURCE = os.environ.get("WIREFLOW_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("WIREFLOW_BUILD", os.path.join(SOURCE, "build"))
PROBE = os.path.join(BUILD, "probe", "wireflow-probe")
COLLECTOR = os.path.join(BUILD, "collector", "wireflow-collector")
# DPDK without hugepages, so tests run on any machine.
EAL = ["--no-huge", "--memory", "512"]

SKIP = 77   # meson's exit status for a skipped test
_SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


# ---- failing ----------------------------------------------------------------
def fail(msg):
    """Ends the test: one FAIL line, exit status 1."""
    print("FAIL:", msg, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def skip(msg):
    """Ends the test as skipped: only for what the machine lacks (raw sockets, a browser)."""
    print(msg, flush=True)
    sys.exit(SKIP)


class Checks:
    """Soft checks: every failure is reported, not only the first.

        c = Checks(); c.check(x == 1, "x"); ...; return c.result()"""

    def __init__(self):
        self.failures = []

    def check(self, cond, what):
        if not cond:
            self.failures.append(what)
            print("FAIL:", what, file=sys.stderr, flush=True)
        return bool(cond)

    def add(self, what):
        self.check(False, what)

    def result(self):
        if self.failures:
            print(f"{len(self.failures)} check(s) failed", file=sys.stderr)
            return 1
        return 0


def require_built(*binaries):
    """A missing binary is a broken build, not a reason to skip."""
    for b in binaries or (PROBE, COLLECTOR):
        check(os.access(b, os.X_OK), f"{b} not built")


def sanitizer_report(text):
    """The first line of a sanitizer report in text, or None."""
    for line in text.splitlines():
        if _SANITIZER.search(line):
            return line
    return None


# ---- waiting -----------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, predicate, timeout=30.0, interval=0.1):
    """Calls predicate until it returns something true, and returns that; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() >= deadline:
            fail(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def read_jsonl(path):
    """Records of a --dump-flows file ([] when the probe saw no flow)."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus_files(sub, names=None):
    """Captures of $WIREFLOW_CORPUS/sub (deploy/test.sh: ../shared/corpus) when
    it exists: real traffic that adds to a test's own generated captures.
    With names, those files (each must exist); else every file, sorted."""
    corpus = os.environ.get("WIREFLOW_CORPUS", "")
    folder = os.path.join(corpus, sub) if corpus else ""
    if not folder or not os.path.isdir(folder):
        return []
    if names is None:
        return sorted(os.path.join(folder, n) for n in os.listdir(folder))
    paths = [os.path.join(folder, n) for n in names]
    missing = [p for p in paths if not os.path.exists(p)]
    check(not missing, f"captures missing from the corpus: {missing}")
    return paths


# ---- the probe ---------------------------------------------------------------
def run_probe(args, timeout=120, eal=True):
    """Runs wireflow-probe to its end (text output); a sanitizer report fails
    the test, the exit status is the caller's to check."""
    p = subprocess.run([PROBE] + (EAL if eal else []) + list(args), capture_output=True, text=True,
                       errors="replace", timeout=timeout)
    report = sanitizer_report(p.stderr)
    check(report is None, f"probe {' '.join(args)[:200]}: sanitizer report: {report}\n{p.stderr[-3000:]}")
    return p


def replay(pcap, endpoint="none", probe_id="test", dump=None, extra=(), timeout=180):
    """Replays a capture into a collector (or none) and waits for the acks;
    fails unless the probe exits 0. Returns the dumped records when dump is a path."""
    args = ["--pcap", pcap, "--probe-id", probe_id, "--collector", endpoint, "--batch-ms", "50",
            "--linger-s", "30"] + (["--dump-flows", dump] if dump else []) + list(extra)
    p = run_probe(args, timeout=timeout)
    check(p.returncode == 0, f"probe exit {p.returncode} on {pcap}: {p.stderr.strip()[-1000:]}")
    return read_jsonl(dump) if dump else None


# ---- long-running binaries ---------------------------------------------------
class Service:
    """A binary that runs until stopped, its output in a log file."""

    def __init__(self, log_path):
        self.log_path = log_path
        self.proc = None
        self._log = None

    def argv(self):
        raise NotImplementedError

    def start(self, ready=None, timeout=30.0):
        """Starts the binary; with `ready`, waits until that text is in its log."""
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self._log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.argv(), stdout=self._log, stderr=subprocess.STDOUT)
        if ready:
            self.wait_line(ready, timeout)
        return self

    def wait_line(self, text, timeout=30.0):
        def seen():
            if self.proc.poll() is not None:
                fail(f"{self.argv()[0]} exited {self.proc.returncode}:\n{self.log_text()[-4000:]}")
            return text in self.log_text()
        wait_for(f"'{text}' in {self.log_path}", seen, timeout, 0.05)

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Signals the process and waits for it; returns its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self.proc = None
        self._log.close()
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def stop_clean(self):
        """SIGTERM; fails unless the exit is 0 with no sanitizer report in the log."""
        rc = self.stop()
        log = self.log_text()
        report = sanitizer_report(log)
        check(rc == 0 and report is None, f"{os.path.basename(self.argv()[0])} exit {rc}, "
                                          f"sanitizer report: {report}\n{log[-4000:]}")
        return rc

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    @contextlib.contextmanager
    def watched(self, tail=4000):
        """`with col.watched():` prints the end of its log if the block
        fails, and kills it if the block left it running."""
        try:
            yield self
        except BaseException:
            print(self.log_text()[-tail:])
            raise
        finally:
            if self.proc:
                self.kill()


class Collector(Service):
    """The real wireflow-collector: ZeroMQ ingest on a free loopback port and
    HTTP on another, both kept across restarts (tests run side by side). An
    --http in `extra` comes later on the command line and wins."""

    def __init__(self, dsn, data_dir, port=None, extra=()):
        os.makedirs(data_dir, exist_ok=True)
        super().__init__(os.path.join(data_dir, "collector.log"))
        self.dsn = dsn
        self.data_dir = data_dir
        self.port = port or free_port()
        self.http_port = free_port()
        self.extra = list(extra)

    @property
    def endpoint(self):
        return f"tcp://127.0.0.1:{self.port}"

    def argv(self):
        # The tests replay captures and batches dated November 2023: accept
        # records of any age (the default refuses those older than
        # --retention-days; ingest_attack_test checks that with its own value).
        return [COLLECTOR, f"--listen={self.endpoint}", f"--db={self.dsn}", f"--data-dir={self.data_dir}",
                f"--http=127.0.0.1:{self.http_port}", "--record-max-age-days=36500"] + self.extra

    def start(self, ready="listening on", timeout=30.0):
        return super().start(ready, timeout)

    def counters(self):
        """The counters line printed at the last clean exit."""
        lines = [l for l in self.log_text().splitlines() if "wireflow-collector: counters" in l]
        check(lines, "no counters line in the collector log:\n" + self.log_text()[-3000:])
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", lines[-1])}
