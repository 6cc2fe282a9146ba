"""What every scenario script shares: the ready line, the one-minute safety cap, the dispatch.

Not a scenario (sigkit skips files starting with ``_``). Python puts a script's own folder first
on sys.path, so ``python scenarios/NAME.py`` finds this module next to it, on 2.7 and 3.x.
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


def wait_for(event, timeout=None):
    """The fixed scenarios' wait: poll the flag, sleep between looks; True once it is set.

    Not ``event.wait(0.1)`` and not ``join()``: a Ctrl-C that lands inside ``Event.wait`` just
    after its lock was taken leaves that lock held (python/cpython#74174, bpo-29988), and the
    worker then blocks in ``done.set()``; an interrupted ``join()`` on 3.9-3.12 marks the thread
    finished (python/cpython#90882).  ``is_set()`` takes no lock and ``time.sleep`` holds none,
    so Ctrl-C gets through 10 times a second, on 2.7 too, and leaves nothing behind.
    """
    end = None if timeout is None else time.time() + timeout
    while not event.is_set():
        if end is not None and time.time() >= end:
            return False
        time.sleep(0.05)
    return True


def capped():
    """True until the safety cap: each "forever" loop really means "for a minute"."""
    return time.time() < STARTED + CAP_SECONDS + 2


def give_up(signum, frame):
    """SIGALRM after CAP_SECONDS: nobody interrupted us, stop burning the machine."""
    print("safety cap reached: giving up")
    sys.stdout.flush()
    os._exit(3)


def arm_safety_cap():
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(CAP_SECONDS)


def run(broken, fixed):
    """Arm the cap, then run the variant asked for: ``--fixed`` on the command line, or broken."""
    arm_safety_cap()
    if "--fixed" in sys.argv[1:]:
        fixed()
    else:
        broken()
