"""Measure what each scenario really does on each interpreter, and compare with its header.

For every (interpreter, scenario, variant): spawn the script in a pty (pexpect), wait for its
ready line, then walk the signal ladder -- a real Ctrl-C (``sendintr``: the terminal sends SIGINT
to the whole foreground process group), then a second one, then SIGTERM, then SIGKILL -- waiting
up to ``--step-wait`` seconds after each step for the process to end.  The step that ended it is
the verdict:

    ki          the 1st Ctrl-C, through KeyboardInterrupt (killed by SIGINT, or a KeyboardInterrupt
                traceback and a non-zero exit code)
    exit        the 1st Ctrl-C, with an ordinary exit code
    presses=N   the N-th Ctrl-C (N >= 2)
    term, kill  SIGTERM / SIGKILL
    +orphan     a descendant outlived the scenario (it is killed afterwards)

Everything started is reaped: the process group is killed and every descendant seen is SIGKILLed,
even when a step raises.  No sigkit probe is injected: this is the plain behaviour.

    .venv/bin/python benchmarks/measure_scenarios.py                      # all, all interpreters
    .venv/bin/python benchmarks/measure_scenarios.py -s gil-hog -p 3.11 -r 3 --verbose
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shlex
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pexpect
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import contextlib

from sigkit.interpreters import CPYTHON, Identity, identify
from sigkit.scenarios import Scenario, discover

DEFAULT_LADDER = ("INT", "INT", "TERM", "KILL")
PYENV_GLOB = "/root/.pyenv/versions/*/bin/python"


@dataclass
class Result:
    """One trial: the verdict, how long after the first Ctrl-C the process ended, what it said."""

    python: str
    version: tuple[int, int]
    scenario: str
    variant: str
    verdict: str
    seconds: float | None = None  # first Ctrl-C -> process gone
    status: str = ""  # "exit 0", "signal 2"...
    orphans: int = 0
    expected: str | None = None  # as written in the header, "+orphan" included
    output: str = field(default="", repr=False)
    implementation: str = CPYTHON

    @property
    def identity(self) -> Identity:
        return Identity(self.implementation, self.version)

    @property
    def matches(self) -> bool | None:
        if self.expected is None:
            return None
        verdict, _, orphan = self.verdict.partition("+")
        outcome, _, orphan_expected = self.expected.partition("+")
        return verdict in outcome.split("|") and orphan == orphan_expected


def reset_signals() -> None:
    """In the child, before exec: start from default dispositions and an empty signal mask.

    Otherwise a measurement started from a background job (``&`` in a script, nohup) hands its
    inherited SIG_IGN for SIGINT down to every target, and each Ctrl-C is silently discarded.
    """
    for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


class Trial:
    """One run of one scenario in a pty; always reaps what it started (use as a context manager)."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.child = pexpect.spawn(
            command[0], command[1:], env=env, encoding="utf-8", codec_errors="replace",
            dimensions=(50, 200), timeout=None, preexec_fn=reset_signals,
        )
        self.output: list[str] = []
        self.seen: dict[int, float] = {}  # descendant pid -> create_time (pids get reused)

    def __enter__(self) -> Trial:
        return self

    def __exit__(self, *exc: object) -> None:
        self.reap()

    def wait_ready(self, regex: str, timeout: float) -> bool:
        """Read output until the ready regex matches a line; False on EOF/timeout."""
        pattern = re.compile(regex, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._drain(0.05)
            if pattern.search("".join(self.output).replace("\r\n", "\n")):
                self.track()
                return True
            if not self.child.isalive():
                return False
        return False

    def track(self) -> None:
        """Remember every descendant now alive, to spot orphans and to reap them later."""
        try:
            for proc in psutil.Process(self.child.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    self.seen.setdefault(proc.pid, proc.create_time())
        except psutil.Error:
            pass

    def send(self, step: str) -> None:
        self.track()
        if step == "INT":
            self.child.sendintr()  # a real Ctrl-C: the tty signals the foreground group
        else:  # like sigkit's probe engine: the rest of the ladder goes to the process group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.child.pid, getattr(signal, "SIG" + step))

    def wait_exit(self, seconds: float) -> bool:
        """Keep draining the pty (a full buffer would block the target) until it exits."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.child.isalive():  # waitpid, not EOF: a grandchild may hold the pty
                return True
            self._drain(0.02)
        return not self.child.isalive()

    def status(self) -> str:
        if self.child.signalstatus is not None:
            return f"signal {self.child.signalstatus}"
        return f"exit {self.child.exitstatus}"

    def orphans(self) -> list[int]:
        alive = []
        for pid, created in self.seen.items():
            try:
                proc = psutil.Process(pid)
                if proc.create_time() == created and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)  # a zombie is dead, just not reaped yet by its new parent
            except psutil.Error:
                pass
        return alive

    def text(self) -> str:
        self._drain(0.0)
        return "".join(self.output).replace("\r\n", "\n")

    def _drain(self, timeout: float) -> None:
        try:
            while True:
                self.output.append(self.child.read_nonblocking(65536, timeout=timeout))
                timeout = 0
        except (pexpect.TIMEOUT, pexpect.EOF, OSError):
            pass

    def reap(self) -> None:
        """Kill the process group, every descendant ever seen, then the child itself."""
        self.track()
        for sig in (signal.SIGKILL,):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.child.pid, sig)
            for pid, created in self.seen.items():
                try:
                    proc = psutil.Process(pid)
                    if proc.create_time() == created:
                        proc.kill()
                except psutil.Error:
                    pass
        with contextlib.suppress(Exception):
            self.child.close(force=True)


def verdict_for(step_index: int, ladder: tuple[str, ...], trial: Trial) -> str:
    step = ladder[step_index]
    if step != "INT":
        return step.lower()
    presses = ladder[: step_index + 1].count("INT")
    if presses > 1:
        return f"presses={presses}"
    ki = trial.child.signalstatus == signal.SIGINT or (
        (trial.child.exitstatus or 0) != 0 and "KeyboardInterrupt" in trial.text()
    )
    return "ki" if ki else "exit"


def run_one(
    python: str, identity: Identity, scenario: Scenario, fixed: bool, args: argparse.Namespace
) -> Result:
    variant = "fixed" if fixed else "broken"
    version, implementation = identity.version, identity.implementation
    expected = scenario.expected(variant, version, implementation)
    if expected is not None and scenario.expects_orphans(variant, version, implementation):
        expected += "+orphan"
    result = Result(python, version, scenario.name, variant, "?", expected=expected,
                    implementation=implementation)
    if not scenario.supports(version):
        result.verdict = "n/a"
        return result
    env = dict(os.environ, PYTHON_COLORS="0", NO_COLOR="1", TERM="dumb")
    ladder = scenario.ladder or DEFAULT_LADDER
    command = scenario.command(python, fixed=fixed, extra_args=shlex.split(args.args))
    with Trial(command, env) as trial:
        if not trial.wait_ready(scenario.ready, args.ready_timeout):
            result.verdict = "no-ready" if trial.child.isalive() else "early-exit"
        else:
            time.sleep(scenario.settle if args.settle is None else args.settle)
            first = None
            for index, step in enumerate(ladder):
                trial.send(step)
                first = first if first is not None else time.monotonic()
                if trial.wait_exit(args.step_wait):
                    result.seconds = time.monotonic() - first
                    result.verdict = verdict_for(index, ladder, trial)
                    break
            else:
                result.verdict = "survived"
            if not trial.child.isalive():
                result.status = trial.status()
                time.sleep(0.3)  # let children that got the same Ctrl-C finish dying
                result.orphans = len(trial.orphans())
                if result.orphans:
                    result.verdict += "+orphan"
        result.output = trial.text()
    return result


def pick_pythons(wanted: list[str]) -> list[str]:
    found = sorted(glob.glob(PYENV_GLOB), key=lambda p: identify(p).sort_key)
    if not wanted:
        return found
    chosen = []
    for want in wanted:
        matches = [p for p in found if f"/{want}" in p] or ([want] if os.path.exists(want) else [])
        if not matches:
            sys.exit(f"no interpreter matches {want!r} (have: {', '.join(found)})")
        chosen.extend(matches)
    return chosen


def print_table(results: list[Result], identities: list[Identity]) -> None:
    """One row per scenario/variant, one column per interpreter; '!' marks a mismatch."""
    cols = [identity.label for identity in identities]
    rows: dict[tuple[str, str], dict[str, list[Result]]] = {}
    for r in results:
        rows.setdefault((r.scenario, r.variant), {}).setdefault(r.identity.label, []).append(r)
    width = 12
    print(f"{'scenario':<22}{'variant':<8}" + "".join(f"{c:<{width}}" for c in cols))
    mismatches = 0
    for (name, variant), by_col in rows.items():
        line = f"{name:<22}{variant:<8}"
        for col in cols:
            cell_results = by_col.get(col, [])
            verdicts = sorted({r.verdict for r in cell_results})
            cell = "/".join(verdicts) if verdicts else "-"
            if any(r.matches is False for r in cell_results):
                cell += "!"
                mismatches += 1
            line += f"{cell:<{width}}"
        print(line)
    print(f"\n'!' = differs from the header's expectation ({mismatches} cells)")


def print_markdown(results: list[Result]) -> None:
    """The same table for docs/scenarios.md: verdicts, and the median first-Ctrl-C-to-exit time."""
    identities = _identities(results)
    print("| scenario | variant | " + " | ".join(i.label for i in identities) + " |")
    print("|---|---|" + "---|" * len(identities))
    rows: dict[tuple[str, str], dict[Identity, list[Result]]] = {}
    for r in results:
        rows.setdefault((r.scenario, r.variant), {}).setdefault(r.identity, []).append(r)
    for (name, variant), by_identity in rows.items():
        cells = []
        for identity in identities:
            cell_results = by_identity.get(identity, [])
            verdicts = sorted({r.verdict for r in cell_results})
            if not verdicts or verdicts == ["n/a"]:
                cells.append("n/a")
                continue
            times = sorted(r.seconds for r in cell_results if r.seconds is not None)
            median = f" {_short(times[len(times) // 2])}" if times else ""
            mark = " ✗" if any(r.matches is False for r in cell_results) else ""
            cells.append("/".join(verdicts) + median + mark)
        print(f"| {name} | {variant} | " + " | ".join(cells) + " |")


def _identities(results: list[Result]) -> list[Identity]:
    return sorted({r.identity for r in results}, key=lambda identity: identity.sort_key)


def _short(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def load(path: Path) -> list[Result]:
    results = []
    for item in json.loads(path.read_text()):
        item["version"] = tuple(item["version"])
        results.append(Result(**item))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--python", action="append", default=[],
                        help="interpreter path or pyenv version prefix (repeatable; default: all)")
    parser.add_argument("-s", "--scenario", action="append", default=[], help="(repeatable)")
    parser.add_argument("--variant", choices=["broken", "fixed", "both"], default="both")
    parser.add_argument("-r", "--repeat", type=int, default=1)
    parser.add_argument("--step-wait", type=float, default=2.0, help="seconds after each step")
    parser.add_argument("--settle", type=float, default=None,
                        help="seconds between the ready line and the first Ctrl-C "
                        "(default: the scenario's settle, 0.1 s)")
    parser.add_argument("--ready-timeout", type=float, default=10.0)
    parser.add_argument("--scenarios-dir", action="append", default=[], type=Path)
    parser.add_argument("--args", default="", help="options for the scripts, e.g. '--rest 0'")
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per trial")
    parser.add_argument("--load", type=Path, help="print the tables of an earlier --json run")
    parser.add_argument("--markdown", action="store_true", help="also print a markdown table")
    args = parser.parse_args()
    if args.load:
        results = load(args.load)
        print_table(results, _identities(results))
        if args.markdown:
            print()
            print_markdown(results)
        return 1 if any(r.matches is False for r in results) else 0

    scenarios = discover(args.scenarios_dir)
    if args.scenario:
        wanted = {s.replace("_", "-") for s in args.scenario}
        scenarios = [s for s in scenarios if s.name in wanted]
    pythons = [(p, identify(p)) for p in pick_pythons(args.python)]
    variants = [False, True] if args.variant == "both" else [args.variant == "fixed"]
    results: list[Result] = []
    try:
        for scenario in scenarios:
            for fixed in variants:
                for python, identity in pythons:
                    for _ in range(args.repeat):
                        r = run_one(python, identity, scenario, fixed, args)
                        results.append(r)
                        if args.verbose:
                            secs = f"{r.seconds:.3f}s" if r.seconds is not None else "-"
                            mark = {True: "ok", False: "MISMATCH", None: ""}[r.matches]
                            print(f"{identity.label:<8} {r.scenario:<20} {r.variant:<7}"
                                  f"{r.verdict:<16}{secs:>9}  {r.status:<10} "
                                  f"expected={r.expected} {mark}", flush=True)
    except KeyboardInterrupt:
        print("interrupted; partial table:", file=sys.stderr)
    print()
    print_table(results, [identity for _, identity in pythons])
    if args.markdown:
        print()
        print_markdown(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return 1 if any(r.matches is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
