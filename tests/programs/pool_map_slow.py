"""multiprocessing.Pool.map over slow tasks (SIGKIT_SLOW seconds each, default 15).

A terminal's Ctrl-C reaches the parent and every worker (one process group); a SIGTERM sent to
the parent alone (``kill PID``) ends it by the default action, and its workers are left behind.
"""

import multiprocessing
import os
import time

SLOW = float(os.environ.get("SIGKIT_SLOW", "15"))


def slow(n):
    time.sleep(SLOW)
    return n


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print("ready", flush=True)
        print(pool.map(slow, range(4)))
