"""pytest plugin: the ``sigint_probe`` fixture, a real Ctrl-C inside an ordinary test.

    def test_ctrl_c_stops_the_server(sigint_probe):
        r = sigint_probe(["python", "server.py"], expect="listening")
        assert r.ended_by == "KeyboardInterrupt", r.describe()
        assert r.handler_ms < 200
        assert not r.orphans

Each call is one probe (pty, Ctrl-C, escalation ladder).  The engine kills and reaps the target
and every descendant before the call returns — even when the test fails or is interrupted — so
nothing outlives the test.  Each probe's timeline is attached to the test report, so a failing
assertion shows what the program did with the Ctrl-C.

``pytest --sigkit-checks`` (:mod:`sigkit.pytest_checks`) adds the project's ``[tool.sigkit]``
checks to the collection as test items.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from sigkit import ladder as ladder_mod
from sigkit import settings, stop_verdict, stops
from sigkit.findings import Finding
from sigkit.output import classify
from sigkit.pytest_checks import (  # noqa: F401  (pytest finds hooks by name in this module)
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
)
from sigkit.timeline import Orphan, Trial, latencies_us

# The probe engine and rich are imported inside the functions that use them: pytest loads this
# plugin in every session of every project that has sigkit installed, most of which never probe.


@dataclass(frozen=True, repr=False)
class ProbeResult:
    """One probe of one command, shaped for assertions."""

    trial: Trial  # the full record: events, presses, stacks, /proc snapshot
    latency_us: dict[str, float | None]  # arrival, handler, handler_after_arrival, exit

    @classmethod
    def of(cls, trial: Trial) -> ProbeResult:
        return cls(trial, latencies_us(trial))

    # How it ended ------------------------------------------------------------------------
    @property
    def ended_by(self) -> str:
        """``KeyboardInterrupt``, ``exit``, ``SIGTERM``, ``SIGKILL``… (or a problem)."""
        return self.trial.ended_by

    @property
    def verdict(self) -> str:
        """``ki``, ``exit``, ``presses=N``, ``term``, ``kill``, ``never``, ``not-ready``…"""
        return self.trial.verdict

    @property
    def presses_to_exit(self) -> int | None:
        return self.trial.presses_to_exit

    @property
    def exit_code(self) -> int | None:
        return self.trial.exit_code

    @property
    def exit_signal(self) -> str | None:
        return self.trial.exit_signal

    # How fast ------------------------------------------------------------------------------
    @property
    def latency_ms(self) -> dict[str, float | None]:
        return {name: None if us is None else us / 1000.0 for name, us in self.latency_us.items()}

    @property
    def handler_ms(self) -> float | None:
        """Ctrl-C sent → Python handler running in the main thread (None: it never ran)."""
        return self.latency_ms["handler"]

    @property
    def exit_ms(self) -> float | None:
        """Ctrl-C sent → process gone, whichever press ended it."""
        return self.latency_ms["exit"]

    # What it left ----------------------------------------------------------------------------
    @property
    def orphans(self) -> list[Orphan]:
        """Descendants alive after the target ended (sigkit has killed them since)."""
        return self.trial.orphans

    @property
    def within_grace(self) -> bool | None:
        """A stop sigkit sent itself (``stop=``, ``signal="TERM"``): did the program end in
        its grace?  None for a typed Ctrl-C."""
        verdict = stop_verdict.grace_verdict(self.trial)
        return None if verdict is None else verdict[0]

    @property
    def lost_threads(self) -> list[str]:
        """Non-daemon threads still running at interpreter shutdown: lost work."""
        return self.trial.lost_threads

    @property
    def output(self) -> str:
        return self.trial.output

    # Why -------------------------------------------------------------------------------------
    @property
    def findings(self) -> list[Finding]:
        """What sigkit diagnosed (the same findings ``sigkit probe`` prints; [] when healthy)."""
        return self.trial.findings

    @property
    def output_after_press(self) -> str:
        return self.trial.output_after_press

    @property
    def output_class(self) -> list[str]:
        """``clean``, ``traceback``, ``shutdown-noise`` or ``silent``."""
        return classify(self.trial.output_after_press)

    def __repr__(self) -> str:
        """Short, because pytest prints it in every failed assertion; ``describe()`` says all."""
        handler = "—" if self.handler_ms is None else f"{self.handler_ms:.2f} ms"
        return (f"<ProbeResult pid {self.trial.pid}: {self.verdict}, ended by {self.ended_by}, "
                f"handler {handler}>")

    def describe(self) -> str:
        """The human timeline (what ``sigkit probe`` prints): a good assertion message."""
        return describe(self.trial)


def describe(trial: Trial) -> str:
    from rich.console import Console

    from sigkit.report.text import render_trial

    buffer = io.StringIO()
    render_trial(Console(file=buffer, width=100, no_color=True, highlight=False), trial)
    return buffer.getvalue()


ProbeCall = Callable[..., ProbeResult]


@pytest.fixture
def sigint_probe(request: pytest.FixtureRequest) -> ProbeCall:
    """Returns ``probe(command, *, expect=None, after=None, ...)`` → :class:`ProbeResult`."""

    def run(
        command: Sequence[str],
        *,
        expect: str | None = settings.EXPECT.default,
        after: float | None = settings.AFTER.default,
        deadline: float = settings.DEADLINE.default,
        signal: str = settings.SIGNAL.default,
        ladder: Sequence[str] | None = settings.LADDER.default,
        interval: float = settings.INTERVAL.default,
        ready_timeout: float = settings.READY_TIMEOUT.default,
        stop: str | None = settings.STOP.default,
        to: str | None = settings.TO.default,
        grace: float | None = settings.GRACE.default,
        pid1: bool = settings.PID1.default,
        env: dict[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> ProbeResult:
        from sigkit import validate
        from sigkit.launch import ProbeOptions
        from sigkit.trials import judged

        origin = validate.Origin("call", "sigint_probe")
        rungs = None if stop is not None else ladder_mod.resolve(signal, ladder)
        if grace is None and stop is None:
            grace = deadline  # a preset brings its own grace unless one is given
        elif grace is not None:
            validate.seconds(grace, "grace", origin)
        contract, target, grace = stops.resolve(stop, rungs[0] if rungs else None, to, grace)
        options = ProbeOptions(
            command=list(command), expect=expect, after=after, ready_timeout=ready_timeout,
            deadline=grace, ladder=rungs or contract.ladder(), interval=interval,
            env=dict(env or {}), cwd=None if cwd is None else os.fspath(cwd), stop=contract,
            to=target, pid1=pid1,
        )
        validate.probe_options(options, origin)
        trial = judged(options)
        request.node.add_report_section("call", "sigint_probe", describe(trial))
        return ProbeResult.of(trial)

    return run
