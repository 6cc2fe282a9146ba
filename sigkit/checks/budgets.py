"""Judge a check's trials against its budgets: each budget gives a measured figure and a verdict.

Latency budgets use a percentile over the trials (p95 by default): one slow press on a busy CI
machine should not fail the build, a slow habit should.  The other budgets are strict — one trial
that needed two Ctrl-Cs, left a child behind or lost work is a regression, whatever the others did.
A figure that was never measured (no Python handler ran, the program never became ready) fails:
a gate that cannot see must not say yes.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sigkit import orphans, stop_verdict
from sigkit.checks.config import Budgets
from sigkit.output import SHUTDOWN_NOISE, TRACEBACK, classify
from sigkit.stats import percentile
from sigkit.timeline import Trial, latencies_us
from sigkit.units import fmt


@dataclass(frozen=True)
class BudgetResult:
    """One budget's outcome, worded for a pass/fail table: ``handler p95 · 0.21 ms · ≤ 200 ms``."""

    key: str  # the config key judged ("ready" when trials never got to be judged)
    label: str  # what was measured, e.g. "handler p95"
    measured: str  # the figure, e.g. "0.21 ms" or "3/5 presses=2"
    limit: str  # the budget, e.g. "≤ 200 ms" or "= KeyboardInterrupt"
    passed: bool
    value_ms: float | None = None  # latency budgets: the measured figure
    limit_ms: float | None = None


def evaluate(budgets: Budgets, trials: Sequence[Trial]) -> list[BudgetResult]:
    """Every budget that is set, in the order a reader checks them; readiness first if it failed."""
    results = []
    stuck = [t for t in trials if t.problem is not None]
    if stuck:
        problems = ", ".join(sorted({t.problem or "" for t in stuck}))
        results.append(BudgetResult("ready", "ready", problems + _of(len(stuck), trials),
                                    "= every trial", passed=False))
    q = budgets.percentile
    if budgets.within_grace:
        results.append(_grace(trials))
    if budgets.max_handler_latency_ms is not None:
        results.append(_latency("max_handler_latency_ms", "handler", budgets.max_handler_latency_ms,
                                q, trials))
    if budgets.max_exit_ms is not None:
        results.append(_latency("max_exit_ms", "exit", budgets.max_exit_ms, q, trials))
    if budgets.ending is not None:
        results.append(_ending(budgets.ending, trials))
    if budgets.no_orphans:
        results.append(_orphans(trials))
    if budgets.no_traceback:
        results.append(_traceback(trials))
    if budgets.no_lost_work:
        results.append(_lost_work(trials))
    return results


def _latency(key: str, figure: str, limit_ms: float, q: float,
             trials: Sequence[Trial]) -> BudgetResult:
    values = [latencies_us(t)[figure] for t in trials]
    present = [v for v in values if v is not None]
    label = f"{figure} p{q:g}"
    limit = f"≤ {limit_ms:g} ms"
    if len(present) < len(values):
        never = "no Python handler" if figure == "handler" else "no exit"
        missing = len(values) - len(present)
        return BudgetResult(key, label, never + _of(missing, trials), limit, passed=False,
                            limit_ms=limit_ms)
    value_ms = percentile(present, q) / 1000.0
    return BudgetResult(key, label, fmt(value_ms * 1000.0, "ms"), limit, value_ms <= limit_ms,
                        value_ms=value_ms, limit_ms=limit_ms)


def shell_status(trial: Trial) -> int | None:
    """The status a shell shows as ``$?``: the exit code, or 128 + N for death by signal N."""
    if trial.exit_signal is not None:
        return 128 + int(signal.Signals[trial.exit_signal])
    return trial.exit_code


def ending_matches(ending: str, trial: Trial) -> bool:
    """Did the *first* Ctrl-C end the program the way ``ending`` demands?

    ``exit:N`` compares what a shell would show, so ``exit:130`` accepts ``sys.exit(130)`` and a
    death by SIGINT alike (Python 3.8+ ends an unhandled KeyboardInterrupt that way).
    """
    if trial.problem is not None or trial.presses_to_exit != 1:
        return False
    if ending == "any":
        return True
    if ending == "KeyboardInterrupt":
        return trial.ended_by == "KeyboardInterrupt"
    return shell_status(trial) == int(ending.partition(":")[2])


