"""Catches KeyboardInterrupt and exits quietly with the conventional status 130."""
import sys
import time

try:
    print("ready", flush=True)
    time.sleep(30)
except KeyboardInterrupt:
    print("bye")
    sys.exit(130)
