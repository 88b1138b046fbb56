"""Benchmark (not a test): requests/s of GET /api/v1/hosts?limit=50 with
100k live hosts, with wrk over keep-alive connections and a Bearer token
(a PostgreSQL lookup per request, as a script would do it).

  WIREFLOW_BUILD=build PYTHONPATH=tests/support:build/proto:tests/integration \\
      /usr/bin/python3 collector/http/api_bench.py [HOSTS] [SECONDS]
"""
import ipaddress
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
import api_support as S  # noqa: E402
import flow_batches  # noqa: E402
import wireflow_pb2 as pb  # noqa: E402
from harness import Cluster  # noqa: E402


def batches(hosts, per_batch=5000):
    seq = 0
    t0 = 1_700_000_000_000_000_000
    for start in range(0, hosts, per_batch):
        seq += 1
        b = pb.FlowBatch(schema_version=pb.SCHEMA_VERSION_1, probe_id="bench", boot_id=1, sequence=seq,
                         send_time_ns=t0)
        for i in range(start, min(hosts, start + per_batch)):
            r = b.records.add()
            r.flow_id = i + 1
            r.ip_version = 4
            r.client_ip = ipaddress.ip_address(0x0A000000 + i + 1).packed   # 10.0.0.1 .. : one host each
            r.server_ip = bytes([192, 0, 2, 1 + i % 200])
            r.protocol = 6
            r.client_port = 40000 + i % 20000
            r.server_port = 443
            r.first_seen_ns = t0 + i * 1000
            r.last_seen_ns = r.first_seen_ns + 10**9
            r.c2s_packets = 1 + i % 97
            r.c2s_bytes = r.c2s_packets * 120
            r.s2c_packets = 1 + i % 89
            r.s2c_bytes = r.s2c_packets * 900
            r.end_reason = 1
            r.client_mac = bytes([2, 0, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255])
            r.app_name = "TLS"
            r.app_category = "Web"
        yield b


def main():
    hosts = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    with Cluster() as pg:
        col = S.ApiCollector(pg.create_database("wfbench"), extra=["--http-threads=2", "--local-host-idle-s=86400",
                                                                    "--remote-host-idle-s=86400"]).start()
        try:
            sender = flow_batches.Sender(col.endpoint)
            n = 0
            for b in batches(hosts):
                sender.send(b)
                n += 1
            sender.wait_acks(n, timeout=600)
            sender.close()
            admin, _, token, _ = S.setup_accounts(col)
            total = token.get("/api/v1/hosts?limit=1").json()["total"]
            print(f"hosts live: {total}")
            # Reference in the same run: the cheapest authenticated route (same
            # Bearer lookup, no host query), so the ratio shows the top-N cost.
            ref = f"http://127.0.0.1:{col.http_port}/api/v1/status"
            for conns in (2, 16):
                out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "-H",
                                      f"Authorization: Bearer {token.token}", ref],
                                     capture_output=True, text=True, check=True).stdout
                print(f"--- wrk -t2 -c{conns} -d{seconds}s GET /api/v1/status (reference)\n{out}")
            url = f"http://127.0.0.1:{col.http_port}/api/v1/hosts?limit=50"
            for conns in (2, 16):
                out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "-H",
                                      f"Authorization: Bearer {token.token}", url],
                                     capture_output=True, text=True, check=True).stdout
                print(f"--- wrk -t2 -c{conns} -d{seconds}s GET /api/v1/hosts?limit=50 (sorted by bytes)\n{out}")
            url2 = f"http://127.0.0.1:{col.http_port}/api/v1/hosts?limit=50&sort=throughput&q=10.0.1"
            out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "-H", f"Authorization: Bearer {token.token}", url2],
                                 capture_output=True, text=True, check=True).stdout
            print(f"--- wrk -t2 -c16 GET /api/v1/hosts?limit=50&sort=throughput&q=10.0.1\n{out}")
        finally:
            col.stop_clean()


if __name__ == "__main__":
    main()
