"""Starts a daemon that no environment marker can find, then waits for Ctrl-C.

Double fork + setsid, then ``execve`` with an *empty* environment: the daemon keeps no trace of
who started it except its place in the process tree (and the extra argv words, for tests).
It ignores INT, TERM and HUP.
"""
import os
import sys
import time

DAEMON = (
    "import signal, time\n"
    "for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
    "    signal.signal(s, signal.SIG_IGN)\n"
    "time.sleep(120)\n"
)

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execve(sys.executable, [sys.executable, "-c", DAEMON, *sys.argv[1:]], {})
    os._exit(0)
os.wait()
print("ready", flush=True)
time.sleep(120)
