"""A SIGTERM handler that cleans up slowly before it exits (SIGKIT_CLEANUP seconds, default 3)."""

import os
import signal
import sys
import time

CLEANUP = float(os.environ.get("SIGKIT_CLEANUP", "3"))


def on_term(signum, frame):
    time.sleep(CLEANUP)  # closing connections, writing state...
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
print("ready", flush=True)
while True:
    time.sleep(1)
