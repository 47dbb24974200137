#!/usr/bin/env python3
"""Runs one example program on the host the way northstard starts it, without the
isolation: the environment from the NPK's manifest (env, NORTHSTAR_NAME, _VERSION,
_CONTAINER), the manifest's sockets bound in a directory with their fds in
NORTHSTAR_SOCKET_<name>, a console on a socketpair in NORTHSTAR_CONSOLE answered by a
small fake of the runtime's side, the manifest's io, rlimits and scheduling, and
optionally its uid and gid. Used by tests/integration/examples.sh.

usage: examples_host.py --npk NPK --bin PROGRAM [--sockdir DIR] [--timeout S]
                        [--as-user] [--env K=V]... [-- ARGS...]

Prints the program's output (stdout and a piped stderr, interleaved), then one
"console< LINE" per line the program sent on its console, then "status: exit N" or
"status: signal N" (SIGTERM after --timeout seconds, like a stop).

The fake console knows two containers: the program itself (running) and
hello-world:0.0.1 (stopped). Its tokens are a deterministic stand-in for the runtime's
HMAC scheme (eight zero bytes, then SHA-256 over user, target and shared), so two
programs run by two instances of this script can exchange them.
"""
import argparse
import base64
import hashlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading

OTHER = "hello-world:0.0.1"
SOCK_TYPES = {"stream": socket.SOCK_STREAM, "datagram": socket.SOCK_DGRAM,
              "seq_packet": socket.SOCK_SEQPACKET}
RLIMITS = {"nproc": resource.RLIMIT_NPROC, "nofile": resource.RLIMIT_NOFILE,
           "core": resource.RLIMIT_CORE, "stack": resource.RLIMIT_STACK}


def load_manifest(npk):
    northstar = os.environ.get("NS_BIN", "northstar")
    out = subprocess.run([northstar, "sextant", "inspect", "--json", npk], check=True,
                         stdout=subprocess.PIPE).stdout
    return json.loads(out)["manifest"]


def fake_token(user, target, shared):
    digest = hashlib.sha256(user.encode() + b"\0" + target.encode() + b"\0" + shared)
    return bytes(8) + digest.digest()


class Console(threading.Thread):
    """The runtime's end of a container console: handshake, then one response per
    request, with the permissions of the manifest."""

    def __init__(self, sock, manifest):
        super().__init__(daemon=True)
        self.sock, self.manifest = sock, manifest
        self.me = "%s:%s" % (manifest["name"], manifest["version"])
        perms = manifest["console"]["permissions"]
        self.perms = None if perms == "full" else set(perms)
        self.lines, self.pid = [], None

    def send(self, obj):
        self.sock.sendall(json.dumps(obj, separators=(",", ":")).encode() + b"\n")

    def permitted(self, kind, body):
        if kind == "start" and (body.get("init") or body["arguments"] or body["environment"]):
            kind = "start_command"
        if kind == "token_verify":
            kind = "token_verification"
        return self.perms is None or kind in self.perms

    def data(self, cid):
        if cid == self.me:
            return {"manifest": self.manifest, "repository": "default", "mounted": True,
                    "process": {"pid": self.pid, "uptime": 1000, "statistics": {}}}
        name, version = cid.split(":", 1)
        return {"manifest": {"name": name, "version": version, "init": "/" + name,
                             "uid": 1000, "gid": 1000},
                "repository": "default", "mounted": False, "process": None}

    def answer(self, kind, body):
        name = self.manifest["name"]
        if kind == "ident":
            return {"ident": self.me}
        if kind == "list":
            return {"list": [self.me, OTHER]}
        if kind == "repositories":
            return {"repositories": ["default"]}
        if kind == "inspect":
            c = body["container"]
            if c in (self.me, OTHER):
                return {"inspect": {"ok": {"container": c, "data": self.data(c)}}}
            return {"inspect": {"error": {"container": c, "error": {
                "invalid_container": {"container": c}}}}}
        if kind == "kill":
            c = body["container"]
            if c != self.me:
                return {"kill": {"error": {"container": c, "error": {
                    "stop_container_not_started": {"container": c}}}}}
            self.send({"response": {"kill": {"ok": {"container": c}}}})
            os.kill(self.pid, body["signal"])
            return None
        if kind == "token_create":
            token = fake_token(name, body["target"], base64.b64decode(body["shared"]))
            return {"token": base64.b64encode(token).decode()}
        if kind == "token_verify":
            token = base64.b64decode(body["token"])
            if len(token) != 40:
                raise ValueError("token of %d bytes" % len(token))
            want = fake_token(body["user"], name, base64.b64decode(body["shared"]))
            return {"token_verification": "Ok" if token == want else "Invalid"}
        raise ValueError("request %s is not faked" % kind)

    def handshake(self, line):
        connect = json.loads(line)["connect"]
        major, minor = (int(x) for x in connect["version"].split(".")[:2])
        if (major, minor) < (0, 9):
            self.send({"connect_nack": {"invalid_protocol_version": {"version": "0.9.3"}}})
            return False
        if connect["subscribe_notifications"] and not self.permitted("notifications", {}):
            self.send({"connect_nack": "permission_denied"})
            return False
        self.send({"connect_ack": None})
        if connect["subscribe_notifications"]:
            # One notification ahead of the first response: clients must cope.
            self.send({"notification": {"started": OTHER}})
        return True

    def run(self):
        try:
            reader = self.sock.makefile("rb")
            for n, raw in enumerate(reader):
                line = raw.decode().rstrip("\n")
                self.lines.append(line)
                if n == 0:
                    if not self.handshake(line):
                        return
                    continue
                request = json.loads(line)["request"]
                kind = request if isinstance(request, str) else next(iter(request))
                body = {} if isinstance(request, str) else request[kind]
                if not self.permitted(kind, body):
                    self.send({"response": {"permission_denied": request}})
                    continue
                response = self.answer(kind, body)
                if response is not None:
                    self.send({"response": response})
        except (ValueError, KeyError, OSError) as e:
            self.lines.append("<console closed: %s>" % e)
        finally:
            self.sock.close()


