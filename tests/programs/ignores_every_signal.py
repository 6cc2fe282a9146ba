"""Ignores INT, TERM, HUP and QUIT, says ready, and sleeps: only SIGKILL ends it."""
import signal
import time

for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(number, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(120)
