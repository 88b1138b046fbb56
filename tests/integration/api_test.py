"""REST API over real HTTP against the real collector and PostgreSQL:
the OpenAPI document equals the routes the issue asks for; for every route,
401 without credentials, 403 password_change_required before the default
password is changed, 403 for viewers on changes, 400 for invalid parameters
and bodies (never 5xx); pagination and sorting; the resources themselves
(hosts from fed flows, pools CRUD with unassigned devices, tokens, users,
preferences, blacklists, /metrics); HTTPS with a certificate made by openssl."""
import os
import subprocess
import tempfile
import time

import api_support as S
import flow_batches
from harness import COLLECTOR, Cluster, check, require_built

# The routes of issue 7 (plus session, applications, tokens list/revoke,
# blacklist enable, users/{name}). (method, path, role, changes state).
EXPECTED = {
    ("POST", "/api/v1/login", "none", True), ("POST", "/api/v1/logout", "none", True),
    ("GET", "/api/v1/session", "viewer", False),
    ("GET", "/api/v1/status", "viewer", False), ("GET", "/api/v1/probes", "viewer", False),
    ("GET", "/api/v1/hosts", "viewer", False), ("GET", "/api/v1/hosts/{ip}", "viewer", False),
    ("GET", "/api/v1/flows", "viewer", False), ("GET", "/api/v1/applications", "viewer", False),
    ("GET", "/api/v1/pools", "viewer", False), ("POST", "/api/v1/pools", "admin", True),
    ("GET", "/api/v1/pools/{id}", "viewer", False), ("PUT", "/api/v1/pools/{id}", "admin", True),
    ("DELETE", "/api/v1/pools/{id}", "admin", True),
    ("POST", "/api/v1/pools/{id}/members", "admin", True), ("DELETE", "/api/v1/pools/{id}/members", "admin", True),
    ("GET", "/api/v1/devices/unassigned", "viewer", False),
    ("GET", "/api/v1/alerts", "viewer", False), ("POST", "/api/v1/alerts/{id}/ack", "admin", True),
    ("GET", "/api/v1/preferences", "viewer", False), ("PUT", "/api/v1/preferences", "admin", True),
    ("GET", "/api/v1/notifications", "admin", False), ("POST", "/api/v1/notifications/{name}/test", "admin", True),
    ("GET", "/api/v1/blacklists", "viewer", False), ("POST", "/api/v1/blacklists/reload", "admin", True),
    ("PUT", "/api/v1/blacklists/{name}", "admin", True),
    ("GET", "/api/v1/timeseries", "viewer", False),
    ("GET", "/api/v1/users", "admin", False), ("POST", "/api/v1/users", "admin", True),
    ("PUT", "/api/v1/users/{name}", "admin", True), ("DELETE", "/api/v1/users/{name}", "admin", True),
    ("POST", "/api/v1/users/{name}/password", "viewer", True),
    ("GET", "/api/v1/tokens", "admin", False), ("POST", "/api/v1/tokens", "admin", True),
    ("DELETE", "/api/v1/tokens/{id}", "admin", True),
    ("GET", "/api/v1/openapi.json", "none", False), ("GET", "/metrics", "viewer", False),
}
BEFORE_CHANGE = {("POST", "/api/v1/login"), ("POST", "/api/v1/logout"), ("GET", "/api/v1/session"),
                 ("POST", "/api/v1/users/{name}/password")}

# Invalid values per query parameter: each must give 400.
BAD_QUERY = {
    "limit": ["-1", "0", "1001", "abc", "1e3", ""], "offset": ["-5", "x", "99999999999"],
    "sort": ["nope", "bytes;drop"], "order": ["sideways", ""], "pool": ["-1", "x"], "local": ["maybe"],
    "vlan": ["4096", "-1", "x"], "from": ["yesterday", "-1", "2024-13-01T00:00:00Z"],
    "to": ["tomorrow", "2024-01-01"], "host": ["10.0.0.256", "not-an-ip", "10.0.0.0/8"],
    "port": ["65536", "-1", "http"], "protocol": ["256", "tcp"], "blacklisted": ["perhaps"],
    "severity": ["loud"], "state": ["sleeping"], "acknowledged": ["2"], "step": ["59", "x"],
    "metric": ["", "Bytes;DROP"], "scope": ["galaxy"], "window_s": ["1", "x"], "q": ["x" * 200],
    "type": ["x" * 100], "entity_type": ["x" * 100], "entity_id": ["x" * 300], "app": ["x" * 100],
    "member": ["x" * 200], "id": ["x" * 200],
    "ja3": ["", "e7d705a3286e19ea42f587b344ee686", "e7d705a3286e19ea42f587b344ee68650", "g" * 32,
            "' OR '1'='1' --aaaaaaaaaaaaaaaaaaa"],
}
# Some parameters are only checked together with others.
NEEDS = {"/api/v1/timeseries": "metric=bytes&scope=global&", "/api/v1/flows": ""}


