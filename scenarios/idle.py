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

import time

from _harness import capped, ready, run


def broken():
    ready("main thread sleeping")
    while capped():
        time.sleep(1)  # sleeps are interruptible on every version


def fixed():
    ready("main thread sleeping")  # the baseline has nothing to fix: same code
    while capped():
        time.sleep(1)


if __name__ == "__main__":
    run(broken, fixed)
