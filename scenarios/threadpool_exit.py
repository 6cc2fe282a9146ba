"""Ctrl-C inside `with ThreadPoolExecutor()` while lots of work is still queued.

name: threadpool-exit
summary: main waits on futures inside a with-block; 400 short jobs are still queued
teaches: Leaving the with-block calls shutdown(wait=True), which runs *every* queued job
    before returning, and the interpreter's exit joins the workers once more. So the first
    Ctrl-C only starts a long drain; it takes more presses to get out. "Presses to exit" is
    the figure to look at.
behaviour:
    2.7       no concurrent.futures in the standard library: the script says so and exits.
    3.6+      1st Ctrl-C: KeyboardInterrupt leaves the with-block, whose shutdown(wait=True)
              drains the queue; 2nd: interrupts that join; 3rd: interrupts the join at exit.
    pypy3.9   2 Ctrl-Cs: the 2nd KeyboardInterrupt leaves the program, and PyPy kills itself
              with SIGINT before the exit-time join (its atexit handlers never run).
fix: On KeyboardInterrupt cancel the futures that have not started (3.9+:
    shutdown(cancel_futures=True) does the same), then re-raise: the with-block then only
    waits for the jobs already running.
expect-broken: *=presses=3 pypy=presses=2
expect-fixed: *=ki
ready: ^ready
ladder: INT,INT,INT,TERM,KILL
min-python: 3.6
"""
from __future__ import print_function

import sys
import time

if sys.version_info < (3, 6):
    sys.exit("threadpool-exit needs Python 3.6+ (concurrent.futures); this is %d.%d"
             % sys.version_info[:2])

from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from _harness import ready, run

JOBS = 400  # 400 jobs x 0.1 s on 2 workers: a 20 s drain
WORKERS = 2


def job(i):
    time.sleep(0.1)  # a short piece of I/O-ish work
    return i


def broken():
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(job, i) for i in range(JOBS)]
        ready("main waiting for %d queued jobs inside the with-block" % JOBS)
        for future in futures:
            future.result()
    # leaving the block (normally or by KeyboardInterrupt) runs shutdown(wait=True)


def fixed():
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(job, i) for i in range(JOBS)]
        try:
            ready("main waiting for %d queued jobs inside the with-block" % JOBS)
            for future in futures:
                future.result()
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()  # only jobs not yet started can be cancelled: that is the queue
            raise


if __name__ == "__main__":
    run(broken, fixed)
