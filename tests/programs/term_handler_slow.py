"""A graceful stop that takes argv[1] seconds after SIGTERM (a drain longer than a short grace)."""
import signal
import sys
import time

drain = float(sys.argv[1])


def stop(signum, frame):
    time.sleep(drain)  # finishing the work in flight
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
time.sleep(60)
