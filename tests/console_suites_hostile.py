"""Suites of tests/console_suite.py: hostile clients (spec §1.2-§1.4, tests-and-security
§5b P-C2). Each case closes only the hostile connection: after it, another client is
served. The daemon runs with max_npk_install_size 3M, npk_stream_timeout 2s,
max_requests_per_sec 200 and notification_buffer_size 16 (console_hostile.sh)."""
import os
import resource
import socket
import time

from console_testlib import (Client, Closed, b64, daemon_fds, daemon_rss_kib, log_text,
                             log_wait, served, start_req, url_connect)

SUITES = {}


def suite(fn):
    SUITES[fn.__name__] = fn
    return fn


KILL = b'{"request":{"kill":{"container":"a:0.0.1","signal":%s}}}'
CASES = [
    ("bad JSON", b'{"request":'),
    ("not an object", b'[1,2,3]'),
    ("an unknown request", b'{"request":"frobnicate"}'),
    ("an unknown message key", b'{"hello":1}'),
    ("a missing field", b'{"request":{"kill":{"container":"a:0.0.1"}}}'),
    ("a field of the wrong type", b'{"request":{"kill":{"container":"a:0.0.1","signal":"9"}}}'),
    ("an invalid container id", b'{"request":{"inspect":{"container":"a"}}}'),
    ("a version that is not X.Y.Z", b'{"request":{"inspect":{"container":"a:1.0"}}}'),
    ("a container name with a slash", b'{"request":{"inspect":{"container":"a/b:1.0.0"}}}'),
    ("invalid UTF-8 in a string", b'{"request":{"inspect":{"container":"a\xff:0.0.1"}}}'),
    ("invalid UTF-8 in an ignored key", b'{"request":"list","x":"\xc3\x28"}'),
    ("a NUL byte", b'{"request":"list"}\x00'),
    ("a NUL escape in init", b'{"request":{"start":{"container":"a:0.0.1","init":"a\\u0000",'
                            b'"arguments":[],"environment":{}}}}'),
    ("deep nesting", b'{"request":{"list":' + b'[' * 1000 + b']' * 1000 + b'}}'),
    ("deep nesting in an ignored key", b'{"request":"list","x":' + b'{"a":' * 200 + b'1' +
     b'}' * 200 + b'}'),
    ("a huge integer", KILL % b'99999999999999999999999999'),
    ("an integer over i32", KILL % b'2147483648'),
    ("a fractional number", KILL % b'1.5'),
    ("an exponent", KILL % b'1e1'),
    ("a number beyond doubles", KILL % b'1e400'),
    ("a size over u64", b'{"request":{"install":{"repository":"mem","size":18446744073709551616}}}'),
    ("a negative size", b'{"request":{"install":{"repository":"mem","size":-1}}}'),
    ("a token not 40 bytes", ('{"request":{"token_verify":{"token":"%s","user":"a","shared":""}}}'
                              % b64(bytes(39))).encode()),
    ("base64 that is not canonical", b'{"request":{"token_create":{"target":"a","shared":"aGVsbG8"}}}'),
    ("an empty line", b''),
    ("a second connect", b'{"connect":{"version":"0.9.3","subscribe_notifications":false}}'),
    ("a response from the client", b'{"response":"shutdown"}'),
    ("a notification from the client", b'{"notification":"shutdown"}'),
    ("two message keys", b'{"request":"list","response":"shutdown"}'),
    ("a unit request written as an object", b'{"request":{"list":null}}'),
    ("a duplicate key", b'{"request":{"kill":{"container":"a:0.0.1","signal":9,"signal":15}}}'),
    ("a reserved environment key that is not a string", b'{"request":{"start":{"container":'
     b'"a:0.0.1","init":null,"arguments":[],"environment":{"A":1}}}}'),
]


def raw_client(connect=True):
    c = Client(connect=connect)
    return c


def closes(t, name, data, connect=True):
    c = raw_client(connect)
    try:
        c.send(data)
        t.ok(name + ": the connection is closed without an answer", c.closed_silently())
    except (BrokenPipeError, ConnectionResetError):
        t.ok(name + ": the connection is closed without an answer", True)
    finally:
        c.close()
    t.ok(name + ": another client is served", served())


