"""A TUI-style program: puts its terminal in raw mode and reads keys as bytes (q quits)."""
import os
import sys
import termios
import tty

saved = termios.tcgetattr(0)
tty.setraw(0)
try:
    os.write(1, b"raw ready\r\n")
    while True:
        key = os.read(0, 1)
        if not key or key == b"q":
            break
        os.write(1, f"key {key!r}\r\n".encode())
finally:
    termios.tcsetattr(0, termios.TCSADRAIN, saved)
sys.exit(0)
