"""Suites of tests/console_suite.py: the protocol as the spec writes it (spec), the
example session of spec §8 (session), permissions (deny) and container consoles
(containers)."""
import base64
import os
import time

from console_testlib import (Client, Closed, b64, daemon_fds, log_wait, served,
                             start_req)

SUITES = {}


def suite(fn):
    SUITES[fn.__name__] = fn
    return fn


def is_exit(cid, status=None):
    def pred(n):
        return isinstance(n, dict) and "exit" in n and n["exit"][0] == cid and \
            (status is None or n["exit"][1] == status)
    return pred


def err_of(result):
    """The error variant name of an error result."""
    e = result["error"]["error"]
    return next(iter(e)) if isinstance(e, dict) else e


# --- spec ------------------------------------------------------------------------------
@suite
def spec(t):
    T = os.environ["T"]
    sub = Client(subscribe=True)
    c = Client()
    t.eq("ident: extern:0.0.0", c.request("ident"), {"ident": "extern:0.0.0"})
    t.eq("list: empty", c.request("list"), {"list": []})
    t.eq("repositories: the configured ids", sorted(c.request("repositories")["repositories"]),
         ["default", "mem"])
    t.eq("mount: an empty list gives []", c.request({"mount": {"containers": []}}), {"mount": []})

    def install(npk, repo, size=None):
        data = open(npk, "rb").read()
        req = {"install": {"repository": repo, "size": len(data) if size is None else size}}
        c.send({"request": req})
        c.sock.sendall(data)
        return c.response(req, timeout=30)

    names = ["app", "sleeper", "res", "user", "needs", "failexec"]
    for n in names:
        r = install("%s/%s-0.0.1.npk" % (T, n), "default")
        t.eq("install %s: ok" % n, r, {"install": {"ok": {"container": n + ":0.0.1"}}})
        t.eq("install %s: the notification" % n, sub.notification(), {"install": n + ":0.0.1"})
    r = install(T + "/sleeper-0.0.2.npk", "mem")
    t.eq("install into mem: ok", r, {"install": {"ok": {"container": "sleeper:0.0.2"}}})
    sub.notification()
    r = install(T + "/app-0.0.1.npk", "mem")
    t.eq("install: install_duplicate, no container field", r,
         {"install": {"error": {"error": {"install_duplicate": {"container": "app:0.0.1"}}}}})
    r = install(T + "/app-0.0.1.npk", "nope")
    t.eq("install: invalid_repository", r,
         {"install": {"error": {"error": {"invalid_repository": {"repository": "nope"}}}}})
    with open(T + "/junk.npk", "wb") as f:
        f.write(b"this is no zip" * 100)
    r = install(T + "/junk.npk", "default")
    t.ok("install: a bad NPK is unexpected", "unexpected" in r["install"]["error"]["error"], r)
    t.eq("list: every container", sorted(c.request("list")["list"]),
         sorted(["%s:0.0.1" % n for n in names] + ["sleeper:0.0.2"]))

    # inspect
    r = c.request({"inspect": {"container": "app:0.0.1"}})["inspect"]["ok"]
    t.eq("inspect: not running, not mounted", (r["data"]["process"], r["data"]["mounted"],
                                               r["data"]["repository"]), (None, False, "default"))
    t.eq("inspect: the manifest", (r["data"]["manifest"]["name"], r["data"]["manifest"]["init"]),
         ("app", "/bin/sh"))
    t.eq("inspect: invalid_container", c.request({"inspect": {"container": "nope:1.0.0"}}),
         {"inspect": {"error": {"container": "nope:1.0.0",
                                "error": {"invalid_container": {"container": "nope:1.0.0"}}}}})
    c.send({"request": {"inspect": {"container": "app:0.0.1-rc1"}}})
    t.eq("inspect: a pre-release suffix is dropped",
         c.response()["inspect"]["ok"]["container"], "app:0.0.1")

    # mount and umount: results in request order
    req = {"mount": {"containers": ["app:0.0.1", "nope:0.0.1", "app:0.0.1"]}}
    t.eq("mount: ok, unknown, already mounted", c.request(req), {"mount": [
        {"ok": {"container": "app:0.0.1"}},
        {"error": {"container": "nope:0.0.1", "error": {"invalid_container": {"container": "nope:0.0.1"}}}},
        {"error": {"container": "app:0.0.1", "error": {"invalid_container": {"container": "app:0.0.1"}}}}]})
    req = {"umount": {"containers": ["app:0.0.1", "nope:0.0.1", "res:0.0.1"]}}
    t.eq("umount: ok, unknown, not mounted (umount_busy)", c.request(req), {"umount": [
        {"ok": {"container": "app:0.0.1"}},
        {"error": {"container": "nope:0.0.1", "error": {"invalid_container": {"container": "nope:0.0.1"}}}},
        {"error": {"container": "res:0.0.1", "error": {"umount_busy": {"container": "res:0.0.1"}}}}]})

    # start and the notifications
    t.eq("start: ok", c.request(start_req("app:0.0.1")), {"start": {"ok": {"container": "app:0.0.1"}}})
    t.eq("started notification", sub.notification(), {"started": "app:0.0.1"})
    t.eq("exit notification: code 0", sub.notification(),
         {"exit": ["app:0.0.1", {"exit": {"code": 0}}]})
    r = c.request(start_req("app:0.0.1", "/bin/sh", ["-c", "exit 7"], {"X": "1"}))
    t.eq("start with init, arguments and environment", r, {"start": {"ok": {"container": "app:0.0.1"}}})
    sub.notification()
    t.eq("exit notification: code 7", sub.notification(), {"exit": ["app:0.0.1", {"exit": {"code": 7}}]})
    t.eq("start sleeper: ok", c.request(start_req("sleeper:0.0.1")),
         {"start": {"ok": {"container": "sleeper:0.0.1"}}})
    sub.notification()
    d = c.request({"inspect": {"container": "sleeper:0.0.1"}})["inspect"]["ok"]["data"]
    t.ok("inspect: running, with pid, uptime and statistics",
         d["mounted"] and d["process"]["pid"] > 1 and d["process"]["uptime"] > 0 and
         isinstance(d["process"]["statistics"], dict), d)

    def start_error(name, cid, want, **kw):
        r = c.request(start_req(cid, **kw))["start"]
        t.ok("start: " + name, "error" in r and err_of(r) == want.split(":")[0], r)
        return r

    r = start_error("another version runs: start_container_started", "sleeper:0.0.2",
                    "start_container_started")
    t.eq("start_container_started names the running one",
         r["error"]["error"]["start_container_started"]["container"], "sleeper:0.0.1")
    start_error("a resource: start_container_resource", "res:0.0.1", "start_container_resource")
    r = start_error("missing resource: start_container_missing_resource", "needs:0.0.1",
                    "start_container_missing_resource")
    t.eq("missing resource: name and requirement",
         r["error"]["error"]["start_container_missing_resource"],
         {"container": "needs:0.0.1", "resource": "nothere", "version": ">=1.0.0"})
    start_error("a reserved variable: invalid_arguments", "app:0.0.1", "invalid_arguments",
                env={"NORTHSTAR_NAME": "x"})
    start_error("65 environment variables: invalid_arguments (P-C3)", "app:0.0.1",
                "invalid_arguments", env={"V%d" % i: "x" for i in range(65)})
    start_error("an environment name of 65 bytes: invalid_arguments", "app:0.0.1",
                "invalid_arguments", env={"N" * 65: "x"})
    start_error("an environment value of 1025 bytes: invalid_arguments", "app:0.0.1",
                "invalid_arguments", env={"N": "x" * 1025})
    start_error("a key with '=': invalid_arguments", "app:0.0.1", "invalid_arguments",
                env={"A=B": "x"})
    start_error("NORTHSTAR_CONSOLE: invalid_arguments", "app:0.0.1", "invalid_arguments",
                env={"NORTHSTAR_CONSOLE": "3"})
    start_error("exec failure: start_container_failed", "failexec:0.0.1", "start_container_failed")
    start_error("unknown: invalid_container", "nope:0.0.1", "invalid_container")

    # umount and uninstall of what is busy
    t.eq("start user (mounts res)", c.request(start_req("user:0.0.1")),
         {"start": {"ok": {"container": "user:0.0.1"}}})
    sub.notification()
    t.eq("umount of a resource in use: umount_busy naming the user",
         c.request({"umount": {"containers": ["res:0.0.1"]}}),
         {"umount": [{"error": {"container": "res:0.0.1",
                                "error": {"umount_busy": {"container": "user:0.0.1"}}}}]})
    r = c.request({"uninstall": {"container": "sleeper:0.0.1", "wipe": False}})["uninstall"]
    t.ok("uninstall while running: umount_busy", err_of(r) == "umount_busy", r)

    # kill
    for cid in ("sleeper:0.0.1", "user:0.0.1"):
        r = c.request({"kill": {"container": cid, "signal": 0}})["kill"]
        t.eq("kill signal 0: unexpected EINVAL (%s)" % cid, r["error"]["error"],
             {"unexpected": {"error": "EINVAL: Invalid argument"}})
        t.eq("kill 15: ok", c.request({"kill": {"container": cid, "signal": 15}}),
             {"kill": {"ok": {"container": cid}}})
        t.eq("exit notification: signalled 15",
             sub.wait_note(is_exit(cid)), {"exit": [cid, {"signalled": {"signal": 15}}]})
    r = c.request({"kill": {"container": "sleeper:0.0.1", "signal": 15}})["kill"]
    t.eq("kill when stopped: stop_container_not_started", r["error"]["error"],
         {"stop_container_not_started": {"container": "sleeper:0.0.1"}})
    r = c.request({"kill": {"container": "nope:0.0.1", "signal": 15}})["kill"]
    t.ok("kill unknown: invalid_container", err_of(r) == "invalid_container", r)

    # uninstall
    r = c.request({"uninstall": {"container": "nope:0.0.1", "wipe": False}})["uninstall"]
    t.ok("uninstall unknown: invalid_container", err_of(r) == "invalid_container", r)
    t.eq("uninstall: ok", c.request({"uninstall": {"container": "sleeper:0.0.2", "wipe": True}}),
         {"uninstall": {"ok": {"container": "sleeper:0.0.2"}}})
    t.eq("uninstall notification", sub.notification(), {"uninstall": "sleeper:0.0.2"})

    tokens(t, c)
    t.eq("unknown keys are ignored",
         (c.send('{"request":{"kill":{"container":"app:0.0.1","signal":15,"x":[1]}},"y":2}'),
          err_of(c.response()["kill"]))[1], "stop_container_not_started")
    c.send('{"request":"ident"}\r')
    t.eq("CRLF framing", c.response(), {"ident": "extern:0.0.0"})
    t.eq("shutdown: the answer", c.request("shutdown"), "shutdown")
    t.eq("shutdown: the notification (which Northstar never sends)", sub.notification(), "shutdown")
    t.ok("shutdown: then the connections close", c.closed_silently() and sub.closed_silently())