def sendall_quiet(sock, data):
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


@suite
def hostile(t):
    T = os.environ["T"]
    fds0 = daemon_fds()
    # the connect deadline runs meanwhile (10 s): silent, half a line, and connected
    silent = Client(connect=False)
    half = Client(connect=False)
    half.sock.sendall(b'{"connect":{"version":"0.9.3",')
    idle = Client()
    t_deadline = time.monotonic()

    for name, data in CASES:
        closes(t, name, data)
    closes(t, "a request before connect", b'{"request":"list"}', connect=False)
    closes(t, "junk before connect", b'\x16\x03\x01\x02\x00\x01\x00', connect=False)

    # an unterminated last line is a line at end of file (tokio's LinesCodec)
    c = Client()
    c.sock.sendall(b'{"request":"ident"}')
    c.sock.shutdown(socket.SHUT_WR)
    t.eq("an unterminated last line at EOF: answered", c.response(), {"ident": "extern:0.0.0"})
    t.ok("an unterminated last line at EOF: then closed", c.closed_silently())
    c.close()
    c = Client()
    c.sock.sendall(b'{"request":"ide')
    time.sleep(0.3)
    c.sock.sendall(b'nt"}\n')
    t.eq("a line in two pieces: answered", c.response(), {"ident": "extern:0.0.0"})
    c.close()

    # line length: max_request_size is 1 MiB
    c = Client()
    line = b'{"request":"ident"}'
    c.send(line + b" " * (1048576 - len(line)))
    t.eq("a line of exactly max_request_size: answered", c.response(), {"ident": "extern:0.0.0"})
    c.close()
    c = Client()
    sendall_quiet(c.sock, b'{"request":"ident"}' + b" " * 1048576 + b"\n")
    t.ok("a line one byte over max_request_size: closed without an answer", c.closed_silently())
    t.ok("over max_request_size: another client is served", served())
    c = Client()
    sendall_quiet(c.sock, b"x" * (3 << 20))
    t.ok("3 MiB without a newline: closed", c.closed_silently())
    t.ok("3 MiB without a newline: another client is served", served())

    install_cases(t, T)
    stalled_reader(t)
    rate_limit(t)

    # the connect deadline: 10 s after accept, silent and half-line clients are gone
    time.sleep(max(0.0, 10.5 - (time.monotonic() - t_deadline)))
    for name, c in (("silent", silent), ("half a line", half)):
        try:
            c.raw_line(2)
            t.ok("connect timeout (%s): closed" % name, False, "got a line")
        except Closed:
            t.ok("connect timeout (%s): closed after 10 s" % name, True)
        except TimeoutError:
            t.ok("connect timeout (%s): closed after 10 s" % name, False, "still open")
    t.eq("no idle timeout after the handshake", idle.request("ident"), {"ident": "extern:0.0.0"})
    idle.close()
    silent.close()
    half.close()
    lagging_subscriber(t)
    many_connections(t)
    time.sleep(0.5)
    t.eq("no descriptor left behind", daemon_fds(), fds0)


