#!/usr/bin/env python3
"""Notifications delivered to real receivers on loopback (issue 16).

The real collector runs with one --notify endpoint of every kind: e-mail to
an SMTP server (Python's smtpd), Slack, Teams, Discord, Mattermost, Telegram
and a generic webhook to one HTTP receiver (each body checked against its
service's format), and syslog over UDP and TCP to listeners checking the
RFC 5424 message and the RFC 6587 octet-counted TCP frame.

Part 1: --notify-test sends a test message to each endpoint (all up).
Part 2: alerts switched on, a blacklist source that cannot load engages
blacklist_update_failed; the SMTP, HTTP and TCP receivers are down at first
(nothing listens on their ports), so delivery fails, is retried with backoff
and succeeds once they are up; the exit report shows the retries. (UDP has
no acknowledgement: a sender cannot see that nobody listens, so the UDP
endpoint is checked for delivery only.)
"""
import email
import email.policy
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import asyncore  # smtpd's loop; both deprecated but still in Python 3.11's stdlib
    import smtpd

import psycopg2

from harness import COLLECTOR, Cluster, Collector, fail, free_port, require_built, wait_for

TOKEN = "123456:TESTTOKEN"
CHAT = "-100777"
# RFC 5424 section 6: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD SP BOM MSG
SYSLOG_RE = re.compile(rb'^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z) ([!-~]{1,255}) ([!-~]{1,48}) '
                       rb'([!-~]{1,128}) ([!-~]{1,32}) (\[wireflow@32473(?: [a-z_]+="(?:[^"\\\]]|\\["\\\]])*")+\]) '
                       rb'\xef\xbb\xbf(.*)$', re.S)


class HttpReceiver:
    """One HTTP server for every webhook kind; the path says which."""

    def __init__(self, port):
        self.port = port
        self.posts = []   # (path, content-type, parsed JSON)
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.posts.append((self.path, self.headers.get("Content-Type"), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self, path):
        with self.lock:
            return [b for p, _, b in self.posts if p == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver(smtpd.SMTPServer):
    def __init__(self, port):
        self.messages = []
        super().__init__(("127.0.0.1", port), None, decode_data=False)
        self.thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.1, "map": self._map}, daemon=True)
        self.thread.start()

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        self.messages.append((mailfrom, rcpttos, email.message_from_bytes(data, policy=email.policy.default)))

    def stop(self):
        self.close()


class SyslogUdp:
    def __init__(self, port):
        self.messages = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.running = True
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while self.running:
            try:
                data, _ = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            self.messages.append(data)

    def close(self):
        self.running = False
        self.sock.close()


class SyslogTcp:
    """Reads RFC 6587 octet-counted frames: MSG-LEN SP SYSLOG-MSG."""

    def __init__(self, port):
        self.messages = []
        self.errors = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.running = True
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            buf = b""
            conn.settimeout(5)
            with conn:
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
            while buf:
                m = re.match(rb"([1-9]\d*) ", buf)
                if not m:
                    self.errors.append(buf[:80])
                    break
                n = int(m.group(1))
                frame = buf[m.end():m.end() + n]
                if len(frame) != n:
                    self.errors.append(b"short frame")
                    break
                self.messages.append(frame)
                buf = buf[m.end() + n:]

    def close(self):
        self.running = False
        self.sock.close()


def check_syslog(raw, msgid, where):
    m = SYSLOG_RE.match(raw)
    if not m:
        fail(f"{where}: not an RFC 5424 message: {raw[:200]!r}")
    pri = int(m.group(1))
    if pri // 8 != 3:
        fail(f"{where}: facility {pri // 8}, expected daemon (3)")
    if m.group(6).decode() != msgid:
        fail(f"{where}: MSGID {m.group(6)!r}, expected {msgid}")
    return m


