"""The baseline: a main thread that just sleeps. Ctrl-C should end it at once, everywhere.

name: idle
summary: main thread sleeps, no other threads: the fastest a Ctrl-C can possibly work
teaches: The reference timeline. The kernel delivers SIGINT, CPython's C handler sets a flag,
    time.sleep() wakes up with EINTR, the main thread runs the Python handler at once and
    KeyboardInterrupt unwinds the program. Every other scenario is this one plus a delay.
behaviour:
    2.7       KeyboardInterrupt out of time.sleep(); exit code 1 with a traceback.
    3.6-3.7   the same.
    3.8+      the same, but the process then ends *by* SIGINT (the shell shows 130).
fix: Nothing to fix: --fixed runs the same code, so both variants give the reference figure.
expect-broken: *=ki
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import os
import signal
import sys
import time

CAP_SECONDS = 60  # safety net: a forgotten run gives up after a minute (exit 3)
STARTED = time.time()


def ready(what):
    """Say we reached the blocking point (sigkit waits for this line before pressing Ctrl-C)."""
    print("ready: " + what)
    sys.stdout.flush()


def capped():
    """True until the safety cap: each "forever" loop below really means "for a minute"."""
    return time.time() < STARTED + CAP_SECONDS + 2


def broken():
    ready("main thread sleeping")
    while capped():
        time.sleep(1)  # sleeps are interruptible on every version


def fixed():
    ready("main thread sleeping")  # the baseline has nothing to fix: same code
    while capped():
        time.sleep(1)


def give_up(signum, frame):
    """SIGALRM after CAP_SECONDS: nobody interrupted us, stop burning the machine."""
    print("safety cap reached: giving up")
    sys.stdout.flush()
    os._exit(3)


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(CAP_SECONDS)
    if "--fixed" in sys.argv[1:]:
        fixed()
    else:
        broken()
