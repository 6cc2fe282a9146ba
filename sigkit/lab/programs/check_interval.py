"""Ticks vs time: how often the GIL changes hands, and a main thread waiting beside busy threads.

Python 2 checks every ``sys.setcheckinterval`` "ticks" (100 bytecodes by default) whether to drop
the GIL and run signal handlers; Python 3.2+ uses a time, ``sys.setswitchinterval`` (5 ms).  Run
by each interpreter under study (2.7 too), in one of two modes::

    python check_interval.py switches --seconds 1 [--check-interval N | --switch-interval S]
    python check_interval.py wait --threads 1 [--check-interval N | --switch-interval S]

``switches``: two threads count for ``--seconds`` and note each time the other one ran in between;
prints one JSON line (hand-overs, loop iterations, seconds).  ``wait``: busy daemon threads
count while the main thread sleeps (an interruptible wait on 2.7 too); prints ``ready``; Ctrl-C
ends it -- sigkit's probe times how long the main thread waited for the GIL to run the handler.
"""
# ruff: noqa: UP010  (this program also runs on Python 2.7)
from __future__ import print_function

import json
import platform
import sys
import threading
import time


def take_turns(me, last, until, totals):
    """Count, and count a hand-over whenever the previous iteration was the other thread's."""
    clock = time.time
    switches = iterations = 0
    while True:
        if last[0] != me:
            last[0] = me
            switches += 1
            if clock() >= until:
                break
        iterations += 1
        if iterations % 100000 == 0 and clock() >= until:  # the other thread may have ended
            break
    totals.append((switches, iterations))


def switches(seconds):
    last = [None]  # type: list
    totals = []  # type: list
    until = time.time() + seconds
    workers = [threading.Thread(target=take_turns, args=(me, last, until, totals))
               for me in (0, 1)]
    start = time.time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.time() - start
    getswitchinterval = getattr(sys, "getswitchinterval", None)  # new in 3.2
    print(json.dumps({
        "python": platform.python_version(),
        "check_interval": (
            sys.getcheckinterval() if sys.version_info[0] == 2 else None  # type: ignore[attr-defined]
        ),
        "switch_interval": getswitchinterval() if getswitchinterval else None,
        "seconds": elapsed,
        # each thread's first turn is its start, not a hand-over
        "switches": sum(s for s, _ in totals) - len(totals),
        "iterations": sum(i for _, i in totals),
    }))


def count_forever():
    while True:
        n = 100000
        while n > 0:
            n -= 1


def wait(threads):
    for _ in range(threads):
        worker = threading.Thread(target=count_forever)
        worker.daemon = True  # KeyboardInterrupt in main ends the process
        worker.start()
    print("ready")
    sys.stdout.flush()
    while True:
        time.sleep(3600)  # interruptible on 2.7 too: the handler runs once main has the GIL


def main(argv):
    args = list(argv)
    mode = args.pop(0) if args else ""
    seconds, threads = 1.0, 1
    while args:
        flag = args.pop(0)
        if flag == "--seconds":
            seconds = float(args.pop(0))
        elif flag == "--threads":
            threads = int(args.pop(0))
        elif flag == "--check-interval":
            sys.setcheckinterval(int(args.pop(0)))  # type: ignore[attr-defined]  # Python 2
        elif flag == "--switch-interval":
            sys.setswitchinterval(float(args.pop(0)))
        else:
            mode = ""
            break
    if mode not in ("switches", "wait"):
        print("usage: check_interval.py switches|wait [--seconds S] [--threads N] "
              "[--check-interval N | --switch-interval S]", file=sys.stderr)
        return 2
    if mode == "switches":
        switches(seconds)
    else:
        wait(threads)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
