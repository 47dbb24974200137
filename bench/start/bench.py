#!/usr/bin/env python3
"""Timing for bench/start/run.sh.

  bench.py ours URL ID N       start ID through the console (one subscribed connection)
                               and wait for its exit notification, N times
  bench.py cmd N -- ARGV...    run ARGV N times
  bench.py bundle ROOT DIR     write an OCI bundle (config.json) for crun in DIR
  bench.py all URL ID N TRUE BUNDLE
                               the three interleaved, one run of each in turn, so that
                               the load of a shared machine weighs on all alike: prints
                               "ours ...", "floor ..." and "crun ..." (crun skipped when
                               BUNDLE is "-")
  bench.py multi N TRUE NAME=URL#ID...
                               interleaved starts of each ID through its URL (several
                               daemons or containers), and the floor: "NAME ..." lines
Each timing prints "n=N p50_us=.. p99_us=.. mean_us=..", after 10 unmeasured runs.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
import console_client  # noqa: E402

WARMUP = 10


def summary(samples):
    s = sorted(samples)
    n = len(s)
    p = lambda q: s[min(n - 1, int(q * n))]
    return "n=%d p50_us=%.0f p99_us=%.0f mean_us=%.0f" % (
        n, p(0.50) * 1e6, p(0.99) * 1e6, sum(s) / n * 1e6)


class Ours:
    """One subscribed connection; a run is start, then wait for the exit notification."""

    def __init__(self, url, cid):
        self.c = console_client.Client(url, 30)
        self.c.connect(subscribe=True)
        req = {"request": {"start": {"container": cid, "init": None, "arguments": [],
                                     "environment": {}}}}
        self.line = json.dumps(req, separators=(",", ":")).encode() + b"\n"

    def __call__(self):
        t0 = time.perf_counter()
        self.c.sock.sendall(self.line)
        resp = self.c.response()
        if '"ok"' not in resp:
            raise SystemExit("start failed: " + resp)
        while True:
            note = json.loads(self.c.notification())["notification"]
            if isinstance(note, dict) and "exit" in note:
                return time.perf_counter() - t0


class Cmd:
    def __init__(self, argv):
        self.argv = argv

    def __call__(self):
        t0 = time.perf_counter()
        r = subprocess.run(self.argv, stdin=subprocess.DEVNULL)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit("%s: exit status %d" % (self.argv[0], r.returncode))
        return dt


def measure(runners, n):
    """Runs each runner once per round, n rounds after the warm-up ones."""
    samples = [[] for _ in runners]
    for i in range(n + WARMUP):
        for k, run in enumerate(runners):
            dt = run()
            if i >= WARMUP:
                samples[k].append(dt)
    return samples


def ours(url, cid, n):
    return measure([Ours(url, cid)], n)[0]


def cmd(n, argv):
    return measure([Cmd(argv)], n)[0]


FLOOR = ["unshare", "--mount", "--pid", "--ipc", "--uts", "--net", "--fork"]


def everything(url, cid, n, true, bundle_dir):
    names = ["ours", "floor"]
    runners = [Ours(url, cid), Cmd(FLOOR + [true])]
    if bundle_dir != "-":
        names.append("crun")
        runners.append(Cmd(["crun", "--cgroup-manager=disabled", "run", "--bundle",
                            bundle_dir, "nsbench"]))
    for name, s in zip(names, measure(runners, n)):
        print(name, summary(s), flush=True)


def multi(n, true, specs):
    names, runners = [], []
    for spec in specs:
        name, _, rest = spec.partition("=")
        url, _, cid = rest.partition("#")
        names.append(name)
        runners.append(Ours(url, cid))
    names.append("floor")
    runners.append(Cmd(FLOOR + [true]))
    for name, s in zip(names, measure(runners, n)):
        print(name, summary(s), flush=True)


def bundle(root, d):
    """crun's own spec, cut down to what the northstard container gets: the image as a
    read-only root, new pid/net/ipc/uts/mount namespaces, uid 1000, no capabilities,
    no_new_privs, no mounts but the /dev tmpfs crun insists on."""
    subprocess.run(["crun", "spec"], cwd=d, check=True)
    with open(os.path.join(d, "config.json")) as f:
        spec = json.load(f)
    spec["root"] = {"path": root, "readonly": True}
    p = spec["process"]
    p["terminal"] = False
    p["args"] = ["/bin/true"]
    p["user"] = {"uid": 1000, "gid": 1000}
    p["noNewPrivileges"] = True
    p["capabilities"] = {k: [] for k in p.get("capabilities", {})}
    p.pop("rlimits", None)
    # OCI runtimes make the default devices in /dev: crun needs somewhere to put them
    spec["mounts"] = [m for m in spec["mounts"] if m["destination"] == "/dev"]
    lin = spec["linux"]
    lin["namespaces"] = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]
    lin.pop("maskedPaths", None)
    lin.pop("readonlyPaths", None)
    lin.pop("resources", None)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(spec, f, indent=1)


def main(argv):
    if argv[0] == "ours":
        print(summary(ours(argv[1], argv[2], int(argv[3]))))
    elif argv[0] == "cmd":
        print(summary(cmd(int(argv[1]), argv[3:])))
    elif argv[0] == "all":
        everything(argv[1], argv[2], int(argv[3]), argv[4], argv[5])
    elif argv[0] == "multi":
        multi(int(argv[1]), argv[2], argv[3:])
    elif argv[0] == "bundle":
        bundle(argv[1], argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
