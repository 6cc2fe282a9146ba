"""A clean-up that takes its time: no except anywhere, the first Ctrl-C raises
KeyboardInterrupt, and ``finally:`` spends SIGKIT_CLEANUP seconds (default 3) before the exit."""

import os
import time

CLEANUP = float(os.environ.get("SIGKIT_CLEANUP", "3"))

try:
    print("ready", flush=True)
    time.sleep(60)
finally:
    time.sleep(CLEANUP)  # flushing, closing, uploading...
