"""A SIGTERM handler that turns the signal into SystemExit: finally and atexit run.

argv[1]: a file the finally block writes when the stop was graceful.
"""
import os
import signal
import sys
import time

signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
print(f"ready pid {os.getpid()}", flush=True)
try:
    time.sleep(60)
finally:
    with open(sys.argv[1], "w") as handle:
        handle.write("finally ran")
