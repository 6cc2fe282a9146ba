"""The main thread waits in Queue.get() for a result that takes forever to come.

name: queue-get
summary: main blocks in results.get() with no timeout; the worker is slow to answer
teaches: Queue.get() waits on a Condition, that is, on a lock: uninterruptible on 2.7, so the
    classic "worker threads plus a results queue" program ignores Ctrl-C there. On 3.x the
    same wait raises KeyboardInterrupt at once.
behaviour:
    2.7       get() without a timeout ignores Ctrl-C; SIGTERM ends it.
    3.x       KeyboardInterrupt out of get() at the first Ctrl-C (the worker is a daemon).
fix: Pass a timeout and loop on queue.Empty: Python gets control back after every slice
    (on 2.7 a timed wait is a loop of short sleeps, and sleeps are interruptible).
expect-broken: 2.7=term 3.6+=ki pypy=ki
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import threading
import time

from _harness import capped, ready, run

try:
    import queue
except ImportError:  # Python 2.7
    import Queue as queue

def start_worker(results):
    """A daemon worker that takes "forever" (until the cap) before it puts its result."""
    def work():
        while capped():
            time.sleep(0.1)
        results.put("done")

    worker = threading.Thread(target=work, name="worker")
    worker.daemon = True
    worker.start()


def broken():
    results = queue.Queue()
    start_worker(results)
    ready("main thread blocked in results.get()")
    print(results.get())  # no timeout: on 2.7 this wait cannot be interrupted


def fixed():
    results = queue.Queue()
    start_worker(results)
    ready("main thread polling results.get(timeout=0.1)")
    while True:
        try:
            print(results.get(timeout=0.1))
            break
        except queue.Empty:
            continue  # back in Python between slices: Ctrl-C gets through


if __name__ == "__main__":
    run(broken, fixed)
