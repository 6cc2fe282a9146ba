"""The main thread waits in Thread.join() for a worker that never ends.

name: blocked-join
summary: main blocks in t.join() on a non-daemon worker that never finishes
teaches: What Ctrl-C does while the main thread sits in join(). On 2.7 nothing: join() without
    a timeout is an uninterruptible lock wait. On 3.x the KeyboardInterrupt leaves join(), but
    the interpreter's exit then waits for the same worker again (threading._shutdown) -- except
    on 3.9-3.12, where a bug marks the interrupted thread as finished.
behaviour:
    2.7       join() cannot be interrupted: Ctrl-C does nothing; SIGTERM (no Python handler)
              ends it.
    3.6-3.8   the 1st Ctrl-C raises KeyboardInterrupt out of join(); the exit then joins the
              worker in threading._shutdown, so it takes a 2nd Ctrl-C.
    3.9-3.12  the interrupted join() marks the worker as finished (python/cpython#90882):
              one Ctrl-C ends the program, killing the worker mid-work.
    3.13      fixed: the exit waits for the worker again, 2 Ctrl-Cs.
    pypy3.9   one Ctrl-C, for another reason: PyPy kills itself with SIGINT as soon as an
              unhandled KeyboardInterrupt reaches the top, before any exit-time join.
fix: Give the worker a stop event and a done event; wait on "done" in a timed loop (interruptible
    even on 2.7); on KeyboardInterrupt set "stop", wait for "done", re-raise.
expect-broken: 2.7=term 3.6-3.8=presses=2 3.9-3.12=ki 3.13=presses=2 pypy=ki
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import threading
import time

from _harness import capped, ready, run, wait_for


def broken():
    def serve():
        while capped():  # a service loop with no way to ask it to stop
            time.sleep(0.1)

    worker = threading.Thread(target=serve, name="server")
    worker.start()
    ready("main thread blocked in worker.join()")
    worker.join()  # no timeout: on 2.7 this wait cannot be interrupted


def fixed():
    stop = threading.Event()
    done = threading.Event()  # set by the worker itself: more honest than join(), see below

    def serve():
        try:
            while capped() and not stop.is_set():  # checks for a stop request every turn
                time.sleep(0.1)
        finally:
            done.set()

    worker = threading.Thread(target=serve, name="server")
    worker.start()
    try:
        ready("main thread waiting for the worker with a timed wait")  # inside the try: a
        wait_for(done)  # Ctrl-C that comes right after the line above is handled too; it
        # returns to Python often, so Ctrl-C gets through, even on 2.7
    except KeyboardInterrupt:
        # Ask the worker to finish and wait until it says so. Not worker.join(5): on 3.9-3.12
        # an interrupted join() marks the thread finished (python/cpython#90882), so a second
        # join() returns at once and the exit kills the worker mid-turn.
        stop.set()
        wait_for(done, 5)
        raise


if __name__ == "__main__":
    run(broken, fixed)
