"""Swallows the first Ctrl-C: needs two presses."""
import signal
import time

presses = []
def on_int(signum, frame):
    presses.append(signum)
    if len(presses) == 1:
        print("ignoring the first Ctrl-C", flush=True)
        return
    raise KeyboardInterrupt
signal.signal(signal.SIGINT, on_int)
print("ready", flush=True)
while True:
    time.sleep(0.05)
