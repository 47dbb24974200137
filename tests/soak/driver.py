#!/usr/bin/env python3
"""The soak's load, after northstar-stress (spec tests-and-security.md §4): for a fixed
time, one thread per role drives the runtime over its own console connection with the
spec-only client (tests/console_client.py):

  start-stop CONTAINER      start; wait a random 0-300 ms; SIGTERM; wait for the exit
                            notification (a container that ended by itself is fine)
  mount-umount CONTAINER    mount, check it is mounted, umount, check it is not
  install-uninstall NPK     install into mem and fs in turn, start it, uninstall with
                            wipe, each step waiting for its notification
  monkey CONTAINER...       a random action on a random one of them (start, kill with a
                            random signal 1-15, mount, umount) every 0-50 ms, results
                            ignored, as northstar-stress's monkey mode

usage: driver.py URL SECONDS SEED ROLE=ARG[,ARG...]...
At the end every container is stopped (SIGKILL) and unmounted, the NPKs of
install-uninstall are gone, and one line per role gives its iterations. Exit status 1 on
any unexpected answer (printed), 0 otherwise.
"""
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from console_client import Client  # noqa: E402

failures = []
lock = threading.Lock()


def fail(role, what):
    with lock:
        failures.append("%s: %s" % (role, what))


def connect(url, subscribe=False):
    c = Client(url, 30.0)
    ack = c.connect(subscribe)
    if "connect_ack" not in json.loads(ack):
        raise RuntimeError("handshake: " + ack)
    return c


def result(line, kind):
    """The answer's ok value or None, and the error (None on success)."""
    r = json.loads(line)["response"][kind]
    if isinstance(r, dict) and "ok" in r:
        return r["ok"], None
    return None, r


def wait_note(c, pred, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no notification in time")
        note = json.loads(c.notification(left))["notification"]
        if pred(note):
            return note


def is_exit(cid):
    return lambda n: isinstance(n, dict) and "exit" in n and n["exit"][0] == cid


def start_request(cid):
    return {"start": {"container": cid, "init": None, "arguments": [], "environment": {}}}


def start_stop(url, cid, deadline, rng, role):
    c = connect(url, True)
    n = 0
    while time.monotonic() < deadline:
        _, err = result(c.request(start_request(cid)), "start")
        if err:
            return fail(role, "start: %s" % err), n
        time.sleep(rng.uniform(0, 0.3))
        _, err = result(c.request({"kill": {"container": cid, "signal": 15}}), "kill")
        if err and "stop_container_not_started" not in json.dumps(err):
            return fail(role, "kill: %s" % err), n
        wait_note(c, is_exit(cid))
        n += 1
    return None, n


def mount_umount(url, cid, deadline, rng, role):
    c = connect(url)
    n = 0
    while time.monotonic() < deadline:
        for kind, mounted in (("mount", True), ("umount", False)):
            r = json.loads(c.request({kind: {"containers": [cid]}}))["response"][kind]
            if "ok" not in r[0]:
                return fail(role, "%s: %s" % (kind, r)), n
            data = json.loads(c.request({"inspect": {"container": cid}}))
            if data["response"]["inspect"]["ok"]["data"]["mounted"] is not mounted:
                return fail(role, "%s: inspect says mounted=%s" % (kind, not mounted)), n
        time.sleep(rng.uniform(0, 0.05))
        n += 1
    return None, n


def install_uninstall(url, npk, deadline, rng, role):
    c = connect(url, True)
    n = 0
    repos = ["mem", "fs"]
    while time.monotonic() < deadline:
        ok, err = result(c.install(npk, repos[n % 2]), "install")
        if err:
            return fail(role, "install into %s: %s" % (repos[n % 2], err)), n
        cid = ok["container"]
        wait_note(c, lambda x: isinstance(x, dict) and x.get("install") == cid)
        _, err = result(c.request(start_request(cid)), "start")
        if err:
            return fail(role, "start: %s" % err), n
        wait_note(c, is_exit(cid))
        _, err = result(c.request({"uninstall": {"container": cid, "wipe": True}}), "uninstall")
        if err:
            return fail(role, "uninstall: %s" % err), n
        wait_note(c, lambda x: isinstance(x, dict) and x.get("uninstall") == cid)
        n += 1
    return None, n


def monkey(url, cids, deadline, rng, role):
    c = connect(url)
    n = 0
    while time.monotonic() < deadline:
        cid = rng.choice(cids)
        action = rng.choice(["start", "kill", "mount", "umount"])
        if action == "start":
            c.request(start_request(cid))
        elif action == "kill":
            c.request({"kill": {"container": cid, "signal": rng.randint(1, 15)}})
        else:
            c.request({action: {"containers": [cid]}})
        time.sleep(rng.uniform(0, 0.05))
        n += 1
    return None, n


ROLES = {"start-stop": start_stop, "mount-umount": mount_umount,
         "install-uninstall": install_uninstall, "monkey": monkey}


def settle(url):
    """Every container stopped and unmounted, apps before the resources they use."""
    c = connect(url, True)
    ids = json.loads(c.request("list"))["response"]["list"]
    running = []
    for cid in ids:
        data = json.loads(c.request({"inspect": {"container": cid}}))["response"]["inspect"]["ok"]["data"]
        if data.get("process"):
            c.request({"kill": {"container": cid, "signal": 9}})
            running.append(cid)
    for cid in running:
        try:
            wait_note(c, is_exit(cid), 10)
        except TimeoutError:
            # it may have exited between the inspect and the kill: look again
            data = json.loads(c.request({"inspect": {"container": cid}}))["response"]["inspect"]["ok"]["data"]
            if data.get("process"):
                fail("settle", "%s does not exit" % cid)
    for _ in range(3):  # resources are busy until the apps using them are unmounted
        for cid in ids:
            c.request({"umount": {"containers": [cid]}})


def main(argv):
    url, seconds, seed = argv[0], float(argv[1]), int(argv[2])
    deadline = time.monotonic() + seconds
    threads, counts = [], {}
    for i, spec in enumerate(argv[3:]):
        role, _, arg = spec.partition("=")
        args = arg.split(",")
        rng = random.Random(seed + i)
        name = "%s %s" % (role, arg)

        def run(role=role, args=args, rng=rng, name=name):
            try:
                target = args if role == "monkey" else args[0]
                _, counts[name] = ROLES[role](url, target, deadline, rng, name)
            except Exception as e:  # a dropped connection or a timeout is a failure
                fail(name, repr(e))
        t = threading.Thread(target=run)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    try:
        settle(url)
    except Exception as e:
        fail("settle", repr(e))
    for name in sorted(counts):
        print("iterations: %6d  %s" % (counts[name], name))
    for f in failures:
        print("FAILED: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