def install_cases(t, T):
    npk = open(T + "/app-0.0.1.npk", "rb").read()
    # over max_npk_install_size (1M here): closed before any byte is read
    c = Client()
    t0 = time.monotonic()
    c.send(b'{"request":{"install":{"repository":"mem","size":3000001}}}')
    t.ok("install over max_npk_install_size (3M): closed at once, no answer",
         c.closed_silently(1.5) and time.monotonic() - t0 < 1.5)
    t.ok("install over the limit: another client is served", served())
    # payload shorter than declared, then the client leaves
    c = Client()
    c.send(('{"request":{"install":{"repository":"default","size":%d}}}' % (len(npk) + 100)).encode())
    c.sock.sendall(npk)
    c.sock.shutdown(socket.SHUT_WR)
    t.ok("payload shorter than declared, then EOF: closed without an answer", c.closed_silently())
    c.close()
    time.sleep(0.2)
    t.eq("payload shorter than declared: no temporary file left",
         [f for f in os.listdir(T + "/repo") if f.startswith(".install-")], [])
    t.ok("payload shorter than declared: another client is served", served())
    # payload shorter than declared, then nothing: npk_stream_timeout (2 s)
    c = Client()
    c.send(('{"request":{"install":{"repository":"default","size":%d}}}' % (len(npk) + 1)).encode())
    c.sock.sendall(npk)
    t0 = time.monotonic()
    closed = c.closed_silently(6)
    took = time.monotonic() - t0
    t.ok("a stalled NPK stream: closed after npk_stream_timeout (2 s; took %.1f s)" % took,
         closed and 1.8 <= took <= 4.5)
    c.close()
    t.ok("a stalled NPK stream: another client is served", served())
    # payload longer than declared: the rest is read as lines
    c = Client()
    req = {"install": {"repository": "mem", "size": len(npk)}}
    c.send({"request": req})
    c.sock.sendall(npk + b"this is not JSON\n")
    t.eq("payload longer than declared: the install is answered",
         c.response(req, 30), {"install": {"ok": {"container": "app:0.0.1"}}})
    t.ok("payload longer than declared: the extra bytes close the connection", c.closed_silently())
    t.eq("payload longer than declared: another client is served",
         Client().request({"uninstall": {"container": "app:0.0.1", "wipe": False}}),
         {"uninstall": {"ok": {"container": "app:0.0.1"}}})


def cpu_ticks():
    with open("/proc/%s/stat" % os.environ["NSD_PID"]) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def stalled_reader(t):
    """A client that sends and never reads: the daemon stops reading it once its answer
    cannot be written, and serves everyone else."""
    c = Client()
    c.sock.setblocking(False)
    sent = 0
    chunk = b'{"request":"list"}\n' * 1000
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            sent += c.sock.send(chunk)
        except BlockingIOError:
            time.sleep(0.1)
            try:
                sent += c.sock.send(chunk)
            except BlockingIOError:
                break
    rss0 = daemon_rss_kib()
    ticks0 = cpu_ticks()
    time.sleep(1)
    t.ok("a client that never reads: the daemon does not spin (CPU %d ticks in 1 s)" %
         (cpu_ticks() - ticks0), cpu_ticks() - ticks0 < 20)
    t.ok("a client that never reads: another client is served", served())
    t.ok("a client that never reads: memory bounded (RSS %d KiB)" % daemon_rss_kib(),
         daemon_rss_kib() < rss0 + 4096)
    c.close()
    t.ok("a client that never reads, gone: another client is served", served())


def rate_limit(t):
    """max_requests_per_sec 200: 500 pipelined requests take two more seconds, none is
    refused, and other connections are not held up."""
    c = Client()
    t0 = time.monotonic()
    c.sock.sendall(b'{"request":"ident"}\n' * 500)
    times = []
    other = None
    for i in range(500):
        if c.response() != {"ident": "extern:0.0.0"}:
            break
        times.append(time.monotonic() - t0)
        if i == 250:
            o0 = time.monotonic()
            served()
            other = time.monotonic() - o0
    t.eq("rate limit: every request answered", len(times), 500)
    if len(times) == 500:
        t.ok("rate limit: 500 requests at 200/s take at least 1.9 s (%.2f s)" % times[-1],
             times[-1] >= 1.9)
        gaps = [times[i + 200] - times[i] for i in range(300)]
        t.ok("rate limit: request n+200 waits a second after request n (min %.3f s)" % min(gaps),
             min(gaps) >= 0.95)
        t.ok("rate limit: the first 199 (and connect) are not delayed (%.3f s)" % times[198],
             times[198] < 0.8)
    t.ok("rate limit: another connection is not held up (%.3f s)" % (other or -1),
         other is not None and other < 0.5)
    c.close()


