"""Issue 13, findings 6, 7 and 11 against the real collector and PostgreSQL:

  6  first login: a listener reachable beyond loopback gets a random admin
     password (log + DATA_DIR/admin-password, mode 0600), admin/admin is
     refused; --admin-password-file sets it; a restart creates nothing
  7  a hostile blacklist (0.0.0.0/0, ::/0, a /7, the collector's own
     address, loopback): broad entries refused and listed on the source's
     status, own peers left out of the nftables sets and reported
  11 webhooks to loopback, localhost, a v4-mapped loopback, and redirects to
     loopback, cloud metadata, file:// and gopher:// are refused (the
     receiver sees no delivery); --notify-allow-internal allows loopback"""
import http.client
import http.server
import os
import re
import socket
import stat
import subprocess
import tempfile
import threading

import api_support as S
from harness import COLLECTOR, Cluster, check, require_built, wait_for


def own_address():
    """A non-loopback address of this machine: the source of its route to a
    documentation address (a UDP connect sends nothing)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("198.51.100.1", 9))
        return s.getsockname()[0]
    finally:
        s.close()


def first_admin(pg, me):
    # Reachable beyond loopback: a random password.
    col = S.ApiCollector(pg.create_database("wffirst"))
    col.extra.append(f"--http=0.0.0.0:{col.http_port}")
    col.start(fresh=False)
    try:
        col.wait_line("created user 'admin'")
        m = re.search(r"created user 'admin' with the random password (\S+) ", col.log_text())
        check(m, "no random password in the log:\n" + col.log_text()[-2000:])
        password = m.group(1)
        path = os.path.join(col.data_dir, "admin-password")
        st = os.stat(path)
        check(stat.S_IMODE(st.st_mode) == 0o600, f"{path} mode {oct(st.st_mode)}")
        with open(path) as f:
            check(f.read() == password + "\n", "the file holds the logged password")
        check(len(password) >= 20, f"password {password!r}")
        c = col.client()
        check(c.login("admin", "admin").status == 401, "admin/admin refused beyond loopback")
        r = c.login("admin", password)
        check(r.status == 200 and r.json()["must_change_password"] is True, f"random password login {r}")
        # The listener really is reachable beyond loopback.
        conn = http.client.HTTPConnection(me, col.http_port, timeout=10)
        conn.request("GET", "/api/v1/openapi.json")
        check(conn.getresponse().status == 200, f"{me}:{col.http_port} answers")
        conn.close()
    except BaseException:
        print(col.log_text()[-3000:])
        raise
    finally:
        col.stop_clean()
    # A restart on the same database creates nothing and keeps the file.
    col.start(fresh=False)
    try:
        def logs_in():
            try:
                return col.client().login("admin", password).status == 200
            except OSError:
                return False  # not listening yet
        wait_for("logins possible", logs_in, timeout=30)
        check(col.log_text().count("created user 'admin'") == 1, "a second admin was created")
        with open(path) as f:
            check(f.read() == password + "\n", "the file changed on restart")
    finally:
        col.stop_clean()

    # --admin-password-file: that password, no forced change, no file written.
    tmp = tempfile.mkdtemp(prefix="wf-admin-")
    pw_file = os.path.join(tmp, "pw")
    with open(pw_file, "w") as f:
        f.write("chosen-by-the-operator-1\n")
    col = S.ApiCollector(pg.create_database("wffirstfile"), extra=[f"--admin-password-file={pw_file}"])
    col.extra.append(f"--http=0.0.0.0:{col.http_port}")
    col.start()
    try:
        c = col.client()
        check(c.login("admin", "admin").status == 401, "admin/admin with a password file")
        r = c.login("admin", "chosen-by-the-operator-1")
        check(r.status == 200 and r.json()["must_change_password"] is False, f"password file login {r}")
        check(not os.path.exists(os.path.join(col.data_dir, "admin-password")), "random file written anyway")
    finally:
        col.stop_clean()
    # A weak password file is refused at start, with one line.
    with open(pw_file, "w") as f:
        f.write("short\n")
    r = subprocess.run([COLLECTOR, f"--admin-password-file={pw_file}", "--db=dbname=none", "--data-dir=" + tmp,
                        "--http=127.0.0.1:24999"], capture_output=True, text=True, timeout=60)
    check(r.returncode != 0 and "--admin-password-file" in r.stderr, f"weak password file: {r.returncode} {r.stderr}")
    print("6: beyond loopback a random password (log + 0600 file), admin/admin 401, restart keeps it; "
          "--admin-password-file used; a weak one refused")


def hostile_blacklist(pg, me):
    tmp = tempfile.mkdtemp(prefix="wf-bl-")
    listed = os.path.join(tmp, "hostile.txt")
    with open(listed, "w") as f:
        f.write("0.0.0.0/0\n::/0\n10.0.0.0/7\n128.0.0.0-255.255.255.255\n"
                f"127.0.0.1\n{me}\n203.0.113.0/24\n2001:db8::/32\n")
    nft = os.path.join(tmp, "wireflow.nft")
    col = S.ApiCollector(pg.create_database("wfbl"), extra=[f"--blacklist={listed}", f"--nft-file={nft}"]).start()
    try:
        admin, viewer, _, _ = S.setup_accounts(col)
        wait_for("the nftables file", lambda: os.path.exists(nft), timeout=30)
        text = open(nft).read()
        for gone in ("0.0.0.0/0", "::/0", "10.0.0.0/7", "128.0.0.0/1", "127.0.0.1", me + "/", me + ",", me + "\n"):
            check(gone not in text, f"{gone!r} in the nftables file:\n{text}")
        check("203.0.113.0/24" in text and "2001:db8::/32" in text, f"narrow entries missing:\n{text}")
        lists = admin.get("/api/v1/blacklists").json()
        src = [s for s in lists["items"] if s["name"] == "hostile.txt"][0]
        check(src["refused_broad"] == 4 and "0.0.0.0/0" in src["refused_examples"] and "::/0" in src["refused_examples"],
              f"refused entries on the status: {src}")
        check(f"{me}/32" in lists["nft_spared"] and "127.0.0.0/8" in lists["nft_spared"],
              f"spared peers reported: {lists['nft_spared']}")
        # Flows from a listed address are still marked (only the drop rules spare peers).
        r = viewer.get("/api/v1/blacklists")
        check(r.status == 200 and r.json()["items"][0]["refused_broad"] == src["refused_broad"], f"viewer {r}")
        print(f"7: refused {src['refused_broad']} broad entries {src['refused_examples']}, "
              f"spared {lists['nft_spared']}")
    except BaseException:
        print(col.log_text()[-3000:])
        raise
    finally:
        col.stop_clean()


class Receiver(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_POST(self):
        Receiver.hits.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        targets = {"/to-loopback": f"http://127.0.0.1:{self.server.server_port}/hook",
                   "/to-metadata": "http://169.254.169.254/latest/meta-data/",
                   "/to-file": "file:///etc/passwd",
                   "/to-gopher": f"gopher://127.0.0.1:{self.server.server_port}/_x"}
        if self.path in targets:
            self.send_response(307)
            self.send_header("Location", targets[self.path])
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def webhook_targets(me):
    server = http.server.ThreadingHTTPServer(("0.0.0.0", 0), Receiver)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        refused = {"loopback": f"http://127.0.0.1:{port}/hook", "localhost": f"http://localhost:{port}/hook",
                   "mapped": f"http://[::ffff:127.0.0.1]:{port}/hook", "zero": f"http://0.0.0.0:{port}/hook",
                   "metadata": "http://169.254.169.254/latest/meta-data/",
                   "redir-loopback": f"http://{me}:{port}/to-loopback",
                   "redir-metadata": f"http://{me}:{port}/to-metadata",
                   "redir-file": f"http://{me}:{port}/to-file", "redir-gopher": f"http://{me}:{port}/to-gopher"}
        args = [COLLECTOR, "--notify-test"] + [f"--notify=webhook {url} name={n} attempts=1" for n, url in refused.items()]
        r = subprocess.run(args, capture_output=True, text=True, timeout=120)
        check(r.returncode == 1 and "delivered" not in r.stdout, f"internal targets: {r.stdout}{r.stderr}")
        for n in ("loopback", "localhost", "mapped", "zero", "metadata", "redir-loopback", "redir-metadata"):
            line = [l for l in r.stdout.splitlines() if l.startswith(n + " ")]
            check(line and "refused to connect" in line[0], f"{n}: {line}")
        check("/hook" not in Receiver.hits, f"the receiver got a delivery: {Receiver.hits}")
        check(sorted(Receiver.hits) == sorted(["/to-loopback", "/to-metadata", "/to-file", "/to-gopher"]),
              f"receiver saw {Receiver.hits}")
        # A public-looking address is fine; loopback with the option too.
        ok = subprocess.run([COLLECTOR, "--notify-test", f"--notify=webhook http://{me}:{port}/hook name=lan"],
                            capture_output=True, text=True, timeout=60)
        check(ok.returncode == 0 and "delivered" in ok.stdout, f"LAN webhook: {ok.stdout}{ok.stderr}")
        allowed = subprocess.run([COLLECTOR, "--notify-test", "--notify-allow-internal",
                                  f"--notify=webhook http://127.0.0.1:{port}/hook name=local"],
                                 capture_output=True, text=True, timeout=60)
        check(allowed.returncode == 0 and "delivered" in allowed.stdout, f"allowed loopback: {allowed.stdout}")
        check(Receiver.hits.count("/hook") == 2, f"deliveries {Receiver.hits}")
    finally:
        server.shutdown()
    print(f"11: {len(refused)} internal targets and redirects refused, LAN and allowed loopback delivered")


def main():
    require_built(COLLECTOR)
    me = own_address()
    check(not me.startswith("127."), f"no non-loopback address here ({me})")
    webhook_targets(me)
    with Cluster() as pg:
        first_admin(pg, me)
        hostile_blacklist(pg, me)
    print("first_admin_blacklist_test: ok")


if __name__ == "__main__":
    main()