def tokens(t, c):
    """P-C4, on the global console (user and target extern); validity 2 s here."""
    tok = c.request({"token_create": {"target": "extern", "shared": b64("hello!")}})["token"]
    raw = base64.b64decode(tok)
    t.eq("token: 40 bytes", len(raw), 40)

    def verify(token, user="extern", shared="hello!"):
        req = {"token_verify": {"token": token, "user": user, "shared": b64(shared)}}
        return c.request(req)["token_verification"]

    t.eq("token: fresh is Ok", verify(tok), "Ok")
    t.eq("token: wrong shared value is Invalid", verify(tok, shared="hello?"), "Invalid")
    t.eq("token: wrong user is Invalid", verify(tok, user="someone"), "Invalid")
    flipped = raw[:20] + bytes([raw[20] ^ 1]) + raw[21:]
    t.eq("token: a flipped MAC byte is Invalid", verify(b64(flipped)), "Invalid")
    future = (1 << 40).to_bytes(8, "big") + raw[8:]
    t.eq("token: future-dated is Future", verify(b64(future)), "Future")
    other = c.request({"token_create": {"target": "token-server", "shared": b64("hello!")}})["token"]
    t.eq("token: made for another target is Invalid here", verify(other), "Invalid")
    empty = c.request({"token_create": {"target": "extern", "shared": ""}})["token"]
    t.eq("token: an empty shared value works", verify(empty, shared=""), "Ok")
    time.sleep(3.2)  # token_validity: 2s
    t.eq("token: expired after token_validity", verify(tok), "Expired")


