"""A graceful-shutdown handler installed from a worker thread: ValueError, and no handler.

name: signal-in-thread
summary: signal.signal() called in a worker thread raises ValueError; Ctrl-C is not graceful
teaches: Python runs signal handlers in the main thread only, and signal.signal() may only be
    called there: from any other thread it raises ValueError. The error kills just that thread
    (a traceback on stderr, easy to miss), the program runs on without its handler, and Ctrl-C
    ends it with a raw KeyboardInterrupt instead of the clean shutdown that was planned.
behaviour:
    2.7       ValueError in the setup thread; Ctrl-C then raises KeyboardInterrupt in main.
    3.x       the same.
fix: Install the handler from the main thread (before starting workers); the handler only sets
    an event, and the main loop notices it and shuts down cleanly with exit status 0.
expect-broken: *=ki
expect-fixed: *=exit
ready: ^ready
"""
from __future__ import print_function

import signal
import threading

from _harness import capped, ready, run


def serve_until(stop):
    while capped() and not stop.is_set():
        stop.wait(0.1)  # a timed wait: returns to Python often, on 2.7 too
    print("stopped cleanly")


def broken():
    stop = threading.Event()

    def setup():
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())  # ValueError: not main

    setup_thread = threading.Thread(target=setup, name="setup")
    setup_thread.start()
    setup_thread.join()
    ready("serving; the graceful-shutdown handler was installed from a thread")
    serve_until(stop)


def fixed():
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())  # main thread: allowed
    ready("serving; the graceful-shutdown handler was installed by the main thread")
    serve_until(stop)


if __name__ == "__main__":
    run(broken, fixed)
