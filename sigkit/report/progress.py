"""A progress bar for long runs, on stderr, refreshed by hand.

rich's default bar refreshes from a background thread; in sigkit that thread would share the CPU
with the latencies being measured, so the bar is redrawn only when a trial finishes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[str], None]]:
    """Yields ``advance(description)``; shows nothing for a single step."""
    if total <= 1:
        yield lambda description: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), auto_refresh=False,
                  transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(description: str) -> None:
            bar.update(task, advance=1, description=description)
            bar.refresh()

        yield advance
