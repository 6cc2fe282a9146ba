"""Ends on the first Ctrl-C through an unhandled KeyboardInterrupt (death by SIGINT on 3.8+)."""
import time

print("ready", flush=True)
time.sleep(30)
