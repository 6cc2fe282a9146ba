"""Prints its terminal's size at start and whenever the window is resized (SIGWINCH)."""
import os
import signal
import time


def show(signum=None, frame=None):
    size = os.get_terminal_size(0)
    print(f"size {size.columns}x{size.lines}", flush=True)


signal.signal(signal.SIGWINCH, show)
show()
time.sleep(60)