def main():
    require_built(COLLECTOR)
    with Cluster() as pg:
        col = S.ApiCollector(pg.create_database("wfapi")).start()
        try:
            run(col)
        except BaseException:
            print(col.log_text()[-4000:])
            raise
        finally:
            col.stop_clean()
        tls_check(pg)
        idle_and_disabled_login_check(pg)
    print("api_test: ok")


def run(col):
    anon = col.client()
    routes = routes_of_server(anon)
    got = {(r["method"], r["path"], r["role"], r["changes"]) for r in routes}
    check(got == EXPECTED, f"OpenAPI differs from the expected routes:\n extra {got - EXPECTED}\n missing {EXPECTED - got}")
    check({(r["method"], r["path"]) for r in routes if r["before_change"]} == BEFORE_CHANGE, "before-change set")

    # 1. Without credentials: 401 on every route that needs a role.
    for r in routes:
        if r["role"] == "none":
            continue
        res = anon.request(r["method"], S.concrete(r["path"]), body={} if r["changes"] else None)
        check(res.status == 401 and res.json()["error"] == "unauthorized", f"anonymous {r}: {res}")

    # 2. Default password: 403 password_change_required everywhere else.
    admin0 = col.client()
    check(admin0.login("admin", "admin").status == 200, "default login")
    for r in routes:
        if r["role"] == "none" or (r["method"], r["path"]) in BEFORE_CHANGE:
            continue
        res = admin0.request(r["method"], S.concrete(r["path"]), body={} if r["changes"] else None)
        check(res.status == 403 and res.json()["error"] == "password_change_required", f"default password {r}: {res}")
    s = admin0.get("/api/v1/session")
    check(s.status == 200 and s.json()["must_change_password"] is True, f"session before change: {s}")
    weak = admin0.request("POST", "/api/v1/users/admin/password", {"current_password": "admin", "new_password": "short"})
    check(weak.status == 400 and weak.json()["error"] == "weak_password", f"weak password: {weak}")
    wrong = admin0.request("POST", "/api/v1/users/admin/password", {"current_password": "nope", "new_password": "long enough 1"})
    check(wrong.status == 403, f"wrong current password: {wrong}")

    admin, viewer, admin_token, viewer_token = S.setup_accounts(col)
    # The session used before the change ended with it.
    check(admin0.get("/api/v1/session").status == 401, "old session survives a password change")

    batches = S.feed(col)
    # Records with TLS and HTTP details (FlowRecord 47-49), one batch more.
    details = flow_batches.make_details_batch("probe-api", 7, len(batches) + 1)
    sender = flow_batches.Sender(col.endpoint)
    try:
        sender.send(details)
        ack = sender.wait_acks(1)[0]
        check(flow_batches.status_name(ack.status) == "STATUS_STORED", f"details batch: {ack}")
    finally:
        sender.close()
    batches.append(details)
    want_hosts = S.expected_hosts(batches)
    deadline = time.monotonic() + 20
    while admin.get("/api/v1/hosts?limit=1").json()["total"] < len(want_hosts) and time.monotonic() < deadline:
        time.sleep(0.1)

    # 3. Viewers: 403 forbidden on every admin route, allowed on the others.
    for r in routes:
        if r["role"] == "none":
            continue  # login/logout would end the viewer's session
        for who in (viewer, viewer_token):
            res = who.request(r["method"], S.concrete(r["path"]), body={} if r["changes"] else None)
            if r["role"] == "admin":
                check(res.status == 403 and res.json()["error"] == "forbidden", f"viewer on {r}: {res}")
            else:
                check(res.status < 500 and res.status != 403 and res.status != 401, f"viewer on {r}: {res}")

    # 4. Validation: bad query values, unknown parameters, bad bodies: 400 (never 5xx).
    for r in routes:
        base = S.concrete(r["path"])
        prefix = NEEDS.get(r["path"], "")
        res = admin.request(r["method"], base + "?" + prefix + "bogus=1", body={} if r["changes"] else None)
        check(res.status == 400 and res.json()["error"] == "unknown_parameter", f"unknown parameter on {r}: {res}")
        for q in r["query"]:
            for bad in BAD_QUERY.get(q, []):
                from urllib.parse import quote
                res = admin.request(r["method"], f"{base}?{prefix.replace(q + '=', 'x' + q + '=') if q in ('metric', 'scope') else prefix}{q}={quote(bad)}",
                                    body={} if r["changes"] else None)
                check(res.status == 400, f"{r['method']} {r['path']} {q}={bad!r}: {res}")
        if r["changes"] and r["role"] != "none":
            for raw in (b"{", b"[1,2]", b"null", b'{"a":', b"\xff\xfe", b"1" * 5000, b"[" * 5000 + b"]" * 5000):
                res = admin.request(r["method"], base, raw=raw)
                check(400 <= res.status < 500, f"malformed body on {r}: {raw[:20]!r} -> {res}")
            status = S.oversized(col.http_port, admin, r["method"], base)
            check(status == 413, f"oversized body on {r}: {status}")
    for path, body in [("/api/v1/pools", {"name": 5}), ("/api/v1/pools", {"name": "p", "members": "x"}),
                       ("/api/v1/pools", {"name": "p", "extra": 1}), ("/api/v1/users", {"name": "a b", "password": "12345678"}),
                       ("/api/v1/users", {"name": "ok", "role": "root", "password": "12345678"}),
                       ("/api/v1/tokens", {"name": ""}), ("/api/v1/tokens", {"name": "t", "expires_days": -1}),
                       ("/api/v1/pools", {"name": "bad-members", "members": ["10.0.0.0/33"]}),
                       ("/api/v1/pools", {"name": "bad-members", "members": ["zz:zz"]})]:
        res = admin.request("POST", path, body)
        check(res.status == 400, f"POST {path} {body}: {res}")
    check(admin.request("PUT", "/api/v1/preferences", {"enabled": "yes"}).status == 400, "preferences type")
    check(admin.request("PUT", "/api/v1/preferences", {"checks": {"syn_scan": {"threshold": -1}}}).status == 400, "negative threshold")
    check(admin.get("/api/v1/hosts/999.1.1.1").status == 400, "bad host ip")
    check(admin.get("/api/v1/pools/abc").status == 400, "bad pool id")
    check(admin.get("/api/v1/pools/999999").status == 404, "unknown pool")
    check(admin.request("POST", "/api/v1/alerts/x/ack").status == 400, "bad alert id")
    check(admin.request("POST", "/api/v1/alerts/123456/ack").status == 404, "unknown alert")

    # 5. Hosts: every fed host, the fields, pagination and sorting.
    hosts = admin.get("/api/v1/hosts?limit=1000").json()
    check(hosts["total"] == len(want_hosts), f"hosts total {hosts['total']} != {len(want_hosts)}")
    got_hosts = {(h["ip"], h["vlan"]) for h in hosts["items"]}
    check(got_hosts == want_hosts, f"hosts differ from the fed flows: {sorted(got_hosts - want_hosts)[:5]} {sorted(want_hosts - got_hosts)[:5]}")
    for field in ("ip", "vlan", "mac", "local", "pool_id", "bytes_sent", "bytes_rcvd", "packets_sent", "packets_rcvd",
                  "flows_as_client", "flows_as_server", "first_seen", "last_seen", "blacklisted"):
        check(field in hosts["items"][0], f"host field {field}")
    for key, value in (("bytes", lambda h: h["bytes_sent"] + h["bytes_rcvd"]),
                       ("packets", lambda h: h["packets_sent"] + h["packets_rcvd"]),
                       ("flows", lambda h: h["flows_as_client"] + h["flows_as_server"]),
                       ("last_seen", lambda h: h["last_seen"]), ("bytes_sent", lambda h: h["bytes_sent"])):
        for order in ("asc", "desc"):
            pages, offset = [], 0
            while True:
                page = admin.get(f"/api/v1/hosts?sort={key}&order={order}&limit=37&offset={offset}").json()
                check(page["total"] == len(want_hosts), "total changes across pages")
                pages += page["items"]
                offset += 37
                if offset >= page["total"]:
                    break
            vals = [value(h) for h in pages]
            check(vals == sorted(vals, reverse=(order == "desc")), f"hosts not sorted by {key} {order}")
            check(len({(h["ip"], h["vlan"]) for h in pages}) == len(want_hosts), f"pages overlap ({key} {order})")
    local = admin.get("/api/v1/hosts?local=true&limit=1000").json()
    check(local["total"] > 0 and all(h["local"] for h in local["items"]), "local filter")
    remote = admin.get("/api/v1/hosts?local=false&limit=1").json()
    check(local["total"] + remote["total"] == len(want_hosts), "local + remote = all")
    one = hosts["items"][0]
    q = admin.get(f"/api/v1/hosts?q={one['ip']}&limit=1000").json()
    check(any(h["ip"] == one["ip"] for h in q["items"]), "q filter")
    detail = admin.get(f"/api/v1/hosts/{one['ip']}?vlan={one['vlan']}")
    check(detail.status == 200, f"host detail: {detail}")
    d = detail.json()
    check(d["ip"] == one["ip"] and d["recent_flows"] and d["top_peers"] and "applications" in d, f"host detail content {d}")
    check(admin.get("/api/v1/hosts/203.0.113.250").status == 404, "unknown host")

    # 6. Flows: live (just received) and historical; pagination and sort.
    total_records = sum(len(b.records) for b in batches)
    live = admin.get("/api/v1/flows?limit=1000").json()
    check(live["total"] == total_records, f"live flows {live['total']} != {total_records}")
    # The generated flows start at 1700000000 (flow_batches); a range spans at most 31 days.
    hist = admin.get("/api/v1/flows?from=1699990000&to=1700090000&sort=bytes&order=desc&limit=50").json()
    vals = [f["c2s_bytes"] + f["s2c_bytes"] for f in hist["items"]]
    check(hist["total"] == total_records and vals == sorted(vals, reverse=True), "historical flows sorted by bytes")
    page2 = admin.get("/api/v1/flows?from=1699990000&to=1700090000&sort=bytes&order=desc&limit=50&offset=50").json()
    check(not ({f["flow_id"] for f in page2["items"]} & {f["flow_id"] for f in hist["items"]}), "flow pages overlap")
    none = admin.get("/api/v1/flows?from=0&to=1").json()
    check(none["total"] == 0, "empty time range")
    by_port = admin.get("/api/v1/flows?port=443&limit=1000").json()
    check(by_port["items"] and all(443 in (f["client_port"], f["server_port"]) for f in by_port["items"]), "port filter")
    by_host = admin.get(f"/api/v1/flows?host={one['ip']}&limit=1000").json()
    check(by_host["items"] and all(one["ip"] in (f["client_ip"], f["server_ip"]) for f in by_host["items"]), "host filter")
    dns = admin.get("/api/v1/flows?app=dns&limit=1000").json()
    check(dns["items"] and all(f["app"] == "DNS" for f in dns["items"]), "app filter")
    check(admin.get("/api/v1/flows?blacklisted=true").json()["total"] == 0, "nothing blacklisted")
    details_check(admin, details)
    apps = admin.get("/api/v1/applications?limit=2").json()
    check(apps["total"] == 4 and len(apps["items"]) == 2 and apps["items"][0]["bytes"] >= apps["items"][1]["bytes"], f"applications {apps}")

    # 7. Pools: create, assign an unassigned device, rename, remove, delete.
    devices = admin.get("/api/v1/devices/unassigned?limit=1000").json()
    check(devices["total"] > 0, "unassigned devices")
    mac = next(d["mac"] for d in devices["items"] if d["mac"])
    # The generated MACs are random: the U/L bit says locally administered,
    # and such a MAC has no IEEE maker.
    with_mac = [d for d in devices["items"] if d["mac"]]
    check(all(d["locally_administered"] is bool(int(d["mac"][:2], 16) & 0x02) and "name" in d and "vendor" in d and
              (d["vendor"] is None or not d["locally_administered"]) for d in with_mac),
          f"device vendor fields: {with_mac[:2]}")
    created = admin.request("POST", "/api/v1/pools", {"name": "office"})
    check(created.status == 201, f"create pool {created}")
    pid = created.json()["id"]
    check(admin.request("POST", "/api/v1/pools", {"name": "office"}).status == 409, "duplicate pool name")
    added = admin.request("POST", f"/api/v1/pools/{pid}/members", {"member": mac})
    check(added.status == 200 and mac in added.json()["members"], f"add member {added}")
    after = admin.get("/api/v1/devices/unassigned?limit=1000").json()
    check(all(d["mac"] != mac for d in after["items"]), "assigned device still unassigned")
    pooled = admin.get(f"/api/v1/hosts?pool={pid}&limit=1000").json()
    check(pooled["total"] > 0 and all(h["pool_id"] == pid for h in pooled["items"]), "pool filter on hosts")
    check(admin.get(f"/api/v1/pools/{pid}").json()["hosts"] == pooled["total"], "pool host count")
    check(admin.request("PUT", f"/api/v1/pools/{pid}", {"name": "office-2"}).json()["name"] == "office-2", "rename")
    rm = admin.request("DELETE", f"/api/v1/pools/{pid}/members?member={mac}")
    check(rm.status == 200 and rm.json()["members"] == [], f"remove member {rm}")
    check(admin.request("DELETE", f"/api/v1/pools/{pid}").status == 200, "delete pool")
    check(admin.get(f"/api/v1/pools/{pid}").status == 404, "deleted pool")
    check(viewer.get("/api/v1/pools").json()["total"] == 1, "only the unassigned entry remains")

    # 8. Users and tokens.
    users = admin.get("/api/v1/users").json()
    check({u["name"] for u in users["items"]} == {"admin", "viewer", "scripter"}, f"users {users}")
    check(b"argon2" not in admin.get("/api/v1/users").body, "password hashes leak")
    check(admin.request("POST", "/api/v1/users", {"name": "viewer", "password": "12345678"}).status == 409, "duplicate user")
    check(admin.request("PUT", "/api/v1/users/admin", {"role": "viewer"}).status == 409, "last admin demoted")
    check(admin.request("DELETE", "/api/v1/users/admin").status == 409, "last admin deleted")
    check(viewer.request("POST", "/api/v1/users/admin/password", {"new_password": "12345678x"}).status == 403,
          "viewer changes admin's password")
    check(admin_token.get("/api/v1/status").status == 200, "bearer token")
    check(admin_token.request("POST", "/api/v1/pools", {"name": "by-token"}, csrf=False).status == 201,
          "bearer needs no CSRF token")
    tokens = admin.get("/api/v1/tokens").json()
    check(tokens["total"] == 2 and all("token" not in t for t in tokens["items"]), f"tokens {tokens}")
    tid = next(t["id"] for t in tokens["items"] if t["name"] == "admin-script")
    check(admin.request("DELETE", f"/api/v1/tokens/{tid}").status == 200, "revoke")
    check(admin_token.get("/api/v1/status").status == 401, "revoked token still works")
    check(admin.request("PUT", "/api/v1/users/viewer", {"disabled": True}).status == 200, "disable user")
    check(viewer.get("/api/v1/status").status == 401, "disabled user's session still works")

    # 9. Preferences, alerts, blacklists, time series, status, probes, metrics.
    prefs = admin.get("/api/v1/preferences").json()
    check(prefs["enabled"] is False, "alerts off by default")
    put = admin.request("PUT", "/api/v1/preferences", {"enabled": True})
    check(put.status == 200 and admin.get("/api/v1/preferences").json()["enabled"] is True, f"enable alerts {put}")
    al = admin.get("/api/v1/alerts?limit=5&state=engaged&severity=warning&from=0&to=4102444800").json()
    check("total" in al and "items" in al, "alerts list shape")
    check(admin.get("/api/v1/alerts?from=10&to=5").status == 400, "alerts from after to")
    bl = admin.get("/api/v1/blacklists").json()
    check(bl["total"] >= 1 and all("enabled" in b for b in bl["items"]) and bl["nft_error"] == "", "blacklists")
    name = bl["items"][0]["name"]
    check(admin.request("PUT", f"/api/v1/blacklists/{name}", {"enabled": False}).json()["enabled"] is False, "disable list")
    check(admin.request("PUT", "/api/v1/blacklists/no-such-list", {"enabled": True}).status == 404, "unknown list")
    rel = admin.request("POST", "/api/v1/blacklists/reload")
    check(rel.status in (202, 409), f"reload {rel}")
    ts = admin.get("/api/v1/timeseries?metric=bytes&scope=global&step=60").json()
    check(ts["step"] == 60 and "items" in ts, "timeseries shape")
    st = admin.get("/api/v1/status").json()
    check(st["records_stored"] == total_records and st["hosts"] == len(want_hosts) and st["db_up"], f"status {st}")
    check(admin.get("/api/v1/probes").json()["total"] == 0, "no probe stats sent")
    m = admin.get("/metrics")
    check(m.status == 200 and m.header("Content-Type").startswith("text/plain; version=0.0.4"), "metrics type")
    check(f"wireflow_records_stored_total {total_records}\n".encode() in m.body, "metrics value")
    check(b"# TYPE wireflow_hosts gauge" in m.body, "metrics TYPE lines")

    # 10. Security headers on API and static responses; logout.
    for res in (admin.get("/api/v1/status"), anon.get("/"), anon.get("/api/v1/nothing")):
        check(res.header("Content-Security-Policy") ==
              "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
              f"CSP on {res}")
        check(res.header("X-Content-Type-Options") == "nosniff" and res.header("Referrer-Policy") == "no-referrer", "headers")
    check(anon.get("/").header("Content-Type").startswith("text/html"), "index content type")
    out = admin.request("POST", "/api/v1/logout")
    check(out.status == 200 and "Max-Age=0" in out.header("Set-Cookie"), f"logout {out}")
    check(admin.get("/api/v1/status").status == 401, "session after logout")


