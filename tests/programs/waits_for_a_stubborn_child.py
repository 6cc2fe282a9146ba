"""Waits for a child Python process that ignores Ctrl-C; each Ctrl-C only restarts the wait."""
import subprocess
import sys

CHILD = ("import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
         "print('ready', flush=True); time.sleep(60)")


def main():
    child = subprocess.Popen([sys.executable, "-c", CHILD])
    while True:
        try:
            child.wait()
            return
        except KeyboardInterrupt:
            print("still waiting for the child", flush=True)


main()
