"""``sigkit lab ...`` from the command line: a report, or one line and exit 2 on bad input."""

from __future__ import annotations

import pytest


def test_convoy_prints_table_chart_and_explanation(sigkit):
    done = sigkit("lab", "convoy", "--threads", "0,1", "--pings", "5")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "The convoy: echo round trip, p50 / p95 over 5 pings" in out
    assert "0 CPU threads" in out and "1 CPU threads" in out
    assert "█" in out
    assert "priority inversion" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lab", "gil", "--n", "0"], "--n and --repeat must be at least 1"),
        (["lab", "gil", "--python", "9.9"], "unknown interpreter '9.9'"),
        (["lab", "convoy", "--threads", "one"], "--threads: 'one' is not a comma-separated list"),
        (["lab", "switch-interval", "--python", "3.11,3.13"], "one interpreter at a time"),
        (["lab", "switch-interval", "--intervals", "0"], "switch intervals must be positive"),
        (["lab", "convoy", "--plot", "out.txt"], "use a file ending in .svg, .png, .pdf"),
        (["lab", "pending-signal", "--repeat", "3", "--max-repeat", "2"],
         "--max-repeat at least --repeat"),
        (["lab", "gil", "--repeat", "6", "--max-repeat", "5"], "--max-repeat at least --repeat"),
        (["lab", "check-interval", "--intervals", "0"], "check intervals are whole numbers"),
        (["lab", "check-interval", "--intervals", "ten"], "--intervals: 'ten' is not"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(sigkit, args, message):
    done = sigkit(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sigkit: error: ")
    assert message in lines[0]
