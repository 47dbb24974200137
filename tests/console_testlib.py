"""Helpers of tests/console_suite.py: TAP, a client whose every received line is checked
against the spec (tests/console_spec.py), and views of the daemon (log, fds, RSS)."""
import base64
import json
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console_spec as spec  # noqa: E402

VERSION = "0.9.3"


class Closed(Exception):
    pass


class Tap:
    def __init__(self):
        self.n = int(os.environ.get("TAP_START", "0"))
        self.failed = 0

    def ok(self, name, cond=True, detail=""):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name), flush=True)
            for line in str(detail).splitlines() or [""]:
                print("  # " + line[:400], flush=True)
        return cond

    def eq(self, name, got, want):
        return self.ok(name, got == want, "got %r\nexpected %r" % (got, want))

    def run(self, name, fn, *args):
        """Runs fn; a returned False, an AssertionError, a SpecError or a connection
        error fails the test."""
        try:
            r = fn(*args)
            return self.ok(name, r is None or r is True, "returned %r" % (r,))
        except (AssertionError, spec.SpecError, Closed, OSError, ValueError, KeyError) as e:
            return self.ok(name, False, "%s: %s" % (type(e).__name__, e))


def url_connect(url, timeout):
    if url.startswith("unix://"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(url[7:])
        return s
    host, _, port = url[6:].rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


class Client:
    """One connection; every line received is checked against the spec."""

    def __init__(self, url=None, subscribe=False, connect=True, timeout=10.0, version=VERSION):
        self.url = url or os.environ["NS_CONSOLE"]
        self.timeout = timeout
        self.sock = url_connect(self.url, timeout)
        self.buf = b""
        self.notes = []
        if connect:
            ack = self.handshake(subscribe, version)
            if ack != {"connect_ack": None}:
                raise AssertionError("handshake answered %s" % json.dumps(ack))

    def close(self):
        self.sock.close()

    def send(self, data):
        if not isinstance(data, (bytes, str)):
            data = json.dumps(data, separators=(",", ":"))
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data if data.endswith(b"\n") else data + b"\n")

    def raw_line(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no line in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no line in time")
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise Closed("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8")

    def handshake(self, subscribe=False, version=VERSION):
        self.send({"connect": {"version": version, "subscribe_notifications": subscribe}})
        line = self.raw_line()
        spec.check_server_line(line)
        return json.loads(line)

    def response(self, request=None, timeout=None):
        """The next response (its value), keeping notifications; both checked."""
        while True:
            line = self.raw_line(timeout)
            kind, v = spec.check_server_line(line, request)
            if kind == "notification":
                self.notes.append(v)
                continue
            if kind != "response":
                raise AssertionError("expected a response, got " + line)
            return v

    def request(self, req, timeout=None):
        spec.check_request(req)
        self.send({"request": req})
        return self.response(req, timeout)

    def notification(self, timeout=None):
        if self.notes:
            return self.notes.pop(0)
        line = self.raw_line(timeout)
        kind, v = spec.check_server_line(line)
        if kind != "notification":
            raise AssertionError("expected a notification, got " + line)
        return v

    def wait_note(self, pred, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            n = self.notification(max(0.01, deadline - time.monotonic()))
            if pred(n):
                return n

    def closed_silently(self, timeout=5.0):
        """True when the server closes without sending anything more."""
        try:
            line = self.raw_line(timeout)
        except Closed:
            return True
        except TimeoutError:
            return False
        raise AssertionError("expected a silent close, got " + line)


def start_req(cid, init=None, args=(), env=None):
    return {"start": {"container": cid, "init": init, "arguments": list(args),
                      "environment": dict(env or {})}}


def served(url=None):
    """Another client is served: a fresh connection answers ident or list."""
    c = Client(url)
    try:
        r = c.request("list")
        return "list" in r
    finally:
        c.close()


def log_text():
    with open(os.environ["NSD_LOG"], errors="replace") as f:
        return f.read()


def log_wait(regex, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(regex, log_text(), re.M):
            return True
        time.sleep(0.05)
    return False


def daemon_fds():
    return len(os.listdir("/proc/%s/fd" % os.environ["NSD_PID"]))


def daemon_rss_kib():
    with open("/proc/%s/status" % os.environ["NSD_PID"]) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()


