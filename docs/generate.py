"""Write the real output the docs show into docs/generated/, by running sigkit.

    python docs/generate.py                  # the CLI reference only: it follows the code (seconds)
    python docs/generate.py --runs           # also re-measure every real run the pages show (minutes)
    python docs/generate.py --only NAME      # one snippet, real run included (repeatable)
    python docs/generate.py --smoke --out D  # tiny runs, seconds: checks the generator itself

Every snippet is a command and what it printed on this machine -- nothing in the pages is typed
by hand.  The pages pull snippets in with ``<!-- sigkit:include generated/NAME.md -->`` (see
docs/hooks.py).  Some are also *pictures*: the command runs with its colours on, and rich draws
what it printed as an SVG terminal window (``Console(record=True)`` + ``export_svg``).

Building the docs must not dirty the checkout: measured output changes on every run (latencies,
pids), so it is re-measured only on request (``--runs``), and a file whose content is unchanged
is never rewritten.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import io
import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer.main
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
WIDTH = 100
ENV = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
# Pictures keep sigkit's colours: rich honours FORCE_COLOR even when stdout is a pipe.
COLOUR_ENV = {"COLUMNS": str(WIDTH), "FORCE_COLOR": "1", "TERM": "xterm-256color"}


PROBE = ("probe", "--expect", "^ready", "--", "{python3.11}")  # the real binary, not a shim


@dataclass(frozen=True)
class Command:
    """One ``sigkit`` run whose output a page shows: full arguments and the smoke-mode ones."""

    name: str
    args: tuple[str, ...]
    smoke: tuple[str, ...] | None = None  # None: skipped in smoke mode
    ok: tuple[int, ...] = (0,)  # exit codes that are part of the story (never 2: a usage error)
    picture: bool = False  # also drawn as a terminal picture (NAME.svg)
    shows: str = ""  # the cause this run demonstrates: its picture goes under it on the causes page


COMMANDS = (
    Command("home-threadpool", ("run", "threadpool-exit", "--python", "3.11"), picture=True,
            shows="executor-shutdown"),
    Command("quickstart-threadpool", ("run", "threadpool-exit", "--python", "3.9,3.11,3.13"),
            picture=True),
    Command("tutorial-idle", ("run", "idle", "--python", "3.11"), picture=True,
            smoke=("run", "idle")),
    Command("tutorial-blocked-27", ("run", "blocked-join", "--python", "2.7"), picture=True,
            shows="uninterruptible-wait"),
    Command("tutorial-blocked-matrix", ("run", "blocked-join", "--python", "2.7,3.8,3.11,3.13"),
            picture=True),
    Command("tutorial-fixed-matrix",
            ("run", "blocked-join", "--both", "--python", "2.7,3.11,3.13"), picture=True),
    Command("cause-nondaemon-shutdown", ("run", "blocked-join", "--python", "3.13"), picture=True,
            shows="nondaemon-shutdown"),
    Command("cause-lost-work", ("run", "nondaemon-shutdown", "--python", "3.11"), picture=True,
            shows="lost-work"),
    Command("cause-gil-held-by-worker", ("run", "gil-hog", "--python", "3.11"), picture=True,
            shows="gil-held-by-worker"),
    Command("cause-main-in-c-call", ("run", "main-c-call", "--python", "3.11"), picture=True,
            shows="main-in-c-call"),
    Command("cause-multiprocessing-hang", ("run", "mp-pool", "--python", "2.7"), picture=True,
            shows="multiprocessing-hang"),
    Command("cause-sigint-ignored", ("run", "sigint-ignored", "--python", "3.11"), picture=True,
            shows="sigint-ignored"),
    Command("cause-swallowed-interrupt", ("run", "swallowed-interrupt", "--python", "3.11"),
            picture=True, shows="swallowed-interrupt"),
    Command("cause-asyncio-blocked-loop", ("run", "asyncio-blocking", "--python", "3.11"),
            picture=True, shows="asyncio-blocked-loop"),
    Command("cause-orphans", ("run", "orphan-child", "--python", "3.11"), picture=True,
            shows="orphans"),
    # Causes no scenario shows: the test suite's behaviour-named programs, probed as a user would.
    Command("cause-slow-cleanup", (*PROBE, "tests/programs/slow_finally.py"), picture=True,
            shows="slow-cleanup"),
    Command("cause-process-pool-shutdown", (*PROBE, "tests/programs/process_pool_queued.py"),
            picture=True, shows="process-pool-shutdown"),
    Command("cause-asyncio-executor-shutdown",
            (*PROBE, "tests/programs/asyncio_executor_blocking.py"), picture=True,
            shows="asyncio-executor-shutdown"),
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
    Command("lab-pending-signal",
            ("lab", "pending-signal", "--python", "2.7,3.11,3.13", "--plot",
             "{out}/lab-pending-signal.svg"),
            smoke=("lab", "pending-signal", "--repeat", "1", "--max-repeat", "1")),
    Command("lab-check-interval",
            ("lab", "check-interval", "--python", "2.7,3.11", "--plot",
             "{out}/lab-check-interval.svg")),  # no smoke run: it needs Python 2
)

CAUSES_DIR = "causes"  # generated/causes/ID.md: the example the docs hook puts under cause ID


def fence(command_line: str, output: str) -> str:
    lines = [line.rstrip() for line in output.rstrip().splitlines()]
    return "```text\n$ " + command_line + "\n" + "\n".join(lines) + "\n```\n"


def tidy(text: str) -> str:
    """Paths relative to the repository and the home folder, so the docs read the same anywhere."""
    return text.replace(str(REPO) + os.sep, "").replace(str(Path.home()) + os.sep, "~" + os.sep)


def names_cause(text: str, cause_id: str) -> bool:
    """Whether a probe's report has a finding of ``cause_id`` (its line: mark, id, title)."""
    return re.search(rf"^\S {re.escape(cause_id)}  ", text, re.M) is not None


