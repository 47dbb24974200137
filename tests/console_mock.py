#!/usr/bin/python3
"""A mock Northstar console server for testing nstar, written from
shared/spec/console-protocol.md alone (it shares no code with libns).

usage: console_mock.py DIR

Listens on the unix socket DIR/sock, on TCP 127.0.0.1 (the port is written to
DIR/port) and, where the host has IPv6, on [::1] at another port (DIR/port6), then
writes DIR/ready. Connections are served one after the other. At each
accept DIR/config.json is read again (missing: the defaults), so one mock serves a whole
test file. For each connection it appends:
  DIR/log         every line received (without its newline), and for install
                  "#install <n> bytes sha256 <hex>" for the raw bytes that followed
  DIR/transcript  every byte received and sent, in order

config.json (every key optional):
  handshake       "ack" (default), "ack_object" (an old {"configuration":..} ack),
                  "nack_version", "nack_permission", "silent" (never answer),
                  "close" (close at once), "garbage" (a line that is not JSON)
  handshake_delay seconds to wait before answering the connect
  containers      [{"id","init"(or null),"repository","mounted","pid","uptime"}]
  repositories    ["default", ...]
  responses       {request kind: response value, or a list used in turn}; a value
                  {"raw": text} is sent as that exact line, {"close": true} closes
  pre_notifications  notification values sent before every response
  notifications   notification values sent to a subscriber after the ack
  keep_open       after the notifications, wait for the client instead of closing
  install         "drain" (default: read the declared bytes, then answer) or "deny"
                  (answer permission_denied at once without reading them, and close)
"""
import base64
import hashlib
import json
import os
import selectors
import socket
import sys
import time

DEFAULT_CONTAINERS = [
    {"id": "hello-world:0.0.1", "init": "/hello-world", "repository": "default",
     "mounted": True, "pid": 97013, "uptime": 5012345678},
    {"id": "cpueater:0.0.1", "init": "/cpueater", "repository": "default",
     "mounted": False, "pid": None, "uptime": None},
    {"id": "message:0.0.2", "init": None, "repository": "default",
     "mounted": False, "pid": None, "uptime": None},
]


