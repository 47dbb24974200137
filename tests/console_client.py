#!/usr/bin/env python3
"""A console client written from the protocol spec alone (console-protocol.md), not
from the server's codec: JSON lines over a unix or tcp socket. Used by the daemon's
integration tests and the start benchmark.

usage: console_client.py [-u URL] [-t SECS] COMMAND [ARGS...]
  URL: unix:///path or tcp://host:port (default $NS_CONSOLE)

  connect [--version V] [--subscribe]   handshake only: prints the server's answer
  request JSON                          {"request": JSON}; prints the response line
  list | repositories | ident | shutdown
  inspect ID | uninstall [--wipe] ID | kill ID [SIGNAL]
  mount ID... | umount ID...
  install NPK REPOSITORY [--size N]     streams the file (N: the size announced)
  start ID [--init I] [--arg A]... [--env K=V]... [--wait]
        --wait subscribes first and then also prints the exit notification
  run ID [--init I] [--arg A]... [--env K=V]...
        start and wait: prints only the exit notification's status
  killwait ID SIGNAL                    subscribes, kills, prints the exit notification
  notifications [-n N]                  subscribes and prints N notifications
  raw [--no-connect]                    sends stdin's lines, prints every line received
                                        until the server closes or -t passes
  session                               reads commands from stdin, one per line with
                                        their words separated by \x1f (-u and -t may
                                        lead), and runs each on a new connection; after
                                        each command's output comes a line "<<end>>".
                                        This saves the interpreter's start-up per call.
Every line received is printed as it came. Exit status: 0 when the awaited answer
came, 1 on EOF, timeout or a connection error, 2 on usage errors.
"""
import json
import os
import socket
import sys
import time

VERSION = "0.9.3"


class Closed(Exception):
    pass


