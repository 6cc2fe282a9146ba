"""Runs forever without ever printing the line a check waits for."""
import time

print("starting", flush=True)
time.sleep(120)
