"""Starts a daemon that changes its pid every 3-30 ms (fork, the parent exits), then waits.

A sweep that lists processes once and then kills the list always kills a pid that is already
gone.  The hopper leaves the session (setsid) and ignores INT, TERM and HUP.
"""
import os
import random
import signal
import time

if os.fork() == 0:
    os.setsid()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    give_up = time.monotonic() + 120
    while time.monotonic() < give_up:
        time.sleep(random.uniform(0.003, 0.03))
        if os.fork() != 0:
            os._exit(0)
    os._exit(0)
print("ready", flush=True)
time.sleep(120)
