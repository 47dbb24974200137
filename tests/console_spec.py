"""The console protocol's messages as spec/console-protocol.md writes them, as checks.

Written from the spec alone (not from the server's codec): each check_* raises
SpecError naming the path of the first thing that differs from the JSON the spec
shows. The server side is held to the exact key sets (no keys of its own), compact
JSON and the container id and version rules of spec §4.
"""
import json
import re

ID_RE = re.compile(r"^[0-9A-Za-z._-]{1,1024}:(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
NAME_RE = re.compile(r"^[0-9A-Za-z._-]{1,1024}$")
B64_TOKEN_RE = re.compile(r"^[A-Za-z0-9+/]{54}==$")  # 40 bytes: 56 characters
PERMISSIONS = ["ident", "inspect", "install", "kill", "list", "notifications", "mount",
               "repositories", "shutdown", "start", "start_command", "token_create",
               "token_verification", "umount", "uninstall"]
MANIFEST_KEYS = {"name", "version", "init", "args", "env", "uid", "gid", "sched",
                 "autostart", "console", "cgroups", "mounts", "network", "rlimits",
                 "seccomp", "capabilities", "suppl_groups", "selinux", "io", "custom",
                 "sockets"}


class SpecError(Exception):
    pass


def fail(path, what, value):
    raise SpecError("%s: %s, got %s" % (path, what, json.dumps(value)[:200]))


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_uint(v, bits, path):
    if not is_int(v) or v < 0 or v >= 1 << bits:
        fail(path, "expected a u%d" % bits, v)


def check_int(v, bits, path):
    if not is_int(v) or v < -(1 << (bits - 1)) or v >= 1 << (bits - 1):
        fail(path, "expected an i%d" % bits, v)


def check_str(v, path):
    if not isinstance(v, str):
        fail(path, "expected a string", v)


def check_id(v, path):
    if not isinstance(v, str) or not ID_RE.match(v):
        fail(path, "expected a container id name:X.Y.Z", v)


def check_keys(obj, keys, path):
    if not isinstance(obj, dict) or set(obj) != set(keys):
        fail(path, "expected an object with exactly the keys %s" % sorted(keys), obj)


def variant(v, path):
    """An externally tagged enum value: ("name", None) for a unit variant written as a
    bare string, ("name", value) for the others."""
    if isinstance(v, str):
        return v, None
    if isinstance(v, dict) and len(v) == 1:
        k = next(iter(v))
        return k, v[k]
    fail(path, "expected an enum variant", v)


# --- errors and results (spec §3.5, §3.2) ------------------------------------------
ERROR_FIELDS = {
    "configuration": {"context": check_str},
    "duplicate_container": {"container": check_id},
    "invalid_container": {"container": check_id},
    "invalid_arguments": {"cause": check_str},
    "mount_busy": {"container": check_id},
    "umount_busy": {"container": check_id},
    "start_container_started": {"container": check_id},
    "start_container_resource": {"container": check_id},
    "start_container_missing_resource": {"container": check_id,
                                         "resource": lambda v, p: NAME_RE.match(v or "") or fail(p, "a name", v),
                                         "version": check_str},
    "start_container_failed": {"container": check_id, "error": check_str},
    "stop_container_not_started": {"container": check_id},
    "invalid_repository": {"repository": check_str},
    "install_duplicate": {"container": check_id},
    "critical_container": {"container": check_id, "status": lambda v, p: check_exit_status(v, p)},
    "unexpected": {"error": check_str},
}


def check_error(v, path):
    name, body = variant(v, path)
    if name not in ERROR_FIELDS:
        fail(path, "unknown error variant", v)
    fields = ERROR_FIELDS[name]
    check_keys(body, fields, path + "." + name)
    for k, chk in fields.items():
        chk(body[k], "%s.%s.%s" % (path, name, k))
    return name


def check_result(v, path, error_has_container=True, ok_keys=("container",)):
    name, body = variant(v, path)
    if name == "ok":
        check_keys(body, ok_keys, path + ".ok")
        check_id(body["container"], path + ".ok.container")
    elif name == "error":
        keys = ["container", "error"] if error_has_container else ["error"]
        check_keys(body, keys, path + ".error")
        if error_has_container:
            check_id(body["container"], path + ".error.container")
        check_error(body["error"], path + ".error.error")
    else:
        fail(path, "expected ok or error", v)
    return name


def check_exit_status(v, path):
    name, body = variant(v, path)
    if name == "exit":
        check_keys(body, ["code"], path + ".exit")
        check_int(body["code"], 32, path + ".exit.code")
    elif name == "signalled":
        check_keys(body, ["signal"], path + ".signalled")
        check_uint(body["signal"], 32, path + ".signalled.signal")
    else:
        fail(path, "expected exit or signalled", v)


# --- requests (spec §3.1), checked so a test sends only what the spec allows ---------
def check_request(v, path="request"):
    name, body = variant(v, path)
    p = path + "." + name
    units = ("ident", "list", "repositories", "shutdown")
    if name in units:
        if body is not None:
            fail(path, "a unit request is a bare string", v)
        return name
    fields = {
        "inspect": {"container": check_id},
        "install": {"repository": check_str, "size": lambda x, q: check_uint(x, 64, q)},
        "kill": {"container": check_id, "signal": lambda x, q: check_int(x, 32, q)},
        "mount": {"containers": lambda x, q: [check_id(i, q) for i in x]},
        "umount": {"containers": lambda x, q: [check_id(i, q) for i in x]},
        "start": {"container": check_id, "init": lambda x, q: x is None or check_str(x, q),
                  "arguments": lambda x, q: [check_str(i, q) for i in x],
                  "environment": lambda x, q: [check_str(i, q) for i in x.values()]},
        "token_create": {"target": check_str, "shared": check_str},
        "token_verify": {"token": check_str, "user": check_str, "shared": check_str},
        "uninstall": {"container": check_id, "wipe": lambda x, q: isinstance(x, bool) or fail(q, "bool", x)},
    }
    if name not in fields:
        fail(path, "unknown request", v)
    check_keys(body, fields[name], p)
    for k, chk in fields[name].items():
        chk(body[k], p + "." + k)
    return name


# --- responses (spec §3.2) --------------------------------------------------------------
def check_manifest(m, cid, path):
    if not isinstance(m, dict):
        fail(path, "expected an object", m)
    if not set(m) <= MANIFEST_KEYS:
        fail(path, "keys outside Northstar's Manifest", sorted(set(m) - MANIFEST_KEYS))
    for k in ("name", "version", "uid", "gid"):
        if k not in m:
            fail(path, "missing " + k, m)
    if "%s:%s" % (m["name"], m["version"]) != cid:
        fail(path, "name and version of " + cid, m)
    for k in ("uid", "gid"):
        check_uint(m[k], 16, path + "." + k)
        if m[k] < 1:
            fail(path + "." + k, "at least 1", m[k])
    for k, v in m.items():
        if v is None or v == [] or v == {}:
            fail(path + "." + k, "Northstar omits nulls and empty collections", v)
    if "console" in m:
        perms = m["console"].get("permissions")
        if perms != "full" and not (isinstance(perms, list) and set(perms) <= set(PERMISSIONS)):
            fail(path + ".console", "permissions full or a list of the 15 names", perms)


def check_inspect_data(d, cid, path):
    check_keys(d, ["manifest", "repository", "mounted", "process"], path)
    check_manifest(d["manifest"], cid, path + ".manifest")
    check_str(d["repository"], path + ".repository")
    if not isinstance(d["mounted"], bool):
        fail(path + ".mounted", "a bool", d["mounted"])
    proc = d["process"]
    if proc is not None:
        check_keys(proc, ["pid", "uptime", "statistics"], path + ".process")
        check_uint(proc["pid"], 32, path + ".process.pid")
        check_uint(proc["uptime"], 64, path + ".process.uptime")
        if not isinstance(proc["statistics"], dict):
            fail(path + ".process.statistics", "an object", proc["statistics"])


def check_response(v, request=None, path="response"):
    """Checks a response, and that it answers request (a request value) when given."""
    name, body = variant(v, path)
    p = path + "." + name
    want = None
    if request is not None:
        want = variant(request, "request")[0]
        expected = {"token_create": "token", "token_verify": "token_verification"}.get(want, want)
        if name != "permission_denied" and name != expected:
            fail(path, "the answer to %s" % want, v)
    if name == "permission_denied":
        check_request(body, p)
        if request is not None and body != request:
            fail(p, "the request echoed", body)
    elif name == "shutdown":
        if body is not None:
            fail(path, "a bare string", v)
    elif name == "ident":
        check_id(body, p)
    elif name == "list":
        if not isinstance(body, list):
            fail(p, "an array", body)
        for i, x in enumerate(body):
            check_id(x, "%s[%d]" % (p, i))
    elif name == "repositories":
        if not isinstance(body, list) or len(set(body)) != len(body):
            fail(p, "an array of unique strings", body)
        for x in body:
            check_str(x, p)
    elif name in ("start", "kill", "uninstall"):
        check_result(body, p)
    elif name == "install":
        check_result(body, p, error_has_container=False)
    elif name == "inspect":
        if check_result(body, p, ok_keys=("container", "data")) == "ok":
            check_inspect_data(body["ok"]["data"], body["ok"]["container"], p + ".ok.data")
    elif name in ("mount", "umount"):
        if not isinstance(body, list):
            fail(p, "an array of results", body)
        for i, x in enumerate(body):
            check_result(x, "%s[%d]" % (p, i))
        if request is not None and name == want:
            ids = variant(request, "request")[1]["containers"]
            got = [variant(x, p)[1]["container"] for x in body]
            if got != ids:
                fail(p, "one result per container, in request order %s" % ids, got)
    elif name == "token":
        if not isinstance(body, str) or not B64_TOKEN_RE.match(body):
            fail(p, "base64 of 40 bytes (56 characters, ==)", body)
    elif name == "token_verification":
        if body not in ("Ok", "Invalid", "Expired", "Future"):
            fail(p, "Ok, Invalid, Expired or Future", body)
    else:
        fail(path, "unknown response", v)
    return name


# --- notifications (spec §3.4) --------------------------------------------------------
def check_notification(v, path="notification"):
    name, body = variant(v, path)
    p = path + "." + name
    if name == "shutdown":
        if body is not None:
            fail(path, "a bare string", v)
    elif name in ("started", "install", "uninstall"):
        check_id(body, p)
    elif name == "exit":
        if not isinstance(body, list) or len(body) != 2:
            fail(p, "[id, status]", body)
        check_id(body[0], p + "[0]")
        check_exit_status(body[1], p + "[1]")
    elif name == "c_group":
        if not isinstance(body, list) or len(body) != 2:
            fail(p, "[id, event]", body)
        check_id(body[0], p + "[0]")
        ev, mem = variant(body[1], p + "[1]")
        if ev != "memory":
            fail(p + "[1]", "memory", body[1])
        check_keys(mem, ["low", "high", "max", "oom", "oom_kill"], p + "[1].memory")
        for k, x in mem.items():
            if x is not None:
                check_uint(x, 64, p + "[1].memory." + k)
    else:
        fail(path, "unknown notification", v)
    return name


# --- lines --------------------------------------------------------------------------------
def check_server_line(line, request=None):
    """A line from the server: compact JSON, one message key; returns (kind, value)."""
    try:
        obj = json.loads(line)
    except ValueError as e:
        raise SpecError("not JSON (%s): %s" % (e, line[:200]))
    if json.dumps(obj, separators=(",", ":"), ensure_ascii=False) != line:
        raise SpecError("not compact JSON: " + line[:200])
    if not isinstance(obj, dict) or len(obj) != 1:
        fail("line", "an object with one message key", obj)
    kind = next(iter(obj))
    v = obj[kind]
    if kind == "connect_ack":
        if v is not None:
            fail("connect_ack", "null (spec §2)", v)
    elif kind == "connect_nack":
        name, body = variant(v, "connect_nack")
        if name == "invalid_protocol_version":
            check_keys(body, ["version"], "connect_nack.invalid_protocol_version")
        elif name != "permission_denied" or body is not None:
            fail("connect_nack", "invalid_protocol_version or permission_denied", v)
    elif kind == "response":
        check_response(v, request)
    elif kind == "notification":
        check_notification(v)
    else:
        fail("line", "a server message (connect_ack, connect_nack, response, notification)", obj)
    return kind, v
