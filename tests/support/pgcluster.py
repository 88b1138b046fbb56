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
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
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
    def __init__(self, reuse_env=True):
        self.shared = os.environ.get("WIREFLOW_TEST_PG") if reuse_env else None
        self.dir = None
        self.port = None
        self.user = None
        self.databases = []

    # ---- lifecycle -------------------------------------------------------
    def start(self):
        if self.shared:
            return self
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self.dir = tempfile.mkdtemp(prefix="wireflow-pg-")
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, user=self.user)
        data = os.path.join(self.dir, "data")
        subprocess.run(_as_user(self.user) + [f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", self.user,
                        "--no-sync", "-E", "UTF8", "--locale=C"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.port = _free_port()
        # fsync off: throw-away data; the durability tests kill the collector,
        # not the machine, so PostgreSQL's WAL is still honoured across its restarts.
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
                "-c fsync=off -c synchronous_commit=on -c full_page_writes=off -c max_connections=200")
        self._ctl("start", "-w", "-t", "60", "-o", opts, "-l", os.path.join(self.dir, "log"))
        return self

    def _ctl(self, *args):
        subprocess.run(_as_user(self.user) + [f"{PG_BIN}/pg_ctl", "-D", os.path.join(self.dir, "data"), *args],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop_server(self, mode="fast"):
        """Stops the server but keeps the data (fault tests restart it)."""
        assert not self.shared, "cannot stop the shared cluster"
        self._ctl("stop", "-m", mode, "-w")

    def start_server(self):
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
                "-c fsync=off -c full_page_writes=off -c max_connections=200")
        self._ctl("start", "-w", "-t", "60", "-o", opts, "-l", os.path.join(self.dir, "log"))

    def stop(self):
        if self.shared:
            for db in self.databases:
                subprocess.run(["psql", self.admin_dsn("postgres"), "-q", "-c", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return
        if self.dir:
            try:
                self._ctl("stop", "-m", "immediate", "-w")
            except subprocess.CalledProcessError:
                pass
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- use -------------------------------------------------------------
    def admin_dsn(self, db="postgres"):
        if self.shared:
            return f"{self.shared} dbname={db}"
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={db}"

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


def wait_for(predicate, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


if __name__ == "__main__":
    # `pgcluster.py serve FILE`: start a cluster, write its DSN to FILE, and
    # stop it when this process gets SIGTERM (deploy/test.sh uses this).
    import signal
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        c = Cluster(reuse_env=False).start()
        with open(sys.argv[2], "w") as f:
            f.write(f"host=127.0.0.1 port={c.port} user={c.user}\n")
        signal.signal(signal.SIGTERM, lambda *a: (c.stop(), sys.exit(0)))
        signal.signal(signal.SIGINT, lambda *a: (c.stop(), sys.exit(0)))
        while True:
            signal.pause()
    print(__doc__)
