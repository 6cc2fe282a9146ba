"""Write the real output the docs show into docs/generated/, by running sigkit.

    python docs/generate.py           # everything, from real runs (a few minutes)
    python docs/generate.py --smoke   # tiny runs, seconds: checks the generator itself
    python docs/generate.py --out DIR # write somewhere else

Every snippet is a command and what it printed on this machine -- nothing in the tutorial or
the lab page is typed by hand.  The pages pull snippets in with
``<!-- sigkit:include generated/NAME.md -->`` (see docs/hooks.py).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer.main
from rich.console import Console
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
WIDTH = 100
ENV = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}


@dataclass(frozen=True)
class Command:
    """One ``sigkit`` run whose output a page shows: full arguments and the smoke-mode ones."""

    name: str
    args: tuple[str, ...]
    smoke: tuple[str, ...] | None = None  # None: skipped in smoke mode
    ok: tuple[int, ...] = (0,)  # exit codes that are part of the story (never 2: a usage error)


COMMANDS = (
    Command("quickstart-threadpool", ("run", "threadpool-exit", "--python", "3.9,3.11,3.13")),
    Command("tutorial-idle", ("run", "idle", "--python", "3.11")),
    Command("tutorial-blocked-27", ("run", "blocked-join", "--python", "2.7")),
    Command("tutorial-blocked-matrix", ("run", "blocked-join", "--python", "2.7,3.8,3.11,3.13")),
    Command("tutorial-fixed-matrix",
            ("run", "blocked-join", "--both", "--python", "2.7,3.11,3.13")),
    Command("lab-gil", ("lab", "gil", "--python", "2.7,3.11,3.13", "--plot", "{out}/lab-gil.svg"),
            smoke=("lab", "gil", "--n", "100000", "--repeat", "1")),
    Command("lab-switch-interval",
            ("lab", "switch-interval", "--python", "3.11", "--plot",
             "{out}/lab-switch-interval.svg"),
            smoke=("lab", "switch-interval", "--intervals", "0.005", "--threads", "0,1",
                   "-n", "1")),
    Command("lab-convoy",
            ("lab", "convoy", "--python", "2.7,3.11,3.13", "--plot", "{out}/lab-convoy.svg"),
            smoke=("lab", "convoy", "--threads", "0,1", "--pings", "5")),
)


def fence(command_line: str, output: str) -> str:
    lines = [line.rstrip() for line in output.rstrip().splitlines()]
    return "```text\n$ " + command_line + "\n" + "\n".join(lines) + "\n```\n"


def tidy(text: str) -> str:
    """Paths relative to the repository, so the docs read the same on every machine."""
    return text.replace(str(REPO) + os.sep, "")


def run_sigkit(command: Command, out: Path, smoke: bool) -> str:
    """Run one command as a user would (its own process) and return the fenced snippet."""
    args = [a.replace("{out}", str(out)) for a in (command.smoke if smoke else command.args) or ()]
    shown = shlex.join(["sigkit", *(a.replace(str(out), "docs/generated") for a in args)])
    done = subprocess.run(
        [sys.executable, "-m", "sigkit", *args], capture_output=True, text=True, cwd=REPO,
        env={**os.environ, **ENV}, timeout=900,
    )
    if done.returncode not in command.ok:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"generate: `{shown}` exited {done.returncode}: {reason}")
    return fence(shown, tidy(done.stdout))


def picture_snippets(smoke: bool) -> dict[str, str]:
    """The picture view of real probes of busy-workers (one busy thread) on this Python.

    The terminal timeline of one trial, then the histograms over several: what
    ``sigkit.report.pictures.render_probe`` draws.
    """
    from sigkit import scenarios
    from sigkit.launch import ProbeOptions
    from sigkit.report import pictures
    from sigkit.trials import run_trials

    scenario = scenarios.get("busy-workers")
    command = scenario.command(sys.executable, extra_args=("--threads", "1"))
    options = ProbeOptions(command=command, expect=scenario.ready, after=0.1)
    count = 2 if smoke else 20
    trials = run_trials(options, count)
    snippets = {}
    for name, chosen in zip(PICTURES, (trials[:1], trials)):
        shown = shlex.join(["sigkit", "probe", "--expect", "^ready", "--after", "0.1",
                            *(["-n", str(count)] if len(chosen) > 1 else []), "--",
                            "python", "scenarios/busy_workers.py", "--threads", "1"])
        console = Console(width=WIDTH, record=True, file=io.StringIO(), color_system=None)
        pictures.render_probe(console, chosen)
        snippets[name] = fence(f"{shown}   # the picture view", tidy(console.export_text()))
    return snippets


def cli_reference() -> str:
    """Every command's ``--help``, walked from the typer app itself (so nothing is forgotten)."""
    from sigkit.cli import register

    app = register()
    runner = CliRunner()
    sections = []

    def walk(command: Any, path: list[str]) -> None:
        result = runner.invoke(app, [*path, "--help"], env=ENV, terminal_width=WIDTH)
        title = " ".join(["sigkit", *path])
        text = "\n".join(line.rstrip() for line in result.output.strip().splitlines())
        sections.append(f"## `{title}`\n\n```text\n{text}\n```\n")
        for name, sub in getattr(command, "commands", {}).items():  # a group: its commands
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return "\n".join(sections)


def machine(busy_before: float) -> str:
    """Where and when the figures were taken: they are only true of this kind of machine.

    Other programs' CPU use is sampled before and after the runs: both cores matter here.
    """
    from sigkit.lab import machine as lab_machine

    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    busy_after = lab_machine.busy_cpus()
    lines = [
        f"- generated {datetime.date.today().isoformat()} by `python docs/generate.py`",
        f"- {os.cpu_count()} CPUs ({model}), Linux {platform.release()}",
        f"- sigkit itself ran on Python {platform.python_version()}",
        f"- other programs' CPU use: {busy_before:.1f} CPUs just before the runs, "
        f"{busy_after:.1f} just after (below {lab_machine.QUIET_BELOW} counts as quiet)",
    ]
    return "\n".join(lines) + "\n"


PICTURES = ("picture-timeline", "picture-histograms")


def snippet_names() -> list[str]:
    """Every snippet a full run writes (the pages may include any of them)."""
    return ["machine", "cli", *(command.name for command in COMMANDS), *PICTURES]


def generate(out: Path, smoke: bool, only: Sequence[str] = ()) -> list[Path]:
    """Write every snippet (or those named in ``only``) into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        return not only or name in only

    from sigkit.lab.machine import busy_cpus

    busy_before = busy_cpus()
    snippets = {}
    if wanted("cli"):
        snippets["cli"] = cli_reference()
    for command in COMMANDS:
        if wanted(command.name) and not (smoke and command.smoke is None):
            print(f"generate: {command.name}", file=sys.stderr)
            snippets[command.name] = run_sigkit(command, out, smoke)
    if any(wanted(name) for name in PICTURES):
        print("generate: pictures", file=sys.stderr)
        snippets.update(picture_snippets(smoke))
    if wanted("machine"):
        snippets["machine"] = machine(busy_before)
    written = []
    for name, text in snippets.items():
        path = out / f"{name}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny runs: check the generator")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "generated")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="regenerate only this snippet (repeatable)")
    args = parser.parse_args(argv)
    for path in generate(args.out.resolve(), args.smoke, args.only):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