def details_check(admin, details):
    """TLS and HTTP details and nDPI's confidence read back as the flow JSON
    shows them; the ja3 filter matches the client's JA3 or the server's JA3S."""
    tls_id, http_id, plain_id = (str(r.flow_id) for r in details.records)
    fb = flow_batches
    by_ja3 = admin.get(f"/api/v1/flows?ja3={fb.JA3_CLIENT}&limit=1000")
    check(by_ja3.status == 200 and [f["flow_id"] for f in by_ja3.json()["items"]] == [tls_id], f"ja3 filter: {by_ja3}")
    upper = admin.get(f"/api/v1/flows?ja3={fb.JA3_SERVER.upper()}&limit=1000").json()
    check([f["flow_id"] for f in upper["items"]] == [tls_id], f"ja3 filter on the server's JA3S, upper case: {upper}")
    check(admin.get("/api/v1/flows?ja3=" + "0" * 32).json()["total"] == 0, "ja3 filter without a match")
    hist = admin.get(f"/api/v1/flows?ja3={fb.JA3_CLIENT}&from=1699990000&to=1700090000").json()
    check(hist["total"] == 1, f"ja3 filter with a time range: {hist}")
    bad = admin.get("/api/v1/flows?ja3=not-a-fingerprint")
    check(bad.status == 400 and bad.json()["error"] == "bad_parameter", f"bad ja3: {bad}")

    items = {f["flow_id"]: f for f in admin.get("/api/v1/flows?limit=1000").json()["items"]}
    t = items[tls_id]
    check(t["dpi_confidence"] == "dpi", f"confidence {t['dpi_confidence']}")
    check(t["tls"] == {"version": "TLSv1.3", "version_code": 0x0304, "ja3_client": fb.JA3_CLIENT,
                       "ja3_server": fb.JA3_SERVER, "alpn": "h2,http/1.1",
                       "certificate": {"subject": fb.HOSTILE_SUBJECT, "issuer": "C=US, O=Let's Encrypt, CN=R3",
                                       "not_before": 1_690_000_000, "not_after": 1_697_776_000,
                                       "sha1": fb.CERT_SHA1.hex()}}, f"tls {t['tls']}")
    check(t["http"] is None, "tls flow without http")
    h = items[http_id]
    check(h["dpi_confidence"] == "match_by_port" and h["tls"] is None, f"http flow {h}")
    check(h["http"] == {"method": "GET", "url": "www.example.com/search?q=<script>alert(1)</script>",
                        "user_agent": "Mozilla/5.0 \"quoted\" \u20ac", "response_code": 404}, f"http {h['http']}")
    p = items[plain_id]
    check(p["dpi_confidence"] is None and p["tls"] is None and p["http"] is None, f"flow without details {p}")
    # One shape: every flow has the three keys, with or without details.
    check(all({"dpi_confidence", "tls", "http"} <= set(f) for f in items.values()), "every flow has the detail keys")