def bind_sockets(manifest, sockdir, env, keep):
    prefix = "%s:%s" % (manifest["name"], manifest["version"])
    for name, s in sorted(manifest.get("sockets", {}).items()):
        path = os.path.join(sockdir, "%s:%s" % (prefix, name))
        if os.path.lexists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, SOCK_TYPES[s["type"]])
        if s.get("passcred"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        sock.bind(path)
        if s["type"] != "datagram":
            sock.listen(16)
        os.chmod(path, s["mode"])
        os.chown(path, s.get("uid", -1), s.get("gid", -1))
        env["NORTHSTAR_SOCKET_" + name] = str(sock.fileno())
        keep.append(sock)


def preexec(manifest, as_user):
    def setup():
        for key, limit in manifest.get("rlimits", {}).items():
            resource.setrlimit(RLIMITS[key], (limit["soft"], limit["hard"]))
        policy = manifest.get("sched", {}).get("policy", {})
        if isinstance(policy, dict) and "fifo" in policy:
            prio = policy["fifo"]["priority"]
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(prio))
        if as_user:
            os.setgroups([])
            os.setgid(manifest["gid"])
            os.setuid(manifest["uid"])
    return setup


def output(kind):
    return {"pipe": subprocess.PIPE, "discard": subprocess.DEVNULL}.get(kind)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--npk", required=True)
    p.add_argument("--bin", required=True)
    p.add_argument("--sockdir")
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--as-user", action="store_true")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("args", nargs="*")
    a = p.parse_args()

    m = load_manifest(a.npk)
    env = {k: str(v) for k, v in m.get("env", {}).items()}
    env.update(NORTHSTAR_NAME=m["name"], NORTHSTAR_VERSION=m["version"],
               NORTHSTAR_CONTAINER="%s:%s" % (m["name"], m["version"]))
    keep, console, theirs = [], None, None
    if a.sockdir:
        env["SOCKET_DIR"] = a.sockdir
        bind_sockets(m, a.sockdir, env, keep)
    if "console" in m:
        ours, theirs = socket.socketpair()
        keep.append(theirs)
        env["NORTHSTAR_CONSOLE"] = str(theirs.fileno())
        console = Console(ours, m)
    env.update(kv.split("=", 1) for kv in a.env)

    io = m.get("io", {})
    stdout = output(io.get("stdout", "discard"))
    stderr = output(io.get("stderr", "discard"))
    if stdout == subprocess.PIPE and stderr == subprocess.PIPE:
        stderr = subprocess.STDOUT
    proc = subprocess.Popen([os.path.abspath(a.bin)] + a.args, env=env, stdin=subprocess.DEVNULL,
                            stdout=stdout if stdout is not None else subprocess.PIPE,
                            stderr=stderr, pass_fds=[s.fileno() for s in keep],
                            preexec_fn=preexec(m, a.as_user), cwd="/")
    if console:
        theirs.close()  # the program's end only: its exit must end our reads
        console.pid = proc.pid
        console.start()
    try:
        out, _ = proc.communicate(timeout=a.timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate()
    sys.stdout.write((out or b"").decode(errors="replace"))
    if console:
        console.join(2)
        for line in console.lines:
            print("console< " + line)
    rc = proc.returncode
    print("status: exit %d" % rc if rc >= 0 else "status: signal %d" % -rc)


if __name__ == "__main__":
    main()
