"""Result files (--json, --junit, --plot): checked before a run, and never the end of one.

A typo in an output path must fail in one line *before* minutes of probing, and a write that
fails anyway at the end (a full disk, ``/dev/full``) must not lose what was measured: the text
goes to stdout instead, announced by one line on stderr, and the command exits 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Optional

from sigkit.errors import UsageError

STDOUT = "-"


def to_stdout(path: Optional[Path]) -> bool:
    return path is not None and str(path) == STDOUT


def check_writable(path: Optional[Path], flag: str) -> None:
    """Refuse now what could not be written later: no such folder, a folder, no permission.

    Probing is done with the file system's own answer (open to append, or create and remove),
    never by truncating a file that is there: an interrupted run leaves it as it was.
    """
    if path is None or to_stdout(path):
        return
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a directory")
    if not path.parent.is_dir():
        raise UsageError(f"{flag} {path}: no such directory {path.parent}")
    try:
        if path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
        else:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            os.unlink(path)
    except OSError as error:
        raise UsageError(f"{flag} {path}: cannot write: {error.strerror}") from None


def write_text(path: Path, flag: str, text: str) -> bool:
    """Write ``text`` (or print it, for ``-``); False when it had to go to stdout instead."""
    if to_stdout(path):
        print(text)
        return True
    try:
        path.write_text(text + "\n", encoding="utf-8")
        return True
    except OSError as error:
        _say(f"{flag} {path}: cannot write ({error.strerror}); printing it here instead")
        print(text)
        return False


def save(path: Path, flag: str, draw: Callable[[Path], None]) -> bool:
    """A picture has no text form to fall back to: one line, and the rest of the report goes on."""
    try:
        draw(path)
        return True
    except OSError as error:
        _say(f"{flag} {path}: cannot write ({error.strerror}); the picture is lost, the results "
             "follow")
        return False


def _say(line: str) -> None:
    print(f"sigkit: error: {line}", file=sys.stderr, flush=True)
