#!/usr/bin/env python3
"""The console's server side against the spec (console-protocol.md, tests-and-security.md
§5b P-C1..P-C4): TAP on stdout. Every line the server sends is checked with
tests/console_spec.py (written from the spec alone) against the request it answers.

usage: console_suite.py SUITE [ARGS...]
  spec        every request, response, error variant and notification the daemon can
              produce, tokens (fresh, expired, future, wrong shared, flipped, target)
  session     the example session of spec §8 (a console without `repositories`)
  deny PERM   PERM missing from the console's set: its requests are denied, echoed,
              and the connection carries on (notifications: the subscription nacked)
  hostile     hostile input, each case followed by another client being served
  containers  container consoles through conrelay (tests/helpers/conrelay.c)
The tests/integration/console_*.sh scripts set up the daemon and the environment:
NS_CONSOLE (the console URL), NSD_LOG (the daemon's log), NSD_PID, T (the test dir).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_testlib import Tap  # noqa: E402
import console_suites_spec  # noqa: E402
import console_suites_hostile  # noqa: E402

SUITES = {}
SUITES.update(console_suites_spec.SUITES)
SUITES.update(console_suites_hostile.SUITES)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in SUITES:
        sys.stderr.write(__doc__ + "suites: %s\n" % " ".join(sorted(SUITES)))
        return 2
    t = Tap()
    try:
        SUITES[sys.argv[1]](t, *sys.argv[2:])
    except Exception as e:  # a broken suite is a failure, not a crash without TAP
        import traceback
        t.ok("suite %s ran to the end" % sys.argv[1], False,
             "%s\n%s" % (e, traceback.format_exc()))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
