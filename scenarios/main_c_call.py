"""The main thread itself is inside a C call that never returns to the eval loop.

name: main-c-call
summary: main runs -1 in itertools.count(), a C loop that never checks for signals
teaches: Python handlers run only between bytecodes of the main thread. A C function that loops
    without calling PyErr_CheckSignals gives the flag set by the C handler no chance: Ctrl-C
    is recorded and never acted on. (Big-int arithmetic and regex backtracking *do* check, so
    they stop at once -- not every long C call is a trap.)
behaviour:
    2.7       Ctrl-C is recorded by the C handler and never handled; SIGTERM ends it.
    3.x       the same.
fix: Do the search in Python bytecode (a for loop with an if): the eval loop checks for pending
    signals between bytecodes, so the first Ctrl-C raises KeyboardInterrupt.
expect-broken: *=term
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import itertools
import resource
import time

from _harness import CAP_SECONDS, STARTED, ready, run


def broken():
    ready("main thread inside -1 in itertools.count()")
    return -1 in itertools.count()  # a C loop over a C iterator: no bytecode, no handler


def fixed():
    ready("main thread searching itertools.count() in a Python loop")
    for number in itertools.count():  # one bytecode loop turn per number
        if number == -1:
            return True
        if number % 100000 == 0 and time.time() > STARTED + CAP_SECONDS + 2:
            return False


if __name__ == "__main__":
    # The broken variant never runs a bytecode again, so give_up() could never run either:
    # a CPU-time limit lets the kernel end it instead (SIGKILL after CAP_SECONDS of CPU).
    resource.setrlimit(resource.RLIMIT_CPU, (CAP_SECONDS, CAP_SECONDS))
    run(broken, fixed)
