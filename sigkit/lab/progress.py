"""A progress bar for a long lab run, on stderr, refreshed by hand.

No auto-refresh thread: a thread in sigkit would compete for the same two cores as the
latencies and wall times being measured.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Callable, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")


def tracked(items: Sequence[T], label: str, describe: Callable[[T], str]) -> Iterator[T]:
    """Yield each item while the bar says ``label: describe(item)``; the bar vanishes at the end."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    console = Console(file=sys.stderr)
    with Progress(*columns, console=console, auto_refresh=False, transient=True) as bar:
        task = bar.add_task(label, total=len(items))
        for item in items:
            bar.update(task, description=f"{label}: {describe(item)}")
            bar.refresh()
            yield item
            bar.advance(task)
        bar.refresh()
