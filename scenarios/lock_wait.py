"""The main thread waits for a lock that another thread holds for a long time.

name: lock-wait
summary: main blocks in lock.acquire() while a daemon thread holds the lock
teaches: A plain lock.acquire() is the primitive under join(), Queue.get() and Event.wait().
    On 2.7 it cannot be interrupted, so Ctrl-C is lost while main waits. Since 3.2 it wakes
    on the signal, runs the handler and raises KeyboardInterrupt.
behaviour:
    2.7       acquire() without a timeout ignores Ctrl-C; SIGTERM ends it.
    3.x       KeyboardInterrupt out of acquire() at the first Ctrl-C (the holder is a daemon
              thread, so nothing else holds the exit back).
fix: Wait in short slices that return to Python: acquire(False) plus a short sleep, in a loop
    (on 3.x, acquire(timeout=0.1) in a loop does the same).
expect-broken: 2.7=term 3.6+=ki pypy=ki
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import threading
import time

from _harness import capped, ready, run


def start_holder(lock):
    """A daemon thread that takes the lock and keeps it (a slow writer, say)."""
    taken = threading.Event()

    def hold():
        with lock:
            taken.set()
            while capped():
                time.sleep(0.1)

    holder = threading.Thread(target=hold, name="holder")
    holder.daemon = True
    holder.start()
    taken.wait(5)


def broken():
    lock = threading.Lock()
    start_holder(lock)
    ready("main thread blocked in lock.acquire()")
    lock.acquire()  # no timeout: on 2.7 this wait cannot be interrupted


def fixed():
    lock = threading.Lock()
    start_holder(lock)
    ready("main thread polling the lock")
    while not lock.acquire(False):  # try, and if it is taken...
        time.sleep(0.05)  # ...sleep a little: a sleep is interruptible everywhere


if __name__ == "__main__":
    run(broken, fixed)
