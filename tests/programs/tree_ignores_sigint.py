"""A process tree that ignores Ctrl-C: a forked child (inherits sigkit's probe) and an exec'd
``python -I`` grandchild (no probe at all), each waiting in a function named after it."""

import os
import signal
import subprocess
import sys
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)


def forked_child_waits():
    while True:
        time.sleep(0.05)


def isolated_child_waits(process):
    process.wait()


def parent_waits():
    while True:
        time.sleep(0.05)


if __name__ == "__main__":
    isolated = subprocess.Popen([sys.executable, "-I", "-c", (
        "import signal, time\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "def no_probe_waits():\n"
        "    while True: time.sleep(0.05)\n"
        "no_probe_waits()\n")])
    if os.fork() == 0:
        forked_child_waits()
    print("ready", flush=True)
    parent_waits()
