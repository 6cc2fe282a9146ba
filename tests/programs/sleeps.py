"""Sleeps with Python's default signal handling: the first Ctrl-C or SIGTERM ends it."""
import time

print("ready", flush=True)
time.sleep(60)
