"""Shared pieces of the REST API tests: a real wireflow-collector on a real
PostgreSQL with its HTTP server, flow data fed over ZeroMQ, and small HTTP
clients (cookie session + CSRF token, or a Bearer token) on http.client."""
import http.client
import json
import os
import socket
import ssl
import tempfile
import time

import flow_batches
from harness import Collector

NEW_ADMIN_PASSWORD = "correct horse battery staple"
VIEWER_PASSWORD = "viewer-password-1"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all_headers(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Client:
    """One identity: nothing, a cookie session (with its CSRF token) or a token."""

    def __init__(self, port, tls=False):
        self.port = port
        self.tls = tls
        self.cookie = None
        self.csrf = None
        self.token = None

    def connection(self):
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, body=None, headers=None, csrf=True, raw=None):
        h = {}
        if self.cookie:
            h["Cookie"] = self.cookie
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if body is not None and raw is None:
            raw = json.dumps(body).encode()
        if raw is not None:
            h["Content-Type"] = "application/json"
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        c = self.connection()
        try:
            c.request(method, path, body=raw, headers=h)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def login(self, user, password):
        r = self.request("POST", "/api/v1/login", {"user": user, "password": password})
        if r.status == 200:
            self.take_session(r)
        return r

    def take_session(self, r):
        cookie = r.header("Set-Cookie")
        # __Host-wf_session over HTTPS (issue 13, finding 12), wf_session over HTTP.
        assert cookie and cookie.startswith("__Host-wf_session=" if self.tls else "wf_session="), r
        self.cookie = cookie.split(";")[0]
        self.csrf = r.json()["csrf_token"]


def raw_request(port, data, timeout=10):
    """Sends bytes as they are (targets http.client refuses to send); returns
    (status or None, whole response bytes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        out = b""
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and closed before taking everything
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except OSError:
            pass
    status = None
    if out.startswith(b"HTTP/1."):
        status = int(out.split(b" ", 2)[1])
    return status, out


def oversized(port, client, method, path, length=1024 * 1024 + 1):
    """Announces a body over the 1 MiB limit and sends only its start: the
    server must answer 413 from the headers alone. Returns the status."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
    if client.cookie:
        head += f"Cookie: {client.cookie}\r\nX-CSRF-Token: {client.csrf}\r\n"
    if client.token:
        head += f"Authorization: Bearer {client.token}\r\n"
    head += f"Content-Length: {length}\r\n\r\n"
    status, _ = raw_request(port, head.encode() + b"{" * 1000)
    return status


class ApiCollector(Collector):
    """The real collector with HTTP on a free port; local network 10.0.0.0/8.
    Stop it with stop_clean() (exit 0, no sanitizer report)."""

    def __init__(self, dsn, extra=(), tls=None):
        args = ["--local-networks=10.0.0.0/8"] + list(extra)
        if tls:
            args += [f"--tls-cert={tls[0]}", f"--tls-key={tls[1]}"]
        super().__init__(dsn, os.path.join(tempfile.mkdtemp(prefix="wf-api-"), "data"), extra=args)
        self.tls = bool(tls)
        self.extra_args = args

    def start(self, fresh=True):
        super().start()
        if not fresh:
            time.sleep(0.5)
            return self
        # The default admin appears once collector_app migrated the schema
        # (fresh database: every test creates its own); with --disable-login
        # no account is made, and the database being up is what counts.
        self.wait_line("connected to PostgreSQL" if "--disable-login" in self.extra_args else "created user 'admin'")
        return self

    def client(self):
        return Client(self.http_port, self.tls)


def feed(col, probe="probe-api", batches=3, records=100):
    """Sends batches of generated flows (flow_batches.make_batch: hostile server
    names, IPv4/IPv6, VLANs, MACs on half the clients) and waits for the acks.
    Returns the batches."""
    sender = flow_batches.Sender(col.endpoint)
    sent = []
    try:
        for seq in range(1, batches + 1):
            b = flow_batches.make_batch(probe, 7, seq, records)
            sender.send(b)
            sent.append(b)
        sender.wait_acks(batches)
    finally:
        sender.close()
    return sent


def expected_hosts(batches):
    """(ip text, vlan) of every client and server in the batches."""
    import ipaddress
    hosts = set()
    for b in batches:
        for r in b.records:
            for raw in (r.client_ip, r.server_ip):
                hosts.add((str(ipaddress.ip_address(raw)), r.vlan))
    return hosts


def setup_accounts(col):
    """Changes admin's default password, creates a viewer and tokens.
    Returns (admin session client, viewer session client, admin token client,
    viewer token client)."""
    admin = col.client()
    r = admin.login("admin", "admin")
    assert r.status == 200 and r.json()["must_change_password"] is True, r
    r = admin.request("POST", "/api/v1/users/admin/password",
                      {"current_password": "admin", "new_password": NEW_ADMIN_PASSWORD})
    assert r.status == 200, r
    admin.take_session(r)
    r = admin.request("POST", "/api/v1/users", {"name": "viewer", "role": "viewer", "password": VIEWER_PASSWORD})
    assert r.status == 201, r
    viewer = col.client()
    r = viewer.login("viewer", VIEWER_PASSWORD)
    assert r.status == 200 and r.json()["role"] == "viewer", r
    r = admin.request("POST", "/api/v1/tokens", {"name": "admin-script"})
    assert r.status == 201, r
    admin_token = col.client()
    admin_token.token = r.json()["token"]
    # A viewer token: made by an admin for the viewer account is not possible
    # through the API (tokens carry their creator's role), so the viewer
    # scripts use the viewer's session; tokens of a demoted admin prove the
    # role is read at each use.
    r = admin.request("POST", "/api/v1/users", {"name": "scripter", "role": "admin", "password": "scripter-pass-1"})
    assert r.status == 201, r
    s = col.client()
    assert s.login("scripter", "scripter-pass-1").status == 200
    r = s.request("POST", "/api/v1/tokens", {"name": "t"})
    assert r.status == 201, r
    viewer_token = col.client()
    viewer_token.token = r.json()["token"]
    r = admin.request("PUT", "/api/v1/users/scripter", {"role": "viewer"})
    assert r.status == 200 and r.json()["role"] == "viewer", r
    return admin, viewer, admin_token, viewer_token


def concrete(path):
    """A route pattern with harmless values for its parameters."""
    return (path.replace("{ip}", "10.0.0.1").replace("{id}", "999999").replace("{name}", "nobody"))


def routes_of(openapi):
    out = []
    for path, ops in openapi["paths"].items():
        for method, op in ops.items():
            out.append({"method": method.upper(), "path": path, "role": op["x-wireflow-role"],
                        "changes": op["x-wireflow-changes-state"],
                        "before_change": op["x-wireflow-before-password-change"],
                        "query": [p["name"] for p in op["parameters"] if p["in"] == "query"]})
    return out