def notify_options(ports, attempts):
    h = f"http://127.0.0.1:{ports['http']}"
    retry = f"attempts={attempts} backoff-ms=400"
    # The receivers listen on loopback, which webhooks refuse unless allowed
    # (issue 13, finding 11; http_attack_test shows the refusal).
    return ["--notify-allow-internal",
        f"--notify=email smtp://127.0.0.1:{ports['smtp']} from=wireflow@example.org to=ops@example.org,noc@example.org {retry}",
        f"--notify=slack {h}/slack {retry}",
        f"--notify=teams {h}/teams {retry}",
        f"--notify=discord {h}/discord {retry}",
        f"--notify=mattermost {h}/mattermost {retry}",
        f"--notify=telegram {h}/bot{TOKEN}/sendMessage chat={CHAT} {retry}",
        f"--notify=webhook {h}/webhook {retry} min=warning types=blacklist_update_failed,notification_test",
        f"--notify=syslog udp://127.0.0.1:{ports['udp']} name=syslog-udp {retry}",
        f"--notify=syslog tcp://127.0.0.1:{ports['tcp']} name=syslog-tcp {retry}",
    ]


def check_formats(httpr, smtp, udp, tcp, alert_type, entity_word):
    """Each receiver got one message of `alert_type` in its service's format."""
    def one(path):
        bodies = [b for b in httpr.bodies(path) if alert_type in json.dumps(b)]
        if len(bodies) != 1:
            fail(f"{path}: {len(bodies)} bodies of {alert_type}: {httpr.bodies(path)}")
        return bodies[0]

    slack = one("/slack")
    if set(slack) != {"text"} or not slack["text"].startswith("[") or entity_word not in slack["text"]:
        fail(f"slack body {slack}")
    mm = one("/mattermost")
    if mm.get("username") != "wireflow" or alert_type not in mm.get("text", ""):
        fail(f"mattermost body {mm}")
    dc = one("/discord")
    if alert_type not in dc.get("content", "") or len(dc["content"]) > 2000:
        fail(f"discord body {dc}")
    tg = one(f"/bot{TOKEN}/sendMessage")
    if tg.get("chat_id") != CHAT or alert_type not in tg.get("text", ""):
        fail(f"telegram body {tg}")
    teams = one("/teams")
    card = teams["attachments"][0]
    if teams.get("type") != "message" or card["contentType"] != "application/vnd.microsoft.card.adaptive" \
            or card["content"]["type"] != "AdaptiveCard":
        fail(f"teams body {teams}")
    hook = one("/webhook")
    if hook.get("type") != alert_type or "started_at" not in hook or "details" not in hook:
        fail(f"webhook body {hook}")
    for path, ctype, _ in httpr.posts:
        if ctype != "application/json":
            fail(f"{path}: Content-Type {ctype}")

    mails = [m for m in smtp.messages if alert_type in str(m[2]["Subject"])]
    if len(mails) != 1:
        fail(f"{len(mails)} e-mails of {alert_type}: {[str(m[2]['Subject']) for m in smtp.messages]}")
    mailfrom, rcpt, msg = mails[0]
    if mailfrom != "wireflow@example.org" or sorted(rcpt) != ["noc@example.org", "ops@example.org"]:
        fail(f"e-mail envelope {mailfrom} -> {rcpt}")
    body = msg.get_content()
    if alert_type not in body or not msg["Date"] or not msg["Message-ID"]:
        fail(f"e-mail content: {msg}")

    for name, listener in (("udp", udp), ("tcp", tcp)):
        got = [r for r in listener.messages if (b" " + alert_type.encode() + b" ") in r]
        if len(got) != 1:
            fail(f"syslog {name}: {len(got)} messages of {alert_type}: {listener.messages}")
        check_syslog(got[0], alert_type, f"syslog {name}")
    if tcp.errors:
        fail(f"syslog tcp framing errors: {tcp.errors}")


