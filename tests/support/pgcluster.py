"""A throw-away PostgreSQL 15 cluster for tests.

initdb refuses to run as root, so when started as root the cluster belongs to
the unprivileged `postgres` user (created by Debian's postgresql package) and
lives in a temporary folder that user can write. It listens on 127.0.0.1 at a
free port and on a unix socket inside its folder; `stop()` removes everything.

Use:
    with Cluster() as pg:
        dsn = pg.create_database("t1")     # libpq connection string

When WIREFLOW_TEST_PG is set (deploy/test.sh starts one cluster for the whole
run and sets it to "host=... port=... user=..."), Cluster() reuses that server
and only creates and drops databases, which is much faster than an initdb per test.

This is the one way wireflow starts PostgreSQL of its own: the tests
(harness.py), the C++ tests (collector/store/test_database.hpp runs `serve`
when WIREFLOW_TEST_PG is unset) and deploy/demo.sh (`serve --dir var/pg
--socket-only`: a cluster that keeps its data between demos, reached only
through its unix socket).

    pgcluster.py serve INFO_FILE [--dir DIR] [--socket-only]
        starts a cluster, writes its DSN (without dbname) to INFO_FILE and
        stops it on SIGTERM or SIGINT; with --dir the data stays in DIR.
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid

PG_BIN = "/usr/lib/postgresql/15/bin"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user(user):
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", user, "--"]


class Cluster:
    def __init__(self, reuse_env=True, data_dir=None, tcp=True):
        """data_dir: keep the cluster there across runs (else a temporary
        folder, removed at stop); tcp=False: unix socket only."""
        self.shared = os.environ.get("WIREFLOW_TEST_PG") if reuse_env else None
        self.keep = data_dir is not None
        self.dir = os.path.abspath(data_dir) if data_dir else None
        self.tcp = tcp
        self.port = None
        self.user = None
        self.databases = []

    # ---- lifecycle -------------------------------------------------------
    def start(self):
        if self.shared:
            return self
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if self.dir:
            os.makedirs(self.dir, exist_ok=True)
        else:
            self.dir = tempfile.mkdtemp(prefix="wireflow-pg-")
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, user=self.user)
        data = os.path.join(self.dir, "data")
        if not os.path.exists(os.path.join(data, "PG_VERSION")):
            subprocess.run(_as_user(self.user) + [f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", self.user,
                            "--no-sync", "-E", "UTF8", "--locale=C"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.port = _free_port()
        self.start_server()
        return self

    def _ctl(self, *args):
        subprocess.run(_as_user(self.user) + [f"{PG_BIN}/pg_ctl", "-D", os.path.join(self.dir, "data"), *args],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop_server(self, mode="fast"):
        """Stops the server but keeps the data (fault tests restart it)."""
        assert not self.shared, "cannot stop the shared cluster"
        self._ctl("stop", "-m", mode, "-w")

    def start_server(self):
        # fsync off: throw-away data; the durability tests kill the collector,
        # not the machine, so PostgreSQL's WAL is still honoured across its restarts.
        # A kept cluster (the demo's) is synced as usual.
        listen = "127.0.0.1" if self.tcp else "''"
        opts = (f"-c listen_addresses={listen} -c port={self.port} -c unix_socket_directories={self.dir} "
                "-c max_connections=200" + ("" if self.keep else " -c fsync=off -c full_page_writes=off"))
        self._ctl("start", "-w", "-t", "60", "-o", opts, "-l", os.path.join(self.dir, "log"))

    def stop(self):
        if self.shared:
            for db in self.databases:
                subprocess.run(["psql", self.admin_dsn("postgres"), "-q", "-c", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return
        if self.dir:
            try:
                self._ctl("stop", "-m", "fast" if self.keep else "immediate", "-w")
            except subprocess.CalledProcessError:
                pass
            if not self.keep:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- use -------------------------------------------------------------
    def server_dsn(self):
        """The DSN of the server without a dbname (WIREFLOW_TEST_PG's form)."""
        if self.shared:
            return self.shared
        return f"host={'127.0.0.1' if self.tcp else self.dir} port={self.port} user={self.user}"

    def admin_dsn(self, db="postgres"):
        return f"{self.server_dsn()} dbname={db}"

    def create_database(self, prefix="wftest"):
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        subprocess.run(["psql", self.admin_dsn("postgres"), "-q", "-v", "ON_ERROR_STOP=1", "-c", f'CREATE DATABASE "{name}"'],
                       check=True, stdout=subprocess.DEVNULL)
        self.databases.append(name)
        return self.admin_dsn(name)

    def query(self, dsn, sql):
        """Runs SQL through psql; returns rows as lists of strings."""
        out = subprocess.run(["psql", dsn, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]


def serve(argv):
    """`serve INFO_FILE [--dir DIR] [--socket-only]` (deploy/test.sh, demo.sh, test_database.hpp)."""
    import argparse
    import signal
    import sys
    ap = argparse.ArgumentParser(prog="pgcluster.py serve")
    ap.add_argument("info_file")
    ap.add_argument("--dir", help="keep the cluster in DIR (created on first use)")
    ap.add_argument("--socket-only", action="store_true", help="no TCP: the unix socket in DIR only")
    args = ap.parse_args(argv)
    c = Cluster(reuse_env=False, data_dir=args.dir, tcp=not args.socket_only).start()
    signal.signal(signal.SIGTERM, lambda *a: (c.stop(), sys.exit(0)))
    signal.signal(signal.SIGINT, lambda *a: (c.stop(), sys.exit(0)))
    # Written whole at once: readers poll for a complete line.
    tmp = args.info_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(c.server_dsn() + "\n")
    os.replace(tmp, args.info_file)
    while True:
        signal.pause()


if __name__ == "__main__":
    import sys
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
    print(__doc__)