# --- the example session of spec §8 -------------------------------------------------------
@suite
def session(t):
    """On a console with every permission but repositories; hello-world, crashing,
    ferris and message 0.0.1 installed, hello-ferris installed here."""
    T = os.environ["T"]
    c = Client(subscribe=True)
    ls = c.request("list")["list"]
    t.eq("§8 list", sorted(ls), ["crashing:0.0.1", "ferris:0.0.1", "hello-world:0.0.1",
                                "message:0.0.1"])
    hw = "hello-world:0.0.1"
    t.eq("§8 start hello-world", c.request(start_req(hw)), {"start": {"ok": {"container": hw}}})
    t.eq("§8 started", c.notification(), {"started": hw})
    t.eq("§8 kill 15", c.request({"kill": {"container": hw, "signal": 15}}),
         {"kill": {"ok": {"container": hw}}})
    t.eq("§8 exit signalled 15", c.notification(), {"exit": [hw, {"signalled": {"signal": 15}}]})
    t.eq("§8 kill again: stop_container_not_started",
         c.request({"kill": {"container": hw, "signal": 15}}),
         {"kill": {"error": {"container": hw, "error": {"stop_container_not_started": {"container": hw}}}}})
    data = open(T + "/hello-ferris-0.0.1.npk", "rb").read()
    req = {"install": {"repository": "default", "size": len(data)}}
    c.send({"request": req})
    c.sock.sendall(data)
    t.eq("§8 install hello-ferris", c.response(req, timeout=30),
         {"install": {"ok": {"container": "hello-ferris:0.0.1"}}})
    t.eq("§8 install notification", c.notification(), {"install": "hello-ferris:0.0.1"})
    cr = "crashing:0.0.1"
    t.eq("§8 start crashing", c.request(start_req(cr)), {"start": {"ok": {"container": cr}}})
    t.eq("§8 started crashing", c.notification(), {"started": cr})
    t.eq("§8 crashing exits with code 101", c.notification(timeout=20),
         {"exit": [cr, {"exit": {"code": 101}}]})
    t.eq("§8 repositories denied", c.request("repositories"), {"permission_denied": "repositories"})
    t.eq("§8 the connection carries on", c.request("ident"), {"ident": "extern:0.0.0"})
    c.close()


