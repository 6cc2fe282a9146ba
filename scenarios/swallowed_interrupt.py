"""A retry loop with a bare `except:` catches KeyboardInterrupt too, every time.

name: swallowed-interrupt
summary: while True: try: poll() except: retry -- each Ctrl-C is caught and retried
teaches: KeyboardInterrupt is an exception raised wherever the main thread happens to be. A bare
    except (or except BaseException) around the place where the program waits catches it like
    any error: the signal was delivered and handled perfectly, then thrown away by the program.
behaviour:
    2.7       every Ctrl-C prints "poll failed, retrying"; SIGTERM ends it.
    3.x       the same.
fix: Catch Exception, not everything: KeyboardInterrupt (and SystemExit) derive from
    BaseException precisely so that "except Exception" lets them through.
expect-broken: *=term
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import sys
import time

from _harness import capped, ready, run


def poll():
    time.sleep(0.2)  # stands for a network call that sometimes fails


def broken():
    ready("polling in a retry loop with a bare except")
    while capped():
        try:
            poll()
        except:  # noqa: E722 -- catches KeyboardInterrupt as well
            print("poll failed, retrying")
            sys.stdout.flush()


def fixed():
    ready("polling in a retry loop that catches Exception")
    while capped():
        try:
            poll()
        except Exception:  # KeyboardInterrupt is not an Exception: it goes through
            print("poll failed, retrying")
            sys.stdout.flush()


if __name__ == "__main__":
    run(broken, fixed)