class Client:
    def __init__(self, url, timeout=30.0):
        self.timeout = timeout
        if url.startswith("unix://"):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(url[len("unix://"):])
        elif url.startswith("tcp://"):
            hostport = url[len("tcp://"):]
            host, _, port = hostport.rpartition(":")
            if not host:
                host, port = hostport, "4200"
            host = host.strip("[]")
            self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        else:
            raise ValueError("bad url " + url)
        self.buf = b""
        self.notifications = []

    def send_line(self, obj):
        data = obj if isinstance(obj, (bytes, str)) else json.dumps(obj, separators=(",", ":"))
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data + b"\n")

    def read_line(self, deadline=None):
        while b"\n" not in self.buf:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no answer in time")
                self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no answer in time")
            if not chunk:
                raise Closed("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def connect(self, subscribe=False, version=VERSION):
        self.send_line({"connect": {"version": version, "subscribe_notifications": subscribe}})
        return self.read_line(time.monotonic() + self.timeout)

    def request(self, req):
        """Sends a request; returns its response line, keeping notifications."""
        self.send_line({"request": req})
        return self.response()

    def response(self):
        deadline = time.monotonic() + self.timeout
        while True:
            line = self.read_line(deadline)
            obj = json.loads(line)
            if "notification" in obj:
                self.notifications.append(line)
                continue
            return line

    def notification(self, timeout=None):
        if self.notifications:
            return self.notifications.pop(0)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            line = self.read_line(deadline)
            if "notification" in json.loads(line):
                return line

    def install(self, path, repository, size=None):
        data_size = os.path.getsize(path)
        self.send_line({"request": {"install": {"repository": repository,
                                                "size": data_size if size is None else size}}})
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                self.sock.sendall(chunk)
        return self.response()


def start_request(args):
    cid, init, arguments, env = None, None, [], {}
    rest = list(args)
    while rest:
        a = rest.pop(0)
        if a == "--init":
            init = rest.pop(0)
        elif a == "--arg":
            arguments.append(rest.pop(0))
        elif a == "--env":
            k, _, v = rest.pop(0).partition("=")
            env[k] = v
        elif a == "--wait":
            pass
        elif cid is None:
            cid = a
        else:
            raise ValueError("unexpected " + a)
    return {"start": {"container": cid, "init": init, "arguments": arguments,
                      "environment": env}}


def wait_exit(c, cid):
    while True:
        line = c.notification()
        obj = json.loads(line)["notification"]
        if isinstance(obj, dict) and "exit" in obj and obj["exit"][0] == cid:
            return line, obj["exit"][1]


def simple(c, cmd, args):
    if cmd in ("list", "repositories", "ident", "shutdown"):
        return c.request(cmd)
    if cmd == "request":
        return c.request(json.loads(args[0]))
    if cmd == "inspect":
        return c.request({"inspect": {"container": args[0]}})
    if cmd == "uninstall":
        wipe = "--wipe" in args
        cid = [a for a in args if a != "--wipe"][0]
        return c.request({"uninstall": {"container": cid, "wipe": wipe}})
    if cmd == "kill":
        sig = int(args[1]) if len(args) > 1 else 15
        return c.request({"kill": {"container": args[0], "signal": sig}})
    if cmd in ("mount", "umount"):
        return c.request({cmd: {"containers": list(args)}})
    if cmd == "install":
        size = int(args[args.index("--size") + 1]) if "--size" in args else None
        return c.install(args[0], args[1], size)
    return None


def main(argv, url=None, timeout=30.0):
    url = url or os.environ.get("NS_CONSOLE", "")
    while argv and argv[0] in ("-u", "-t"):
        if argv[0] == "-u":
            url = argv[1]
        else:
            timeout = float(argv[1])
        argv = argv[2:]
    if argv and argv[0] == "session":
        return session(url, timeout)
    if not argv or not url:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = argv[0], argv[1:]
    try:
        c = Client(url, timeout)
        if cmd == "raw":
            return raw(c, args, timeout)
        if cmd == "connect":
            version = args[args.index("--version") + 1] if "--version" in args else VERSION
            print(c.connect("--subscribe" in args, version))
            return 0
        subscribe = cmd in ("notifications", "run", "killwait") or "--wait" in args
        ack = c.connect(subscribe)
        if "connect_ack" not in json.loads(ack):
            print(ack)
            return 1
        if cmd == "killwait":
            resp = c.request({"kill": {"container": args[0], "signal": int(args[1])}})
            if "ok" not in json.loads(resp)["response"]["kill"]:
                print(resp)
                return 1
            print(wait_exit(c, args[0])[0])
            return 0
        if cmd == "notifications":
            n = int(args[args.index("-n") + 1]) if "-n" in args else 1
            for _ in range(n):
                print(c.notification(), flush=True)
            return 0
        if cmd in ("start", "run"):
            req = start_request(args)
            resp = c.request(req)
            if cmd == "start":
                print(resp, flush=True)
            if "ok" not in json.loads(resp)["response"]["start"]:
                if cmd == "run":
                    print(resp)
                return 1
            if cmd == "start" and "--wait" not in args:
                return 0
            line, status = wait_exit(c, req["start"]["container"])
            print(line if cmd == "start" else json.dumps(status, separators=(",", ":")))
            return 0
        resp = simple(c, cmd, args)
        if resp is None:
            sys.stderr.write("console_client: unknown command %s\n" % cmd)
            return 2
        print(resp)
        return 0
    except (Closed, TimeoutError, OSError) as e:
        print("console_client: %s" % e)
        return 1


def session(url, timeout):
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        try:
            main(line.split("\x1f"), url, timeout)
        except Exception as e:  # a bad command must not end the session
            print("console_client: %r" % e)
        print("<<end>>", flush=True)
    return 0


def raw(c, args, timeout):
    if "--no-connect" not in args:
        print(c.connect())
    for line in sys.stdin.buffer.read().split(b"\n"):
        if line:
            try:
                c.sock.sendall(line + b"\n")
            except OSError:
                break
    deadline = time.monotonic() + timeout
    try:
        while True:
            print(c.read_line(deadline), flush=True)
    except (Closed, ConnectionResetError):  # a reset: closed while we were still sending
        print("<closed>")
    except TimeoutError:
        print("<timeout>")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