# --- permissions --------------------------------------------------------------------------
def requests_needing(perm, cid):
    """The requests that need perm (spec §3.1), on the container cid."""
    start = start_req(cid)
    return {
        "ident": ["ident"], "list": ["list"], "repositories": ["repositories"],
        "shutdown": ["shutdown"], "inspect": [{"inspect": {"container": cid}}],
        "kill": [{"kill": {"container": cid, "signal": 15}}],
        "mount": [{"mount": {"containers": [cid]}}, {"mount": {"containers": [cid, cid]}}],
        "umount": [{"umount": {"containers": [cid]}}],
        "start": [start],
        "start_command": [start_req(cid, init="/bin/sh"), start_req(cid, args=["-c", "true"]),
                          start_req(cid, env={"A": "1"}),
                          start_req(cid, "<INIT>", ["-c", "true"], {"A": "1"})],
        "token_create": [{"token_create": {"target": "x", "shared": b64("s")}}],
        "token_verification": [{"token_verify": {"token": b64(bytes(40)), "user": "x",
                                                 "shared": ""}}],
        "uninstall": [{"uninstall": {"container": cid, "wipe": False}},
                      {"uninstall": {"container": cid, "wipe": True}}],
    }.get(perm, [])


@suite
def deny(t, perm, cid="app:0.0.1", url=None):
    """perm is missing from the console at url (default NS_CONSOLE)."""
    where = "container console" if url else "global console"
    probe = "ident" if perm != "ident" else "list"
    if perm == "notifications":
        c = Client(url, connect=False)
        t.eq("%s without notifications: the subscription is nacked" % where,
             c.handshake(subscribe=True), {"connect_nack": "permission_denied"})
        t.ok("%s: the nack closes the connection" % where, c.closed_silently())
        if not url:  # a relay serves one connection only
            t.eq("%s without notifications: a plain connect is acked" % where,
                 Client(url).request("ident"), {"ident": "extern:0.0.0"})
        return
    c = Client(url)
    if perm == "install":
        data = b"PK\x03\x04" + os.urandom(3000)
        req = {"install": {"repository": "default", "size": len(data)}}
        c.send({"request": req})
        c.sock.sendall(data)
        t.eq("%s without install: permission_denied echoing the request" % where,
             c.response(req), {"permission_denied": req})
        t.ok("%s without install: the bytes are not drained, so the connection closes" % where,
             c.closed_silently())
        t.ok("%s without install: another client is served" % where, served())
        return
    for req in requests_needing(perm, cid):
        t.eq("%s without %s: %s denied and echoed" % (where, perm, str(req)[:60]),
             c.request(req), {"permission_denied": req})
    t.ok("%s without %s: the connection carries on" % (where, perm), probe in c.request(probe))
    if perm == "start":
        r = c.request(start_req(cid, "<INIT>", ["-c", "true"]))
        t.ok("%s without start: start with a command is not denied (start_command)" % where,
             "start" in r, r)
    if perm == "start_command":
        r = c.request(start_req(cid))
        t.ok("%s without start_command: a plain start is not denied" % where, "start" in r, r)
    c.close()


