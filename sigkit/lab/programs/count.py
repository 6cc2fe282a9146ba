"""Count down from N twice: one after the other, in two threads, or in two processes.

The experiment from David Beazley's GIL talk.  Run by each interpreter under study (2.7 too), one
mode per run so that no thread exists when multiprocessing forks.  Prints one JSON line::

    python count.py --mode threads --n 10000000
    {"mode": "threads", "n": 10000000, "wall": 0.61, "cpu": 0.62, "python": "3.11.7", ...}

``wall`` is elapsed seconds; ``cpu`` is user+system seconds of this process and its children.
Two threads that only take turns use about as much CPU as wall time; threads fighting over the
GIL on two cores burn more CPU than the work needs.
"""
# ruff: noqa: UP010  (this program also runs on Python 2.7)
from __future__ import print_function

import json
import multiprocessing
import os
import platform
import sys
import threading
import time

clock = getattr(time, "perf_counter", time.time)  # 2.7 has no perf_counter


def count(n):
    while n > 0:
        n -= 1


def both(n):
    count(n)
    count(n)


def sequential(n):
    # One worker thread does both counts, so that "threads" differs by the number of threads
    # alone: here the main thread counts ~10 % slower than a worker on 3.8 and 3.11, which would
    # make two threads look faster than one.
    run_threads([both], n)


def threads(n):
    run_threads([count, count], n)


def run_threads(targets, n):
    workers = [threading.Thread(target=target, args=(n,)) for target in targets]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def processes(n):
    workers = [multiprocessing.Process(target=count, args=(n,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


MODES = {"sequential": sequential, "threads": threads, "processes": processes}


def cpu_seconds():
    times = os.times()
    return times[0] + times[1] + times[2] + times[3]


def main(argv):
    mode, n = "sequential", 10000000
    args = list(argv)
    while args:
        flag = args.pop(0)
        if flag == "--mode":
            mode = args.pop(0)
        elif flag == "--n":
            n = int(args.pop(0))
        else:
            print("usage: count.py [--mode sequential|threads|processes] [--n N]", file=sys.stderr)
            return 2
    if mode not in MODES:
        print("unknown mode: " + mode, file=sys.stderr)
        return 2
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    # Warm up: the first work in a fresh process runs slower (page faults, the CPU clock
    # ramping up, 3.11+'s specializing interpreter adapting), whichever mode comes next.
    count(min(n, 2000000))
    cpu0, t0 = cpu_seconds(), clock()
    MODES[mode](n)
    wall, cpu = clock() - t0, cpu_seconds() - cpu0
    print(json.dumps({
        "mode": mode,
        "n": n,
        "wall": wall,
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil": True if is_gil_enabled is None else bool(is_gil_enabled()),
        "cpus": multiprocessing.cpu_count(),
    }))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
