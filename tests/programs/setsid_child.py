"""Starts a child in its own session (out of the terminal's reach), then waits for Ctrl-C."""
import subprocess
import sys
import time

subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", *sys.argv[1:]],
                 start_new_session=True)
print("ready", flush=True)
time.sleep(120)
