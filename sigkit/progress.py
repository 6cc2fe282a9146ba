"""How long runs report progress without knowing who shows it.

Producers (trials, scenario runs, checks, lab experiments) take a ``Progress`` — a factory that,
given the number of steps and a label, yields ``advance(description)`` — and call it once per
step.  The CLI passes a progress bar; libraries and tests pass nothing and get ``silent``.  So a
producer never imports a reporter (the data path runs one way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

Advance = Callable[[str], None]
Progress = Callable[[int, str], AbstractContextManager[Advance]]


@contextmanager
def silent(total: int, label: str) -> Iterator[Advance]:
    """The default: steps are counted by nobody."""
    yield lambda description: None
