"""No SIGTERM handler: the default action ends it at once (or, as PID 1, the kernel drops it).

argv[1]: a file the atexit handler writes -- it exists only if Python's exit ran.
"""
import atexit
import os
import sys
import time


def record():
    with open(sys.argv[1], "w") as handle:
        handle.write("atexit ran")


atexit.register(record)
print(f"ready pid {os.getpid()}", flush=True)
time.sleep(60)
