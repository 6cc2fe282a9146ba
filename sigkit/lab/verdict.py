"""Verdicts from repeated runs, stated only when the spread of the runs supports them.

On a shared machine one run of an experiment can say 0.94x and the next 1.36x.  A verdict here
is a *band* of values that means one thing ("about the same": 0.8-1.25x).  It is stated when the
median of the runs lies in one band with 90 % confidence, estimated without assuming any
distribution: with n runs sorted, the median lies between the k-th smallest and the k-th largest
run with probability 1 - 2 P(Binomial(n, 1/2) < k).  Five runs are the fewest that can reach
90 % (their whole range); more runs narrow the interval.  When the interval straddles two
bands, the experiment runs again, up to a maximum, and then says it cannot tell.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sigkit.errors import UsageError

CONFIDENCE = 0.9
FEWEST_RUNS = 5  # the fewest runs whose range holds the median with CONFIDENCE
MOST_RUNS = 12  # the default cap: past it, a busy machine is said to be too busy


@dataclass(frozen=True)
class Band:
    """One answer a measurement can give: it holds values in ``[low, high)``."""

    says: str
    low: float = -math.inf
    high: float = math.inf

    def holds(self, low: float, high: float) -> bool:
        return self.low <= low and high < self.high


def median_interval(
    values: Sequence[float], confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The narrowest pair of order statistics that holds the median with ``confidence``; None
    when there are too few values for any pair to reach it."""
    ordered, n = sorted(values), len(values)
    found = None
    for k in range(1, n // 2 + 1):
        below_k = sum(math.comb(n, i) for i in range(k)) / 2**n
        if 1 - 2 * below_k < confidence:
            break
        found = (ordered[k - 1], ordered[n - k])
    return found


@dataclass(frozen=True)
class Verdict:
    """What repeated runs of one figure say: a band, or None when the runs do not agree."""

    values: tuple[float, ...]
    interval: tuple[float, float] | None  # where the median lies, with CONFIDENCE
    band: Band | None

    @property
    def settled(self) -> bool:
        return self.band is not None

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def says(self, figure: Callable[[float], str]) -> str:
        """The band's words, or why there are none; ``figure`` formats a value (e.g. ``1.02x``)."""
        if self.band is not None:
            return self.band.says
        low, high = self.spread
        runs = f"{len(self.values)} run{'s' if len(self.values) != 1 else ''}"
        if self.interval is None:
            seen = figure(low) if low == high else f"{figure(low)}-{figure(high)}"
            return f"too few runs to tell ({runs}: {seen}; at least {FEWEST_RUNS} are needed)"
        return (f"the machine was too busy to tell: {runs} ranged {figure(low)}-{figure(high)}, "
                "more than the difference being measured")


def judge(values: Sequence[float], bands: Sequence[Band]) -> Verdict:
    """The band holding the whole confidence interval of the median, if one does."""
    interval = median_interval(values)
    band = None
    if interval is not None:
        band = next((b for b in bands if b.holds(*interval)), None)
    return Verdict(tuple(values), interval, band)


def check_repeats(repeat: int, max_repeat: int) -> None:
    """Bad ``--repeat``/``--max-repeat`` are usage errors, found before anything runs."""
    if repeat < 1 or max_repeat < repeat:
        raise UsageError("--repeat must be at least 1 and --max-repeat at least --repeat")


def rounds(minimum: int, maximum: int, settled: Callable[[], bool]) -> Iterator[int]:
    """Round numbers 0, 1, ...: ``minimum`` rounds, then more until ``settled()``, at most
    ``maximum`` in all."""
    for number in range(max(minimum, maximum)):
        if number >= minimum and settled():
            return
        yield number