def terminal_svg(title: str, ansi: str) -> str:
    """What a terminal showed, drawn by rich as an SVG window titled with the command."""
    console = Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor")
    console.print(Text.from_ansi(ansi.rstrip()), soft_wrap=True)
    return console.export_svg(title=title)


@dataclass(frozen=True)
class Output:
    """A command line and what it printed, with its colours (ANSI) when it had any."""

    shown: str
    ansi: str
    conditions: str = ""  # when it ran and how busy the machine was: true of this run only

    @property
    def title(self) -> str:
        """The command line without its trailing comment: a picture's window title."""
        return self.shown.split("   #", 1)[0]

    @property
    def text(self) -> str:
        return Text.from_ansi(self.ansi).plain

    def snippet(self) -> str:
        return fence(self.shown, self.text) + self.footer()

    def picture_snippet(self, svg_name: str) -> str:
        """The picture first, the same output as copyable text in a second tab."""
        fenced = fence(self.shown, self.text)
        text = "\n".join("    " + line if line else "" for line in fenced.splitlines())
        return (f'=== "Terminal"\n\n    ![$ {self.title}](generated/{svg_name})\n\n'
                f'=== "Text"\n\n{text}\n' + self.footer())

    def footer(self) -> str:
        return f"\n*{self.conditions}*\n" if self.conditions else ""


def run_sigkit(command: Command, out: Path, smoke: bool) -> dict[str, Output]:
    """Run one command as a user would (its own process): what it printed, under its name."""
    from sigkit import interpreters

    python = str(interpreters.resolve("3.11")) if "{python3.11}" in command.args else ""
    args = [a.replace("{out}", str(out)).replace("{python3.11}", python)
            for a in (command.smoke if smoke else command.args) or ()]
    shown = tidy(shlex.join(["sigkit", *(a.replace(str(out), "docs/generated") for a in args)]))
    done = subprocess.run(
        [sys.executable, "-m", "sigkit", *args], capture_output=True, text=True, cwd=REPO,
        env={**os.environ, **(COLOUR_ENV if command.picture else ENV)}, timeout=900,
    )
    if done.returncode not in command.ok:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"generate: `{shown}` exited {done.returncode}: {reason}")
    output = Output(shown, tidy(done.stdout))
    if command.shows and not smoke and not names_cause(output.text, command.shows):
        raise SystemExit(f"generate: `{shown}` is the causes page's example of {command.shows}, "
                         f"but this run did not name it:\n{output.text}")
    return {command.name: output}