def routes_of_server(client):
    r = client.get("/api/v1/openapi.json")
    check(r.status == 200, f"openapi {r}")
    return S.routes_of(r.json())


def tls_check(pg):
    tmp = tempfile.mkdtemp(prefix="wf-tls-")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    col = S.ApiCollector(pg.create_database("wfapitls"), tls=(cert, key)).start()
    try:
        c = col.client()
        r = c.login("admin", "admin")
        check(r.status == 200, f"login over TLS {r}")
        cookie = r.header("Set-Cookie")
        check("; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie, f"cookie {cookie}")
        # The __Host- prefix: no sibling subdomain or plain-HTTP page can plant one.
        check(cookie.startswith("__Host-wf_session=") and "Path=/;" in cookie and "Domain" not in cookie, f"cookie {cookie}")
        check(c.get("/api/v1/session").status == 200, "session over TLS")
        # Plain HTTP to the TLS port gets no API answer.
        status, _ = S.raw_request(col.http_port, b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        check(status is None, "plain HTTP answered on the TLS port")
    except BaseException:
        print(col.log_text()[-3000:])
        raise
    finally:
        col.stop_clean()


def idle_and_disabled_login_check(pg):
    col = S.ApiCollector(pg.create_database("wfapiidle"), extra=["--session-idle-s=10"]).start()
    try:
        c = col.client()
        check(c.login("admin", "admin").status == 200, "login")
        time.sleep(5)
        check(c.get("/api/v1/session").status == 200, "session used within the idle time")
        time.sleep(7)  # 12 s after login, 7 s after the last use
        check(c.get("/api/v1/session").status == 200, "use does not extend the session")
        time.sleep(11)
        check(c.get("/api/v1/session").status == 401, "session idle for 11 s with --session-idle-s=10")
    finally:
        col.stop_clean()
    # Sessions live in PostgreSQL: a collector restart keeps them.
    dsn = pg.create_database("wfapirestart")
    col = S.ApiCollector(dsn).start()
    c = col.client()
    try:
        check(c.login("admin", "admin").status == 200, "login before restart")
    finally:
        col.stop_clean()
    col = S.ApiCollector(dsn)
    col.http_port = c.port
    col.start(fresh=False)
    try:
        deadline = time.monotonic() + 10
        while c.get("/api/v1/session").status != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        check(c.get("/api/v1/session").status == 200, "session lost at restart")
    finally:
        col.stop_clean()
    col = S.ApiCollector(pg.create_database("wfapinologin"), extra=["--disable-login"]).start()
    try:
        check("WARNING: --disable-login" in col.log_text(), "no warning for --disable-login")
        anon = col.client()
        r = anon.get("/api/v1/session")
        check(r.status == 200 and r.json()["role"] == "admin" and r.json()["login_disabled"], f"disabled login {r}")
        check(anon.request("POST", "/api/v1/pools", {"name": "lab"}).status == 201, "change without login")
        r = anon.request("POST", "/api/v1/pools", {"name": "x"}, headers={"Origin": "http://evil.example"})
        check(r.status == 403, f"cross-origin refused even without login: {r}")
    finally:
        col.stop_clean()


if __name__ == "__main__":
    main()