def observed_ending(trial: Trial, status: bool = False) -> str:
    """How the program ended in the vocabulary of the ``ending`` key (``presses=2`` etc. if not
    by the first press); ``status`` adds the shell status to a KeyboardInterrupt."""
    if trial.problem is not None or trial.presses_to_exit != 1:
        return trial.verdict
    if trial.ended_by == "KeyboardInterrupt":
        return f"KeyboardInterrupt (exit:{shell_status(trial)})" if status else "KeyboardInterrupt"
    return f"exit:{shell_status(trial)}"


def _ending(ending: str, trials: Sequence[Trial]) -> BudgetResult:
    wants_status = ending.startswith("exit:")
    measured = _tally(observed_ending(t, wants_status) for t in trials)
    limit = "= any, on the 1st press" if ending == "any" else f"= {ending}"
    passed = all(ending_matches(ending, t) for t in trials)
    return BudgetResult("ending", "ending", measured, limit, passed)


def _orphans(trials: Sequence[Trial]) -> BudgetResult:
    leaky = [t for t in trials if t.orphans]
    if not leaky:
        # "none" only means as much as the search: say so where a daemon could have hidden.
        partial = any(t.orphans_seen_by == orphans.SEEN_BY_TOKEN for t in trials)
        measured = "none found (by environment token only)" if partial else "none"
        return BudgetResult("no_orphans", "orphans", measured, "= none", passed=True)
    count = sum(len(t.orphans) for t in leaky)
    example = leaky[0].orphans[0]
    measured = f"{count}{_of(len(leaky), trials)}, e.g. pid {example.pid} ({example.name})"
    return BudgetResult("no_orphans", "orphans", measured, "= none", passed=False)


def _traceback(trials: Sequence[Trial]) -> BudgetResult:
    """Output after Ctrl-C: a KeyboardInterrupt traceback or "Exception ignored in" noise fails."""
    noisy = Counter(
        label
        for t in trials
        for label in classify(t.output_after_press)
        if label in (TRACEBACK, SHUTDOWN_NOISE)
    )
    if not noisy:
        return BudgetResult("no_traceback", "traceback", "none", "= none", passed=True)
    worst = max(noisy.values())
    measured = ", ".join(noisy) + _of(worst, trials)
    return BudgetResult("no_traceback", "traceback", measured, "= none", passed=False)


def _lost_work(trials: Sequence[Trial]) -> BudgetResult:
    """Non-daemon threads still running when the interpreter shut down: their work is lost."""
    lost = [t for t in trials if t.lost_threads]
    if not lost:
        return BudgetResult("no_lost_work", "lost work", "none", "= none", passed=True)
    names = sorted({name for t in lost for name in t.lost_threads})
    measured = "threads " + ", ".join(names) + _of(len(lost), trials)
    return BudgetResult("no_lost_work", "lost work", measured, "= none", passed=False)


def _grace(trials: Sequence[Trial]) -> BudgetResult:
    """The stop's contract: every trial ended within the grace after the first signal."""
    verdicts = [stop_verdict.grace_verdict(t) for t in trials]
    first = trials[0]
    manager = first.stop.manager if first.stop is not None else "the stop"
    limit = f"≤ {first.grace:g} s ({manager})" if first.grace is not None else "= within grace"
    over = [v for v in verdicts if v is None or not v[0]]
    if over:
        measured = "still running" + _of(len(over), trials)
        return BudgetResult("stop", "grace", measured, limit, passed=False)
    slowest = max(t.exit_latency_ns or 0 for t in trials)
    return BudgetResult("stop", "grace", fmt(slowest / 1000.0), limit, passed=True,
                        value_ms=slowest / 1e6, limit_ms=(first.grace or 0) * 1000.0)


def _tally(words: Iterable[str]) -> str:
    """``3/5 presses=2, 2/5 KeyboardInterrupt`` (a lone trial's word stands alone)."""
    counts = Counter(words)
    total = sum(counts.values())
    if total == 1:
        return next(iter(counts))
    return ", ".join(f"{n}/{total} {word}" for word, n in counts.most_common())


def _of(count: int, trials: Sequence[Trial]) -> str:
    return "" if len(trials) == 1 else f" in {count} of {len(trials)} trials"