def lagging_subscriber(t):
    """notification_buffer_size 16: a subscriber that never reads is disconnected once
    16 lines wait beyond what its socket takes; nobody else suffers."""
    lazy = Client(subscribe=True)
    ctl = Client(subscribe=True)
    data = open(os.environ["T"] + "/app-0.0.1.npk", "rb").read()
    req = {"install": {"repository": "mem", "size": len(data)}}
    ctl.send({"request": req})
    ctl.sock.sendall(data)
    ctl.response(req, 30)
    cycles = 0
    t0 = time.monotonic()
    while cycles < 3000 and time.monotonic() - t0 < 60:
        ctl.request(start_req("app:0.0.1"))
        ctl.wait_note(lambda n: isinstance(n, dict) and "exit" in n)
        cycles += 1
        if cycles % 20 == 0 and "lags behind" in log_text():
            break
    t.ok("a subscriber that never reads is disconnected (after %d start/exit cycles)" % cycles,
         log_wait("a subscriber \\(extern\\) lags behind by more than 16 lines", 2))
    got = 0
    try:
        while True:
            lazy.notification(5)
            got += 1
    except Closed:
        pass
    t.ok("the lagging subscriber reads what the socket held, then EOF (%d notifications)" % got,
         got > 0)
    t.ok("the other subscriber carries on", ctl.request("ident") == {"ident": "extern:0.0.0"})
    ctl.request({"uninstall": {"container": "app:0.0.1", "wipe": False}})
    ctl.close()
    lazy.close()
    t.ok("lagging subscriber: another client is served", served())


def settled_fds():
    """The daemon's descriptor count once connections closed just before are gone."""
    last = daemon_fds()
    for _ in range(50):
        time.sleep(0.1)
        now = daemon_fds()
        if now == last:
            return now
        last = now
    return last


def many_connections(t, n=10000):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < n + 200:
        t.ok("10,000 connections # SKIP the descriptor limit is %d" % hard)
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    url = os.environ["NS_CONSOLE"]
    fds0 = settled_fds()
    socks = []
    try:
        t0 = time.monotonic()
        for _ in range(n):
            socks.append(url_connect(url, 30))
        hello = b'{"connect":{"version":"0.9.3","subscribe_notifications":false}}\n'
        for s in socks:
            s.sendall(hello)
        acked = 0
        for s in socks:
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(100)
                if not chunk:
                    break
                buf += chunk
            acked += buf == b'{"connect_ack":null}\n'
        took = time.monotonic() - t0
        t.eq("10,000 connections: all acked (%.1f s)" % took, acked, n)
        t.ok("10,000 connections: the daemon holds them (%d descriptors, RSS %d KiB)" %
             (daemon_fds(), daemon_rss_kib()), daemon_fds() >= fds0 + n)
        t.ok("10,000 connections: another client is served", served())
        s = socks[n // 2]
        s.sendall(b'{"request":"ident"}\n')
        t.eq("10,000 connections: one of them is served", s.recv(100),
             b'{"response":{"ident":"extern:0.0.0"}}\n')
    finally:
        for s in socks:
            s.close()
    deadline = time.monotonic() + 10
    while daemon_fds() > fds0 and time.monotonic() < deadline:
        time.sleep(0.1)
    t.eq("10,000 connections closed: the descriptors are back", daemon_fds(), fds0)
    t.ok("10,000 connections closed: another client is served", served())


@suite
def nofds(t):
    """The daemon runs with 64 descriptors: connections beyond are accepted and closed at
    once (not left hanging), without spinning, and serving resumes when some close."""
    url = os.environ["NS_CONSOLE"]
    socks, refused = [], 0
    for _ in range(150):
        s = url_connect(url, 5)
        socks.append(s)
    time.sleep(0.5)
    ticks0 = cpu_ticks()
    for s in socks:
        s.settimeout(0.05)
        try:
            if s.recv(10) == b"":
                refused += 1
        except (socket.timeout, ConnectionResetError):
            pass
    t.ok("out of descriptors: connections beyond are closed at once (%d of 150)" % refused,
         40 < refused < 150)
    time.sleep(1)
    t.ok("out of descriptors: no spin (%d ticks in 1 s)" % (cpu_ticks() - ticks0),
         cpu_ticks() - ticks0 < 20)
    t.ok("out of descriptors: logged", log_wait("out of descriptors: refusing connections", 2))
    for s in socks:
        s.close()
    time.sleep(0.3)
    t.ok("out of descriptors: served again once connections close", served())
    t.ok("out of descriptors: the return is logged", log_wait("accepting connections again", 2))
