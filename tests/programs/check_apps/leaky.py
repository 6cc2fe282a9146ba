"""Ends on the first Ctrl-C but leaves a child that ignores SIGINT and the terminal's SIGHUP."""
import subprocess
import sys
import time

child = subprocess.Popen([sys.executable, "-c",
    "import signal, sys, time\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
    "print('child up', flush=True)\n"
    "time.sleep(60)\n"])
time.sleep(0.3)
print("ready", flush=True)
time.sleep(30)
