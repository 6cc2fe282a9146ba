"""A worker thread holds the GIL inside one long C call; the main thread cannot run its handler.

name: gil-hog
summary: a daemon worker sits in sum(range(n)) for ~1 s at a time, holding the GIL
teaches: The C handler runs at once, but the Python handler needs the GIL, and a thread inside
    one long C call (sum over a range, a C extension that never checks signals) keeps it for
    the whole call: the KeyboardInterrupt comes when the call returns. Same verdict as idle,
    very different latency -- compare the two timelines. --hold sets the call's length.
    Whatever main does next is exposed too: after 5 ms of Python it hands the GIL back to the
    hog for another whole call, so printing the traceback and shutting down drag on for
    seconds. That is why the worker rests between calls here; --rest 0 shows the worst case.
behaviour:
    2.7       the KeyboardInterrupt waits for the current C call.
    3.x       the KeyboardInterrupt waits for the current C call (about --hold seconds).
    pypy3.9   ~10 ms, not ~1 s: PyPy's sum() is Python code (__builtin__/app_functional.py),
              so the loop passes bytecode boundaries where PyPy hands the GIL over.
fix: Cut the work into small C calls (sum a chunk at a time): between chunks the thread returns
    to the eval loop, which hands the GIL over within one switch interval. Check a stop event
    between chunks too, so that the exit does not share the GIL with a busy thread.
expect-broken: *=ki
expect-fixed: *=ki
ready: ^ready
options: --hold S (seconds each C call holds the GIL, default 1.0), --rest S (pause between
    calls, default: --hold). With --rest 0 (measured): on 2.7 the main thread never gets the
    GIL back, no handler runs; on 3.x the handler runs after ~1 s but the exit takes so many
    more calls that it needs a 2nd Ctrl-C or SIGTERM.
"""
from __future__ import print_function

import argparse
import threading
import time

from _harness import arm_safety_cap, capped, ready

try:
    numbers = xrange  # Python 2.7: range() would build a list
except NameError:
    numbers = range

CHUNK = 100000  # ~1-3 ms of C work per call in the fixed variant


def calibrate(hold):
    """How many numbers sum() gets through in `hold` seconds on this machine."""
    start = time.time()
    sum(numbers(10 * CHUNK))
    per_number = (time.time() - start) / (10 * CHUNK)
    return max(CHUNK, int(hold / max(per_number, 1e-9)))


def start_hog(work, hold, rest):
    """Start the worker; it says "ready" itself, just before its first long call."""
    def hog():
        time.sleep(0.2)  # let main settle into its sleep first
        ready("worker holds the GIL in C calls of ~%.1f s; main sleeps" % hold)
        while capped():
            work()
            time.sleep(rest)  # a rest between jobs: the GIL is free, main can finish exiting

    worker = threading.Thread(target=hog, name="hog")
    worker.daemon = True
    worker.start()


def broken(n, hold, rest):
    def work():
        sum(numbers(n))  # one C call: never returns to the eval loop until done

    start_hog(work, hold, rest)
    while capped():
        time.sleep(0.1)  # interruptible -- but the handler needs the GIL back


def fixed(n, hold, rest):
    stop = threading.Event()

    def work():
        total = 0
        for start in numbers(0, n, CHUNK):  # many short C calls, bytecodes in between
            if stop.is_set():
                return
            total += sum(numbers(start, min(start + CHUNK, n)))

    start_hog(work, hold, rest)
    try:
        while capped():
            time.sleep(0.1)  # the handler gets the GIL within a switch interval
    except KeyboardInterrupt:
        stop.set()  # the worker quits after its current chunk: the exit has the GIL to itself
        raise


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="a worker thread holding the GIL")
    parser.add_argument("--fixed", action="store_true")
    parser.add_argument("--hold", type=float, default=1.0)
    parser.add_argument("--rest", type=float, default=None)
    args = parser.parse_args()
    rest = args.hold if args.rest is None else args.rest
    arm_safety_cap()
    n = calibrate(args.hold)
    if args.fixed:
        fixed(n, args.hold, rest)
    else:
        broken(n, args.hold, rest)
