"""Catches every KeyboardInterrupt and carries on: Ctrl-C never stops it (Ctrl-\\ does)."""
import time

print("ready", flush=True)
while True:
    try:
        time.sleep(60)
    except KeyboardInterrupt:
        print("ignoring Ctrl-C", flush=True)
