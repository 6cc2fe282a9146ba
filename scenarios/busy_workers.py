"""Beazley's unkillable program: CPU-bound threads counting down while main joins them.

name: busy-workers
summary: N pure-Python CPU threads; main waits for them in join()
teaches: Two lessons in one. (1) Latency: the Python handler needs the GIL, so with busy
    threads it waits for the switch interval (3.x, 5 ms by default) or the next "check"
    (2.7, every 100 ticks) -- try --switch-interval. (2) The wait itself: join() without a
    timeout is uninterruptible on 2.7, and on 3.x the exit joins the other workers again.
behaviour:
    2.7       join() ignores Ctrl-C while the workers spin: only SIGTERM ends it (the seed's
              "kill -9 from another window").
    3.6-3.8   the 1st Ctrl-C raises KeyboardInterrupt out of join() after about one switch
              interval; the exit then joins the still-running workers: 2 Ctrl-Cs.
    3.9-3.12  the interrupted join() marks *that* thread finished (python/cpython#90882), but
              the exit still waits for the others: 2 Ctrl-Cs.
    3.13      2 Ctrl-Cs.
    pypy3.9   1 Ctrl-C: PyPy ends an unhandled KeyboardInterrupt by killing itself with SIGINT
              before its shutdown joins any thread (app_main.py), so the spinning workers
              die with it (their work is lost) and the handler waits ~0.6 ms, not 5 ms.
fix: Workers check a stop event between chunks of work; main waits with timed waits and on
    KeyboardInterrupt sets the event, waits for the workers to finish and re-raises.
expect-broken: 2.7=term 3.6+=presses=2 pypy=ki
expect-fixed: *=ki
ready: ^ready
options: --threads N (busy threads, default 2), --switch-interval S (3.x: seconds, default 0.005)
"""
from __future__ import print_function

import argparse
import sys
import threading

from _harness import arm_safety_cap, capped, ready, wait_for


def count(n):
    """Pure-Python work, as in the seed: only bytecodes, so the GIL changes hands regularly."""
    while n > 0:
        n -= 1


def broken(threads):
    def spin():
        while capped():
            count(100000)

    workers = [threading.Thread(target=spin, name="worker-%d" % i) for i in range(threads)]
    for worker in workers:
        worker.start()
    ready("main thread joining %d busy workers" % threads)
    for worker in workers:
        worker.join()  # no timeout: on 2.7 this wait cannot be interrupted


def fixed(threads):
    stop = threading.Event()
    dones = [threading.Event() for _ in range(threads)]

    def spin(done):
        try:
            while capped() and not stop.is_set():  # a chance to stop between chunks
                count(100000)
        finally:
            done.set()

    workers = [threading.Thread(target=spin, args=(done,), name="worker-%d" % i)
               for i, done in enumerate(dones)]
    for worker in workers:
        worker.start()
    try:
        ready("main thread waiting for %d busy workers with timed waits" % threads)
        for done in dones:
            wait_for(done)  # not join(): see _harness.wait_for
    except KeyboardInterrupt:
        stop.set()
        for done in dones:
            wait_for(done, 5)
        raise


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="busy pure-Python threads")
    parser.add_argument("--fixed", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--switch-interval", type=float, default=None)
    args = parser.parse_args()
    if args.switch_interval is not None:
        if hasattr(sys, "setswitchinterval"):
            sys.setswitchinterval(args.switch_interval)
        else:
            print("2.7 has no switch interval (it counts ticks: sys.setcheckinterval); ignored")
    arm_safety_cap()
    if args.fixed:
        fixed(args.threads)
    else:
        broken(args.threads)
