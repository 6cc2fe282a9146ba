"""The verdict helper: a band only when the median's confidence interval sits inside it."""

from __future__ import annotations

import pytest

from sigkit.lab import gil
from sigkit.lab.verdict import FEWEST_RUNS, Band, judge, median_interval, rounds

BANDS = (Band("slower", high=0.8), Band("same", low=0.8, high=1.25), Band("faster", low=1.25))


def figure(value: float) -> str:
    return f"{value:.2f}x"


def test_too_few_runs_have_no_interval_and_no_verdict():
    assert median_interval([1.0] * (FEWEST_RUNS - 1)) is None
    verdict = judge([1.0, 1.01, 0.99], BANDS)
    assert not verdict.settled
    assert verdict.says(figure).startswith("too few runs to tell (3 runs: 0.99x-1.01x")


def test_five_runs_use_their_whole_range_and_more_runs_narrow_it():
    assert median_interval([3, 1, 5, 2, 4]) == (1, 5)
    assert median_interval([8, 1, 7, 2, 6, 3, 5, 4]) == (2, 7)  # 93 % from the 2nd to 7th


def test_agreeing_runs_give_the_band_they_share():
    verdict = judge([0.19, 0.21, 0.2, 0.22, 0.2], BANDS)
    assert verdict.settled and verdict.band is BANDS[0]
    assert verdict.says(figure) == "slower"


def test_runs_on_both_sides_of_a_line_say_the_machine_was_too_busy():
    """The flip-flop of a busy machine: 0.94x one run, 1.36x the next."""
    verdict = judge([0.94, 1.36, 1.1, 0.97, 1.3], BANDS)
    assert not verdict.settled
    assert verdict.says(figure) == (
        "the machine was too busy to tell: 5 runs ranged 0.94x-1.36x, "
        "more than the difference being measured"
    )


def test_rounds_stop_once_settled_but_not_before_the_minimum():
    assert list(rounds(5, 12, settled=lambda: True)) == [0, 1, 2, 3, 4]
    assert list(rounds(5, 12, settled=lambda: False)) == list(range(12))
    assert list(rounds(1, 1, settled=lambda: False)) == [0]


def gil_result(thread_ratios: list[float]) -> gil.GilResult:
    result = gil.GilResult("python", "2.7.18", 1000, gil=True, cpus=2)
    for ratio in thread_ratios:
        result.rounds.append({
            "sequential": gil.CountRun("sequential", 1.0, 1.0),
            "threads": gil.CountRun("threads", ratio, ratio),
            "processes": gil.CountRun("processes", 0.5, 1.0),
        })
    return result


@pytest.mark.parametrize(
    ("ratios", "said"),
    [
        ([1.6, 1.5, 1.7, 1.55, 1.65], "threads 1.60x: the GIL battle"),
        ([1.0, 1.02, 0.98, 1.05, 1.01], "threads 1.01x: the GIL takes turns"),
        ([0.94, 1.36, 1.1, 0.97, 1.3], "threads 1.10x: the machine was too busy to tell"),
    ],
)
def test_the_gil_line_says_only_what_its_rounds_support(ratios, said):
    line = gil_result(ratios).verdict()
    assert line.startswith(f"2.7.18: {said}")
    assert "processes 0.50x: processes: one GIL each" in line
