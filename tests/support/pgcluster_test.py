#!/usr/bin/python3
"""The throw-away cluster starts, accepts SQL, survives a restart with its data, and is removed."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pgcluster import Cluster  # noqa: E402

with Cluster(reuse_env=False) as pg:
    dsn = pg.create_database("selftest")
    pg.query(dsn, "CREATE TABLE t(x int); INSERT INTO t VALUES (1),(2)")
    pg.stop_server()
    pg.start_server()
    rows = pg.query(dsn, "SELECT sum(x) FROM t")
    assert rows == [["3"]], rows
    d = pg.dir
assert not os.path.exists(d), "cluster folder left behind"
print("pgcluster ok")
