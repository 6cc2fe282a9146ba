"""Percentiles and histograms over trials — small enough to need no numpy.

Latency distributions here are long-tailed (a busy 2-core machine, a GIL hand-off every 5 ms),
so the median and the high percentiles say more than a mean: p50 is the typical press, p99 and
max are what the unlucky user feels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 100]."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    """The figures sigkit reports for one latency over N trials (same unit as the input)."""

    n: int
    minimum: float
    p50: float
    p95: float
    p99: float
    maximum: float
    mean: float
    stdev: float

    def to_dict(self) -> dict[str, float]:
        return {
            "n": self.n, "min": self.minimum, "p50": self.p50, "p95": self.p95,
            "p99": self.p99, "max": self.maximum, "mean": self.mean, "stdev": self.stdev,
        }


def summarize(values: Sequence[Optional[float]]) -> Optional[Summary]:
    """Summary of the values that exist (a trial may lack a figure); None if none do."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    mean = sum(present) / len(present)
    variance = sum((v - mean) ** 2 for v in present) / (len(present) - 1) if len(present) > 1 else 0
    return Summary(
        n=len(present),
        minimum=min(present),
        p50=percentile(present, 50),
        p95=percentile(present, 95),
        p99=percentile(present, 99),
        maximum=max(present),
        mean=mean,
        stdev=math.sqrt(variance),
    )


def histogram(values: Sequence[float], bins: int = 20, log: bool = False) -> list[tuple[float, float, int]]:
    """(low, high, count) per bin; ``log`` spaces bins geometrically, which suits latencies."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [(low, high, len(values))]
    if log and low > 0:
        edges = [low * (high / low) ** (i / bins) for i in range(bins + 1)]
    else:
        edges = [low + (high - low) * i / bins for i in range(bins + 1)]
    counts = [0] * bins
    for value in values:
        index = bins - 1
        for i in range(bins):
            if value < edges[i + 1]:
                index = i
                break
        counts[index] += 1
    return [(edges[i], edges[i + 1], counts[i]) for i in range(bins)]
