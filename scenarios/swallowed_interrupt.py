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

import os
import signal
import sys
import time

CAP_SECONDS = 60  # safety net: a forgotten run gives up after a minute (exit 3)
STARTED = time.time()


def ready(what):
    """Say we reached the blocking point (sigkit waits for this line before pressing Ctrl-C)."""
    print("ready: " + what)
    sys.stdout.flush()


def capped():
    """True until the safety cap: each "forever" loop below really means "for a minute"."""
    return time.time() < STARTED + CAP_SECONDS + 2


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


def give_up(signum, frame):
    """SIGALRM after CAP_SECONDS: nobody interrupted us, stop burning the machine."""
    print("safety cap reached: giving up")
    sys.stdout.flush()
    os._exit(3)


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(CAP_SECONDS)
    if "--fixed" in sys.argv[1:]:
        fixed()
    else:
        broken()
