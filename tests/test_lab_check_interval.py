"""``sigkit lab check-interval``: each Python 2 at each check interval, each Python 3 once."""

from __future__ import annotations

import pytest
from conftest import interpreter

from sigkit.errors import UsageError
from sigkit.lab import check_interval


@pytest.fixture(scope="module")
def rows() -> list[check_interval.Row]:
    pythons = [interpreter("2.7"), interpreter("3.11")]
    if None in pythons:
        pytest.skip("needs Python 2.7 and 3.11 (pyenv install)")
    return check_interval.run([str(p) for p in pythons], intervals=(10, 1000), trials=2, repeat=1)


def test_a_row_per_check_interval_on_27_and_one_at_the_switch_interval_on_311(rows):
    assert [(row.version[:4], row.check_interval) for row in rows] == [
        ("2.7.", 10), ("2.7.", 1000), ("3.11", None)
    ]
    assert rows[-1].switch_interval == 0.005
    assert all(row.switch_interval is None for row in rows[:2])


def test_every_row_counted_and_was_pressed(rows):
    for row in rows:
        assert len(row.counts_per_s) == 1 and row.counts > 0
        assert len(row.handoffs_per_s) == 1
        assert len(row.handler_us) + row.missing == 2


def test_the_switch_interval_forces_hand_overs_on_311(rows):
    """A waiting thread asks for the GIL after 5 ms, so the two threads must alternate; 2.7's
    hand-overs are left unasserted: with the other core busy they can all but vanish."""
    assert rows[-1].handoffs > 0


def test_without_a_python_2_there_is_no_check_interval():
    python = interpreter("3.11")
    if python is None:
        pytest.skip("Python 3.11 is not installed (pyenv install 3.11)")
    with pytest.raises(UsageError, match="name a Python 2"):
        check_interval.run([python], trials=1, repeat=1)