def dumps(value):
    """Compact JSON, keys in insertion order, as serde_json writes it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Conn:
    def __init__(self, sock, cfg, dirpath):
        self.sock = sock
        self.cfg = cfg
        self.dir = dirpath
        self.buf = b""
        self.used = {}

    # --- recording -------------------------------------------------------------------
    def record(self, name, data):
        with open(os.path.join(self.dir, name), "ab") as f:
            f.write(data)

    def log(self, text):
        self.record("log", text.encode() + b"\n")

    def send(self, data):
        self.record("transcript", data)
        try:
            self.sock.sendall(data)
        except OSError:
            pass

    def send_line(self, value):
        text = value["raw"] if isinstance(value, dict) and "raw" in value else dumps(value)
        self.send(text.encode() + b"\n")

    # --- reading -----------------------------------------------------------------------
    def fill(self):
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if data:
            self.record("transcript", data)
        self.buf += data
        return bool(data)

    def read_line(self):
        while b"\n" not in self.buf:
            if not self.fill():
                return None
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def read_exact(self, n):
        h = hashlib.sha256()
        got = 0
        while got < n:
            if not self.buf and not self.fill():
                break
            take = self.buf[: n - got]
            self.buf = self.buf[len(take):]
            h.update(take)
            got += len(take)
        return got, h.hexdigest()

    # --- the protocol ------------------------------------------------------------------
    def handshake(self):
        line = self.read_line()
        if line is None:
            return False
        self.log(line.decode("utf-8", "replace"))
        try:
            connect = json.loads(line)["connect"]
        except (ValueError, KeyError, TypeError):
            return False
        time.sleep(self.cfg.get("handshake_delay", 0))
        mode = self.cfg.get("handshake", "ack")
        if mode == "silent":
            while self.fill():
                pass
            return False
        if mode == "close":
            return False
        replies = {
            "ack": {"connect_ack": None},
            "ack_object": {"connect_ack": {"configuration": {"permissions": "full"}}},
            "nack_version": {"connect_nack": {"invalid_protocol_version": {"version": "0.9.3"}}},
            "nack_permission": {"connect_nack": "permission_denied"},
            "garbage": {"raw": "this is not json"},
        }
        if mode != "ack" and mode != "ack_object":
            self.send_line(replies[mode])
            return False
        # The ack and the notifications go out in one write, so a client's trace (-j)
        # sees them in one read whatever the machine's load.
        lines = [replies[mode]]
        if connect.get("subscribe_notifications"):
            lines += [{"notification": n} for n in self.cfg.get("notifications", [])]
        self.send(b"".join(dumps(v).encode() + b"\n" for v in lines))
        if connect.get("subscribe_notifications"):
            if not self.cfg.get("keep_open"):
                return False
        return True

    def containers(self):
        return self.cfg.get("containers", DEFAULT_CONTAINERS)

    def find(self, cid):
        for c in self.containers():
            if c["id"] == cid:
                return c
        return None

    def result(self, cid):
        if self.find(cid):
            return {"ok": {"container": cid}}
        return {"error": {"container": cid,
                          "error": {"invalid_container": {"container": cid}}}}

    def inspect(self, cid):
        c = self.find(cid)
        if not c:
            return self.result(cid)
        name, version = cid.split(":", 1)
        manifest = {"name": name, "version": version}
        if c.get("init"):
            manifest["init"] = c["init"]
        manifest.update({"uid": 1000, "gid": 1000,
                         "mounts": {"/dev": {"type": "dev"}, "/proc": {"type": "proc"}},
                         "io": {"stdout": "pipe", "stderr": "pipe"}})
        process = None
        if c.get("pid") is not None:
            process = {"pid": c["pid"], "uptime": c["uptime"], "statistics": {}}
        data = {"manifest": manifest, "repository": c.get("repository", "default"),
                "mounted": c.get("mounted", False), "process": process}
        return {"ok": {"container": cid, "data": data}}

    def default_response(self, kind, body):
        if kind == "ident":
            return {"ident": "extern:0.0.0"}
        if kind == "list":
            return {"list": [c["id"] for c in self.containers()]}
        if kind == "repositories":
            return {"repositories": self.cfg.get("repositories", ["default", "memory"])}
        if kind == "shutdown":
            return "shutdown"
        if kind == "inspect":
            return {"inspect": self.inspect(body["container"])}
        if kind in ("mount", "umount"):
            return {kind: [self.result(c) for c in body["containers"]]}
        if kind in ("start", "kill", "uninstall"):
            return {kind: self.result(body["container"])}
        if kind == "install":
            return {"install": {"ok": {"container": "hello-ferris:0.0.1"}}}
        if kind == "token_create":
            return {"token": base64.b64encode(bytes(range(40))).decode()}
        if kind == "token_verify":
            return {"token_verification": "Ok"}
        return None

    def response(self, kind, body):
        configured = self.cfg.get("responses", {}).get(kind)
        if isinstance(configured, list):
            i = self.used.get(kind, 0)
            self.used[kind] = i + 1
            return configured[min(i, len(configured) - 1)]
        if configured is not None:
            return configured
        return self.default_response(kind, body)

    def request(self, line):
        self.log(line.decode("utf-8", "replace"))
        try:
            req = json.loads(line)["request"]
        except (ValueError, KeyError, TypeError):
            return False
        kind, body = (req, None) if isinstance(req, str) else next(iter(req.items()))
        if kind == "install":
            if self.cfg.get("install") == "deny":
                self.send_line({"response": {"permission_denied": req}})
                return False
            got, digest = self.read_exact(body["size"])
            self.log("#install %d bytes sha256 %s" % (got, digest))
            if got < body["size"]:
                return False
        for n in self.cfg.get("pre_notifications", []):
            self.send_line({"notification": n})
        resp = self.response(kind, body)
        if isinstance(resp, dict) and resp.get("close"):
            return False
        if isinstance(resp, dict) and "raw" in resp:
            self.send_line(resp)
        else:
            self.send_line({"response": resp})
        return True

    def serve(self):
        if not self.handshake():
            return
        while True:
            line = self.read_line()
            if line is None or not self.request(line):
                return


def load_config(dirpath):
    try:
        with open(os.path.join(dirpath, "config.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def main():
    dirpath = sys.argv[1]
    path = os.path.join(dirpath, "sock")
    if os.path.exists(path):
        os.unlink(path)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(path)
    unix.listen(16)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(16)
    with open(os.path.join(dirpath, "port"), "w") as f:
        f.write("%d\n" % tcp.getsockname()[1])
    listeners = [unix, tcp]
    try:  # IPv6 loopback on a port of its own, where 127.0.0.1 refuses
        tcp6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        tcp6.bind(("::1", 0))
        tcp6.listen(16)
        listeners.append(tcp6)
        with open(os.path.join(dirpath, "port6"), "w") as f:
            f.write("%d\n" % tcp6.getsockname()[1])
    except OSError:
        pass
    with open(os.path.join(dirpath, "ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    sel = selectors.DefaultSelector()
    for sock in listeners:
        sel.register(sock, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            sock, _ = key.fileobj.accept()
            with sock:
                Conn(sock, load_config(dirpath), dirpath).serve()


if __name__ == "__main__":
    main()
