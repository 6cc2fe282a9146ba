"""A person's terminal, connected through to a program's pty as if sigkit were not there.

sigkit puts the user's terminal in raw mode: every byte typed (Ctrl-C included) comes to sigkit
as data, and sigkit writes it to the program's pty at once.  The *program's* terminal settings --
the pty's line discipline -- then decide what a byte means, exactly as they would on the real
terminal: with ISIG on, the interrupt character becomes SIGINT for the pty's foreground process
group; in raw mode (a TUI, an editor) it is just a byte to read.  sigkit only has to look at
the same settings to know whether a key was a press.
"""

from __future__ import annotations

import fcntl
import os
import signal
import termios
import tty
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# termios.tcgetattr() → [iflag, oflag, cflag, lflag, ispeed, ospeed, cc]
_LFLAG, _CC = 3, 6
_DISABLED = b"\x00"  # _POSIX_VDISABLE on Linux: the control character is switched off


def presses(typed: bytes, program_attrs: list[Any]) -> list[str]:
    """The signals the program's line discipline raises for ``typed``: "INT" per interrupt
    character, "QUIT" per quit character -- none when the program's tty is not in ISIG mode."""
    if not program_attrs[_LFLAG] & termios.ISIG:
        return []
    keys = {program_attrs[_CC][termios.VINTR]: "INT", program_attrs[_CC][termios.VQUIT]: "QUIT"}
    return [keys[byte] for byte in (typed[i : i + 1] for i in range(len(typed)))
            if byte in keys and byte != _DISABLED]


def suspends(typed: bytes, program_attrs: list[Any]) -> bool:
    """Whether ``typed`` holds the suspend character (Ctrl-Z) while the program's tty is in ISIG."""
    key = program_attrs[_CC][termios.VSUSP]
    return bool(program_attrs[_LFLAG] & termios.ISIG) and key != _DISABLED and key in typed


def window_size(fd: int) -> tuple[int, int]:
    """(rows, columns) of a terminal; a usable default when ``fd`` is not one."""
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        return 24, 80
    return size.lines, size.columns


def copy_window_size(source_fd: int, pty_fd: int) -> None:
    """Give the pty the terminal's size; the kernel then sends SIGWINCH to the program itself."""
    try:
        packed = fcntl.ioctl(source_fd, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(pty_fd, termios.TIOCSWINSZ, packed)
    except OSError:
        pass


def write_all(fd: int, data: bytes) -> None:
    """os.write may write less than asked (a terminal under load): finish the job."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class RawTerminal:
    """The user's terminal in raw mode for the pass-through, put back exactly as it was."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.saved = termios.tcgetattr(fd)

    def __enter__(self) -> RawTerminal:
        tty.setraw(self.fd, termios.TCSANOW)
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        # TCSADRAIN: what the program already wrote reaches the screen in the mode it expected.
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    @contextmanager
    def cooked(self) -> Iterator[None]:
        """The user's own mode for a moment (sigkit prints a report), then raw again."""
        self.restore()
        try:
            yield
        finally:
            tty.setraw(self.fd, termios.TCSANOW)


@contextmanager
def following_window_size(terminal_fd: int, pty_fd: int) -> Iterator[None]:
    """While inside: every resize of the user's terminal reaches the program's pty."""
    def resized(signum: int, frame: object) -> None:
        copy_window_size(terminal_fd, pty_fd)

    previous = signal.signal(signal.SIGWINCH, resized)
    try:
        copy_window_size(terminal_fd, pty_fd)
        yield
    finally:
        signal.signal(signal.SIGWINCH, previous)