def part_test_messages(tmp):
    ports = {k: free_port() for k in ("http", "smtp", "udp", "tcp")}
    httpr, smtp = HttpReceiver(ports["http"]), SmtpReceiver(ports["smtp"])
    udp, tcp = SyslogUdp(ports["udp"]), SyslogTcp(ports["tcp"])
    try:
        r = subprocess.run([COLLECTOR, "--notify-test"] + notify_options(ports, 1), capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            fail(f"--notify-test exit {r.returncode}: {r.stdout}{r.stderr}")
        if r.stdout.count(": delivered") != 9:
            fail(f"--notify-test output: {r.stdout}")
        wait_for("the test messages", lambda: len(udp.messages) >= 1 and len(tcp.messages) >= 1, 10)
        check_formats(httpr, smtp, udp, tcp, "notification_test", "endpoint")
        # One endpoint down: its line says why and the exit status is 1.
        down = subprocess.run([COLLECTOR, "--notify-test", "--notify-allow-internal",
                               f"--notify=webhook http://127.0.0.1:{free_port()}/x"],
                              capture_output=True, text=True, timeout=60)
        if down.returncode != 1 or "delivered" in down.stdout:
            fail(f"--notify-test to a closed port: exit {down.returncode}: {down.stdout}")
    finally:
        httpr.close(), smtp.stop(), udp.close(), tcp.close()
    print("test messages: 9 endpoints delivered, each format checked")


def part_retries(pg, tmp):
    dsn = pg.create_database("notify")
    ports = {k: free_port() for k in ("http", "smtp", "udp", "tcp")}
    udp = SyslogUdp(ports["udp"])
    missing = os.path.join(tmp, "missing-list.txt")   # never created: its load fails
    init = Collector(dsn, os.path.join(tmp, "init")).start()
    wait_for("migrations", lambda: query(dsn, "SELECT to_regclass('public.preferences') IS NOT NULL")[0][0])
    init.stop_clean()
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO preferences (key, value) VALUES ('alerts', %s::jsonb) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (json.dumps({"enabled": True}),))
    col = Collector(dsn, os.path.join(tmp, "run"), extra=[f"--blacklist={missing}"] + notify_options(ports, 8))
    col.start()
    httpr = smtp = tcp = None
    try:
        wait_for("the blacklist_update_failed alert", lambda: query(
            dsn, "SELECT count(*) FROM alerts WHERE type = 'blacklist_update_failed'")[0][0] == 1, 30)
        # Delivered over UDP (nothing to retry there) while the others are still down.
        wait_for("the UDP syslog message", lambda: udp.messages, 10)
        time.sleep(1.0)   # at least one failed attempt at every down endpoint
        httpr, smtp = HttpReceiver(ports["http"]), SmtpReceiver(ports["smtp"])
        tcp = SyslogTcp(ports["tcp"])
        wait_for("every endpoint after its retries", lambda: (
            len(httpr.posts) >= 6 and len(smtp.messages) >= 1 and len(tcp.messages) >= 1), 40)
        check_formats(httpr, smtp, udp, tcp, "blacklist_update_failed", "missing-list.txt")
    finally:
        for r in (httpr, udp, tcp):
            if r:
                r.close()
        if smtp:
            smtp.stop()
    col.stop_clean()
    report = dict(re.findall(r"notify (\S+) sent=\d+ retries=(\d+)", col.log_text()))
    for name in ("email", "slack", "teams", "discord", "mattermost", "telegram", "webhook", "syslog-tcp"):
        if int(report.get(name, "0")) < 1:
            fail(f"{name}: no retry in the exit report {report}")
    print(f"retries: delivered to every endpoint after the receivers came up; retries per endpoint {report}")


def query(dsn, sql, args=()):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def main():
    require_built(COLLECTOR)
    tmp = tempfile.mkdtemp(prefix="wireflow-notify-")
    try:
        part_test_messages(tmp)
        with Cluster() as pg:
            part_retries(pg, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
