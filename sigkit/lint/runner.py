"""Linting many files, on every core when there are enough of them to be worth it.

The worker pool follows the advice of rule SK109: workers ignore SIGINT, so a Ctrl-C
reaches only this process, which terminates the pool and lets the interrupt go on.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass

from sigkit import interrupts
from sigkit.lint.catalog import RULES
from sigkit.lint.engine import lint_file
from sigkit.lint.findings import Finding
from sigkit.lint.rule import Rule
from sigkit.lint.selection import Selection

FILES_PER_WORKER = 40
CHUNK_SIZE = 8

_worker_rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class LintRun:
    """The outcome: findings sorted by file and position, and how many files were read."""

    findings: list[Finding]
    files_checked: int


def lint_files(paths: Sequence[str], selection: Selection, jobs: int | None = None) -> LintRun:
    """Lints ``paths`` with ``jobs`` processes (None: one per core, when there are enough
    files to pay for starting them)."""
    workers = _worker_count(len(paths), jobs)
    if workers <= 1:
        per_file = [lint_file(path, selection.rules) for path in paths]
    else:
        per_file = _lint_in_pool(paths, selection, workers)
    findings = [finding for found in per_file for finding in found
                if selection.reports(finding.code)]
    return LintRun(sorted(findings), len(paths))


def _worker_count(file_count: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, min(jobs, file_count))
    return max(1, min(os.cpu_count() or 1, file_count // FILES_PER_WORKER))


def _lint_in_pool(paths: Sequence[str], selection: Selection,
                  workers: int) -> list[list[Finding]]:
    codes = [rule.code for rule in selection.rules]
    # Pool() stops the workers it started when it fails with an Exception, not with a
    # KeyboardInterrupt: a Ctrl-C landing while it starts them would leave them running.  Stop
    # signals wait until the pool exists and the clean-up below is in place.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, interrupts.STOP_SIGNALS)
    try:
        pool = multiprocessing.Pool(workers, initializer=_start_worker, initargs=(codes,))
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a signal held meanwhile lands here
        results = pool.map(_lint_one, paths, chunksize=CHUNK_SIZE)
    except KeyboardInterrupt:
        signal.pthread_sigmask(signal.SIG_BLOCK, interrupts.STOP_SIGNALS)  # a 2nd one waits
        try:
            pool.terminate()
            pool.join()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    pool.close()
    pool.join()
    return results


def _start_worker(codes: list[str]) -> None:
    """Runs first in each worker: Ctrl-C is the parent's business (it goes to the whole
    process group), and a worker must not inherit the parent's TERM/HUP/QUIT handlers either:
    the parent stops the pool itself."""
    global _worker_rules
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_DFL)
    # Forked while the parent held its stop signals: terminate()'s SIGTERM must get through.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, interrupts.STOP_SIGNALS)
    _worker_rules = tuple(rule for rule in RULES if rule.code in codes)


def _lint_one(path: str) -> list[Finding]:
    return lint_file(path, _worker_rules)
