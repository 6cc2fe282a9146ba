"""The main module has finished, but a non-daemon thread is still running: the program stays.

name: nondaemon-shutdown
summary: main returns while a non-daemon worker keeps going; the exit waits for it
teaches: When the main module ends, the interpreter joins every non-daemon thread
    (threading._shutdown) before it exits -- a join hidden where no one reads it. Ctrl-C then
    lands in that hidden join: uninterruptible on 2.7; on 3.x it breaks the join, prints
    "Exception ignored" and exits with the worker killed mid-work.
behaviour:
    2.7       the hidden join ignores Ctrl-C; SIGTERM ends it.
    3.x       the 1st Ctrl-C interrupts the hidden join ("Exception ignored in: <module
              'threading'>" and a KeyboardInterrupt traceback), then the process exits with
              status 0: not 1, and on 3.8+ not by SIGINT either -- a script checking $? sees
              success although the worker was killed mid-work.
    pypy3.9   the same: this Ctrl-C lands in the exit-time join itself, after the main module.
fix: Make the wait explicit: give the worker a stop event and a done event, wait on "done" in a
    timed loop before main returns; on KeyboardInterrupt set "stop", wait for "done", re-raise.
expect-broken: 2.7=term 3.6+=exit pypy=exit
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import threading
import time

from _harness import capped, ready, run, wait_for


def broken():
    main_thread = threading.current_thread()

    def flush_forever():
        while main_thread.is_alive():  # the main module is still running
            time.sleep(0.01)
        ready("the main thread has finished; the exit waits for the 'flusher' thread")
        while capped():  # "flushes a buffer" every 100 ms, never told to stop
            time.sleep(0.1)

    threading.Thread(target=flush_forever, name="flusher").start()  # non-daemon by default
    # main returns here: threading._shutdown() marks the main thread finished, then joins the
    # flusher, which never ends


def fixed():
    stop = threading.Event()
    done = threading.Event()  # set by the flusher itself when it has finished

    def flush_until_stopped():
        try:
            while capped() and not stop.is_set():
                time.sleep(0.1)
        finally:
            done.set()

    flusher = threading.Thread(target=flush_until_stopped, name="flusher")
    flusher.start()
    try:
        ready("main is done; it waits for the 'flusher' thread itself, with timed waits")
        wait_for(done)  # not join(): see _harness.wait_for
    except KeyboardInterrupt:
        stop.set()  # the flusher finishes its current turn and leaves
        wait_for(done, 5)
        raise


if __name__ == "__main__":
    run(broken, fixed)
