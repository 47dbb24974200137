#!/usr/bin/env python3
"""Console clients against the daemon's bounds (issue 14, items 4 and 8), for
tests/integration/sec_console.sh: TAP on stdout, numbered from TAP_START.

usage: sec_console.py CASE [ARGS...]
  tokens NAME       tokens of the container NAME (through its conrelay) and of extern
  memory N SIZE     N clients each holding an unfinished line of SIZE bytes: the daemon's
                    RSS stays bounded, the operator is served
  timeouts          handshake_timeout and request_timeout of 1 s
  idle N            N clients that never connect, beyond max_connections: the operator is
                    served
  hold N            N connected idle clients; prints how many were acked, refused and
                    are still open (no TAP: the shell asserts), then waits for a line on
                    stdin before closing them
Environment: NS_CONSOLE, NSD_LOG, NSD_PID, T.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_testlib import (Client, Closed, Tap, b64, daemon_fds,  # noqa: E402
                             daemon_rss_kib, log_wait, served, url_connect)

HELLO = b'{"connect":{"version":"0.9.3","subscribe_notifications":false}}\n'


def relay(name):
    path = "%s/sockets/%s:0.0.1:relay" % (os.environ["T"], name)
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.05)
    return Client("unix://" + path)


def closed_within(sock, secs):
    """True when the daemon closes sock (no more bytes) within secs."""
    sock.settimeout(secs)
    try:
        while True:
            b = sock.recv(4096)
            if not b:
                return True
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


def tokens(t, name):
    g = Client()
    c = relay(name)
    s = b64("s")

    def verify(conn, tok, user):
        return conn.request({"token_verify": {"token": tok, "user": user, "shared": s}})

    tok = c.request({"token_create": {"target": "extern", "shared": s}})["token"]
    t.eq("%s's token for extern: verified outside with its name" % name,
         verify(g, tok, name), {"token_verification": "Ok"})
    t.eq("%s's token for extern: not as extern's own" % name,
         verify(g, tok, "extern"), {"token_verification": "Invalid"})
    tok = c.request({"token_create": {"target": name, "shared": s}})["token"]
    t.eq("%s's token for itself: not as extern's" % name,
         verify(c, tok, "extern"), {"token_verification": "Invalid"})
    tok = g.request({"token_create": {"target": name, "shared": s}})["token"]
    t.eq("extern's token for %s: verified there with user extern" % name,
         verify(c, tok, "extern"), {"token_verification": "Ok"})
    t.eq("extern's token for %s: not with user %s" % (name, name),
         verify(c, tok, name), {"token_verification": "Invalid"})
    t.eq("extern's token for %s: not on the global console" % name,
         verify(g, tok, "extern"), {"token_verification": "Invalid"})
    tok = g.request({"token_create": {"target": "extern", "shared": s}})["token"]
    t.eq("extern's token for extern: Ok (spec §6)", verify(g, tok, "extern"),
         {"token_verification": "Ok"})
    t.eq("extern's token for extern: not on %s's console" % name, verify(c, tok, "extern"),
         {"token_verification": "Invalid"})
    for other in ("EXTERN", "Extern"):
        tok = g.request({"token_create": {"target": other, "shared": s}})["token"]
        t.eq("extern's token for %s: not extern's" % other, verify(g, tok, "extern"),
             {"token_verification": "Invalid"})
    c.close()
    g.close()


def memory(t, n, size):
    n, size = int(n), int(size)
    url = os.environ["NS_CONSOLE"]
    rss0 = daemon_rss_kib()
    socks, peak = [], rss0
    chunk = b"a" * 65536
    try:
        for i in range(n):
            s = url_connect(url, 10)
            socks.append(s)
            try:
                if i % 2:
                    s.sendall(HELLO)  # half of them connected, half not
                left = size
                while left > 0:
                    left -= s.send(chunk[:min(left, len(chunk))])
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass  # closed by the budget: what the test is about
            if i % 20 == 0:
                peak = max(peak, daemon_rss_kib())
        time.sleep(0.5)
        peak = max(peak, daemon_rss_kib())
        grew = peak - rss0
        t.ok("%d clients with an unfinished line of %d bytes: RSS grew %d KiB (at most 48 MiB)"
             % (n, size, grew), grew < 48 * 1024, "from %d KiB to %d KiB" % (rss0, peak))
        t.ok("unfinished lines: the operator is served", served())
        t.ok("unfinished lines: the budget is logged",
             log_wait("the global console buffers over max_buffered_size", 5))
    finally:
        for s in socks:
            s.close()
    time.sleep(0.5)
    t.ok("unfinished lines gone: served", served())


def timeouts(t):
    url = os.environ["NS_CONSOLE"]
    silent = url_connect(url, 10)
    t0 = time.monotonic()
    t.ok("a client that never connects is closed after handshake_timeout",
         closed_within(silent, 5))
    took = time.monotonic() - t0
    t.ok("after about 1 s (%.2f s)" % took, 0.8 < took < 3)
    silent.close()
    half = Client()
    half.sock.sendall(b'{"request":"li')
    t0 = time.monotonic()
    t.ok("a line begun and not finished is closed after request_timeout",
         closed_within(half.sock, 5))
    took = time.monotonic() - t0
    t.ok("after about 1 s (%.2f s)" % took, 0.8 < took < 3)
    half.close()
    half = Client(connect=False)
    half.sock.sendall(b'{"connect":{"version":"0.9.3",')
    t.ok("a connect begun and not finished is closed too", closed_within(half.sock, 5))
    half.close()
    # a line sent in pieces within the timeout is served, and so is the next one after
    # an idle pause longer than both timeouts (there is no idle timeout: subscribers)
    slow = Client()
    for piece in (b'{"request"', b':"ide', b'nt"}\n'):
        slow.sock.sendall(piece)
        time.sleep(0.3)
    t.eq("a line in pieces within request_timeout is served", slow.response(),
         {"ident": "extern:0.0.0"})
    time.sleep(2.5)
    t.eq("an idle connected client is not closed (no idle timeout)",
         slow.request("ident"), {"ident": "extern:0.0.0"})
    # a client that keeps making progress is never cut: each line has its own time
    for _ in range(6):
        slow.sock.sendall(b'{"request":"ident"}\n{"request"')
        time.sleep(0.4)
        slow.sock.sendall(b':"ident"}\n')
        slow.response()
        slow.response()
    t.ok("lines that each end in time: served for longer than request_timeout", True)
    slow.close()


def idle(t, n):
    n = int(n)
    url = os.environ["NS_CONSOLE"]
    socks = [url_connect(url, 10) for _ in range(n)]
    time.sleep(0.3)
    try:
        t.ok("%d clients that never connect: the operator is served" % n, served())
        t.ok("and again", served())
        t.ok("the cap is logged",
             log_wait("max_connections \\(\\d+\\) reached|out of descriptors: refusing", 5))
    finally:
        for s in socks:
            s.close()


def hold(t, n):
    """Connected idle clients until the daemon refuses; the shell starts a container
    meanwhile."""
    n = int(n)
    url = os.environ["NS_CONSOLE"]
    socks, held, refused = [], 0, 0
    for _ in range(n):
        try:
            s = url_connect(url, 5)
        except OSError:
            refused += 1
            continue
        socks.append(s)
        try:
            s.sendall(HELLO)
            s.settimeout(2)
            if s.recv(100) == b'{"connect_ack":null}\n':
                held += 1
            else:
                refused += 1
        except (OSError, socket.timeout):
            refused += 1
    time.sleep(0.3)
    still = 0  # newer clients close older idle ones: count what is still open
    for s in socks:
        try:
            s.setblocking(False)
            still += s.recv(1) != b""
        except BlockingIOError:
            still += 1
        except OSError:
            pass
    print("held=%d refused=%d open=%d daemon_fds=%d" % (held, refused, still, daemon_fds()),
          flush=True)
    sys.stdin.readline()
    for s in socks:
        s.close()


def main():
    cases = {"tokens": tokens, "memory": memory, "timeouts": timeouts, "idle": idle,
             "hold": hold}
    if len(sys.argv) < 2 or sys.argv[1] not in cases:
        sys.stderr.write(__doc__)
        return 2
    t = Tap()
    try:
        cases[sys.argv[1]](t, *sys.argv[2:])
    except (Closed, AssertionError, OSError) as e:
        import traceback
        t.ok("case %s ran to the end" % sys.argv[1], False,
             "%s\n%s" % (e, traceback.format_exc()))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
