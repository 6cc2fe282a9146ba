"""A worker counts while the main thread waits in ``join()``: how fast is it before and after Ctrl-C?

The seed's claim about Python 2: when a signal arrives while the main thread is blocked in an
uninterruptible ``join()``, the interpreter "tries to thread-switch after every tick" until the
main thread runs the handler -- "not only can you not interrupt the program, it runs slow as
hell".  Run by each interpreter under study (2.7 too); the parent presses Ctrl-C mid-run::

    python pending_signal.py --seconds 2.5 [--period 0.05]

Prints ``ready`` once the worker counts, then, when the worker's time is up, one JSON line: the
worker's samples ``[time, count]`` and when (if ever) ``KeyboardInterrupt`` reached the main
thread, and whether the worker was still running then.  Times are ``time.time()`` (2.7 has no
monotonic clock; the parent stamps its press with the same clock).
"""
# ruff: noqa: UP010  (this program also runs on Python 2.7)
from __future__ import print_function

import json
import os
import platform
import signal
import sys
import threading
import time

CHUNK = 20000  # decrements between two looks at the clock: ~0.5 ms on a current machine


def cpu_seconds():
    """This process's CPU time: the worker's, as main is blocked (10 ms steps on 2.7)."""
    process_time = getattr(time, "process_time", None)
    if process_time is not None:
        return process_time()
    times = os.times()
    return times[0] + times[1]


def count_for(seconds, period, samples, done):
    """Count down in chunks for ``seconds``; every ``period`` append ``(time, cpu, total)``."""
    clock = time.time
    total = 0
    start = clock()
    samples.append((start, cpu_seconds(), 0))
    next_sample, end = start + period, start + seconds
    while True:
        n = CHUNK
        while n > 0:
            n -= 1
        total += CHUNK
        now = clock()
        if now >= next_sample:
            samples.append((now, cpu_seconds(), total))
            next_sample = now + period
            if now >= end:
                break
    done.set()


def main(argv):
    seconds, period = 2.5, 0.05
    args = list(argv)
    while args:
        flag = args.pop(0)
        if flag == "--seconds":
            seconds = float(args.pop(0))
        elif flag == "--period":
            period = float(args.pop(0))
        else:
            print("usage: pending_signal.py [--seconds S] [--period S]", file=sys.stderr)
            return 2
    # Python's own Ctrl-C handler, even when this process was started with SIGINT ignored (a
    # background job of a non-interactive shell): then Python would not install it at all.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    samples = []  # type: list
    done = threading.Event()
    worker = threading.Thread(target=count_for, args=(seconds, period, samples, done))
    worker.start()
    print("ready")
    sys.stdout.flush()
    interrupted = None
    try:
        worker.join()  # the seed's wait: untimed, so uninterruptible on 2.7
    except KeyboardInterrupt:
        # done, not is_alive(): 3.9-3.12 mark an interrupted join's thread finished
        interrupted = {"at": time.time(), "worker_running": not done.is_set()}
        done.wait()  # not join() again, for the same reason
    print(json.dumps({
        "python": platform.python_version(),
        "samples": samples,
        "interrupted": interrupted,
    }))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