# --- container consoles -------------------------------------------------------------------
def relay(name, connect=True, timeout=10.0):
    """A client on the console of the relay container name (started by the caller)."""
    path = "%s/sockets/%s:relay" % (os.environ["T"], name)
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.05)
    return Client("unix://" + path, connect=connect, timeout=timeout)


@suite
def relayed(t, name, perm):
    """deny PERM through the relay container name (its manifest lacks perm)."""
    deny(t, perm, cid="app:0.0.1", url="unix://%s/sockets/%s:relay" % (os.environ["T"], name))


@suite
def containers(t):
    """Container consoles: identity, tokens, options, no connect timeout, lifetime."""
    ctl = Client(subscribe=True)

    def start(cid):
        r = ctl.request(start_req(cid))
        if r != {"start": {"ok": {"container": cid}}}:
            raise AssertionError("start %s: %s" % (cid, r))
        ctl.wait_note(lambda n: n == {"started": cid})

    fds0 = daemon_fds()
    start("relay:0.0.1")
    late = relay("relay:0.0.1", connect=False)
    t0 = time.monotonic()
    start("relay2:0.0.1")
    r2 = relay("relay2:0.0.1")
    t.ok("the console's descriptor is named in NORTHSTAR_CONSOLE (after the socket: 4)",
         log_wait(r"relay2:0.0.1: console fd 4", 5))
    t.eq("ident on a container console: its own id", r2.request("ident"), {"ident": "relay2:0.0.1"})
    t.ok("the log names the container", log_wait(r"Container relay2:0.0.1 connected", 5))
    # tokens: the user is the creating container, the target the verifying one
    tok = r2.request({"token_create": {"target": "extern", "shared": b64("s")}})["token"]
    g = Client()
    vr = {"token_verify": {"token": tok, "user": "relay2", "shared": b64("s")}}
    t.eq("token from a container, verified outside with its name as user", g.request(vr),
         {"token_verification": "Ok"})
    vr["token_verify"]["user"] = "extern"
    t.eq("the same token with another user: Invalid", g.request(vr), {"token_verification": "Invalid"})
    tok = g.request({"token_create": {"target": "relay2", "shared": b64("s")}})["token"]
    vr = {"token_verify": {"token": tok, "user": "extern", "shared": b64("s")}}
    t.eq("token for a container, verified by it", r2.request(vr), {"token_verification": "Ok"})
    t.eq("the same token verified elsewhere: Invalid (wrong target)", g.request(vr),
         {"token_verification": "Invalid"})
    # console.options: max_request_size 4K here (the global console keeps 1 MiB)
    long_req = '{"request":"ident"}' + " " * 5000
    g.send(long_req)
    t.eq("a 5000-byte line on the global console: answered", g.response(), {"ident": "extern:0.0.0"})
    r2.send(long_req)
    t.ok("the same line on a container console: over console.options.max_request_size, closed",
         r2.closed_silently())
    t.ok("the container console's connection is gone, the daemon carries on", served())
    # no connect timeout for container consoles
    time.sleep(max(0.0, 10.8 - (time.monotonic() - t0)))
    t.eq("a container console has no connect timeout (handshake after 10.8 s)",
         late.handshake(), {"connect_ack": None})
    t.eq("and it is served", late.request("ident"), {"ident": "relay:0.0.1"})
    # closed when the container exits
    ctl.request({"kill": {"container": "relay:0.0.1", "signal": 9}})
    ctl.wait_note(is_exit("relay:0.0.1"))
    ctl.request({"kill": {"container": "relay2:0.0.1", "signal": 9}})
    ctl.wait_note(is_exit("relay2:0.0.1"))
    try:
        late.raw_line(5)
        gone = False
    except (Closed, TimeoutError, OSError):
        gone = True
    t.ok("the console closes when the container exits", gone)
    g.close()
    late.close()
    time.sleep(0.3)
    t.eq("no descriptor left behind by container consoles", daemon_fds(), fds0)
    ctl.close()
