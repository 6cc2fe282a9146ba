"""Starts a child in a new session (a daemon) and ends on Ctrl-C without stopping it."""
import subprocess
import time

daemon = subprocess.Popen(["sleep", "300"], start_new_session=True)
print(f"daemon {daemon.pid}", flush=True)
print("ready", flush=True)
time.sleep(60)