def picture_snippets(smoke: bool) -> dict[str, Output]:
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
    outputs = {}
    for name, chosen in zip(PICTURES, (trials[:1], trials)):
        shown = shlex.join(["sigkit", "probe", "--picture", "--expect", "^ready", "--after", "0.1",
                            *(["-n", str(count)] if len(chosen) > 1 else []), "--",
                            "python", "scenarios/busy_workers.py", "--threads", "1"])
        console = Console(width=WIDTH, record=True, file=io.StringIO(), force_terminal=True,
                          color_system="truecolor")
        pictures.render_probe(console, chosen)
        outputs[name] = Output(f"{shown}   # its --picture part",
                               tidy(console.export_text(styles=True)))
    return outputs


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


def machine() -> str:
    """The machine the figures were taken on: they are only true of this kind of machine."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    lines = [
        f"- {os.cpu_count()} CPUs ({model}), Linux {platform.release()}",
        f"- sigkit itself ran on Python {platform.python_version()}",
        "- written by `python docs/generate.py --runs`; under each output, the day it ran and how "
        "busy other programs kept the CPUs (both cores matter here)",
    ]
    return "\n".join(lines) + "\n"


def measuring(make: Callable[..., dict[str, Output]], *args: Any) -> dict[str, Output]:
    """``make(*args)``, noting on each output when it ran and what else used the CPUs meanwhile."""
    from sigkit.lab.machine import QUIET_BELOW, busy_cpus

    before = busy_cpus()
    outputs = make(*args)
    after = busy_cpus()
    verdict = ("a busy machine, so the figures include waiting for a CPU"
               if max(before, after) >= QUIET_BELOW else "a quiet machine")
    note = (f"Ran {datetime.date.today().isoformat()}; other programs used {before:.1f} CPUs "
            f"just before, {after:.1f} just after: {verdict}.")
    return {name: dataclasses.replace(output, conditions=note) for name, output in outputs.items()}


PICTURES = ("picture-timeline", "picture-histograms")


def snippet_names() -> list[str]:
    """Every snippet a full run writes (the pages may include any of them)."""
    return ["machine", "cli", *(command.name for command in COMMANDS), *PICTURES]


def measured(name: str) -> bool:
    """Snippets whose content changes from run to run: re-made only with --runs or --only."""
    return name != "cli"


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it (a rewrite would dirty the checkout)."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def generate(out: Path, smoke: bool, only: Sequence[str] = (), runs: bool = False) -> list[Path]:
    """Write the snippets (those named in ``only``; measured ones only when ``runs``) into
    ``out``; returns the files whose content changed."""
    out.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        if only:
            return name in only
        return runs or smoke or not measured(name)

    files: dict[str, str] = {}
    if wanted("cli"):
        files["cli.md"] = cli_reference()
    outputs: dict[str, Output] = {}
    pictured = {command.name for command in COMMANDS if command.picture} | set(PICTURES)
    for command in COMMANDS:
        if wanted(command.name) and not (smoke and command.smoke is None):
            print(f"generate: {command.name}", file=sys.stderr)
            outputs.update(measuring(run_sigkit, command, out, smoke))
    if any(wanted(name) for name in PICTURES):
        print("generate: pictures", file=sys.stderr)
        outputs.update(measuring(picture_snippets, smoke))
    shows = {command.name: command.shows for command in COMMANDS if command.shows}
    for name, output in outputs.items():
        if name in pictured:
            files[f"{name}.svg"] = terminal_svg(output.title, output.ansi)
            files[f"{name}.md"] = output.picture_snippet(f"{name}.svg")
        else:
            files[f"{name}.md"] = output.snippet()
        if name in shows:
            files[f"{CAUSES_DIR}/{shows[name]}.md"] = files[f"{name}.md"]
    if wanted("machine") and (outputs or "machine" in only):
        files["machine.md"] = machine()
    return [out / name for name, text in files.items() if write_if_changed(out / name, text)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", action="store_true",
                        help="also re-measure every real run the pages show (minutes)")
    parser.add_argument("--smoke", action="store_true", help="tiny runs: check the generator")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "generated")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        choices=snippet_names(),
                        help="regenerate only this snippet, measured or not (repeatable)")
    args = parser.parse_args(argv)
    changed = generate(args.out.resolve(), args.smoke, args.only, args.runs)
    for path in changed:
        print(f"wrote {path}", file=sys.stderr)
    if not changed:
        print("generate: nothing changed", file=sys.stderr)
    if not (args.runs or args.only or args.smoke):
        print("generate: measured outputs kept as committed (--runs re-measures them)",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
