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
