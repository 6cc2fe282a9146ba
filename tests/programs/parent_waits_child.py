"""A parent whose SIGTERM handler waits for its child to finish (a prefork server's shape).

The child stops on SIGTERM and writes argv[1]; it gets SIGTERM only if the signal reaches the
process group: the parent forwards nothing.
"""
import os
import signal
import subprocess
import sys
import time

CHILD = """
import signal, sys, time
def stop(signum, frame):
    with open(sys.argv[1], "w") as handle:
        handle.write("child stopped")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("child ready", flush=True)
time.sleep(60)
"""

child = subprocess.Popen([sys.executable, "-c", CHILD, sys.argv[1]], stdout=subprocess.PIPE)
child.stdout.readline()  # its handler is installed


def stop(signum, frame):
    child.wait()  # the graceful part: wait for the work in the child
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
print(f"ready pid {os.getpid()}", flush=True)
time.sleep(60)
