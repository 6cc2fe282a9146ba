"""The hostile battery: does sigkit keep its promises against targets and inputs built to break them?

Run on demand (``python benchmarks/hostile.py [--runs N] [--code DIR]``); ``--code`` points at
another checkout's folder holding ``sigkit/`` to measure it instead (e.g. before a change).

Four parts, each counted over N runs, printed as a markdown table:

1. Hostile targets under ``sigkit probe``: a daemon that double-forks, calls ``setsid`` and
   ``execve``s with an empty environment; a daemon that changes its pid every few ms (fork,
   parent exits); a setsid child; a target that ignores every catchable signal.  Counted:
   processes alive after sigkit exits (found by a token in their *argv*, which no daemon here
   clears), reports saying "Orphans: none" while something was left, tracebacks, hangs.
2. Signals to sigkit itself (INT, TERM, HUP, QUIT) while it waits (``--after 60``):
   exit status, leftovers, tracebacks.
3. Bad inputs (NaN, infinity, unwritable outputs, odd config files, FIFOs to lint): exit 2 with
   one line and no traceback, and nothing spawned (the target would create a marker file);
   ``/dev/full`` (known only when the write fails) must put the results on stdout instead;
   lint reports what it cannot read as SK001.
4. When sigkit itself is SIGKILLed mid-probe: do the target's descendants survive it?
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

HANG_SECONDS = 60.0

# The hostile programs are the test suite's own (tests/programs/<behaviour>.py); each passes its
# extra argv words on to what it starts, so the token below marks every process of a run.
PROGRAMS = Path(__file__).resolve().parent.parent / "tests" / "programs"
TARGETS = {
    "env-clearing daemon": "env_clearing_daemon",
    "pid-hopping daemon": "pid_hopping_daemon",
    "setsid child": "setsid_child",
    "ignores every signal": "ignores_every_signal",
}


def program(name: str) -> str:
    return str(PROGRAMS / f"{name}.py")


def carrying(token: str, besides: int = 0) -> list[int]:
    """Live processes but ``besides`` (sigkit: the token is in its own argv) whose argv holds
    ``token`` (zombies are dead: not counted)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == besides:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                argv = file.read().split(b"\0")
            with open(f"/proc/{entry}/stat", "rb") as file:
                state = file.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in argv and state != b"Z":
            found.append(int(entry))
    return found


def exterminate(token: str) -> None:
    """Clean up after a run that left something: stop, then kill, until three empty scans."""
    empty = 0
    while empty < 3:
        pids = carrying(token)
        empty = 0 if pids else empty + 1
        for how in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, how)
                except OSError:
                    pass
        time.sleep(0.02)


class Battery:
    def __init__(self, code: str | None, folder: Path) -> None:
        self.folder = folder
        self.env = dict(os.environ)
        if code:
            self.env["PYTHONPATH"] = code
        self.python = sys.executable
        self.slowest = 0.0  # seconds from a stop signal to sigkit's exit

    def sigkit(self, *args: str) -> list[str]:
        return [self.python, "-m", "sigkit", *args]

    def hostile_target(self, target: str) -> Counter[str]:
        token = "hostile-" + uuid.uuid4().hex
        outcome: Counter[str] = Counter()
        try:
            done = subprocess.run(
                self.sigkit("probe", "--expect", "ready", "--deadline", "0.5", "--interval",
                            "0.3", "--", self.python, target, token),
                capture_output=True, text=True, timeout=HANG_SECONDS, env=self.env,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired:
            outcome["hang"] += 1
            exterminate(token)
            return outcome
        time.sleep(0.3)
        left = carrying(token)
        outcome["runs"] += 1
        outcome["leftover runs"] += bool(left)
        outcome["traceback"] += "Traceback" in done.stderr
        outcome["says none, left some"] += bool(left) and "Orphans: none" in done.stdout
        outcome[f"exit {done.returncode}"] += 1
        exterminate(token)
        return outcome

    def waiting_sigkit(self, target: str, token: str) -> subprocess.Popen[str]:
        """sigkit probing ``target`` with ``--after 60``, once everything has started: it is
        sitting in its wait, with the target and what the target started alive."""
        sigkit = subprocess.Popen(
            self.sigkit("probe", "--after", "60", "--", self.python, target, token),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
            start_new_session=True,
        )
        started = time.monotonic()
        while not carrying(token, sigkit.pid) and time.monotonic() - started < 20:
            time.sleep(0.02)
        time.sleep(0.5)
        return sigkit

    def signal_sigkit(self, signum: int) -> Counter[str]:
        token = "hostile-" + uuid.uuid4().hex
        outcome: Counter[str] = Counter()
        sigkit = self.waiting_sigkit(program("setsid_child"), token)
        try:
            os.kill(sigkit.pid, signum)
            sent = time.monotonic()
            try:
                _, stderr = sigkit.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                outcome["hang"] += 1
                return outcome
            outcome["runs"] += 1
            outcome[f"exit {sigkit.returncode}"] += 1
            outcome["clean exit (128+n)"] += sigkit.returncode == 128 + signum
            outcome["traceback"] += "Traceback" in stderr
            self.slowest = max(self.slowest, time.monotonic() - sent)
            time.sleep(0.3)
            outcome["leftover runs"] += bool(carrying(token))
        finally:
            if sigkit.poll() is None:
                sigkit.kill()
            sigkit.communicate()
            exterminate(token)
        return outcome

    def sigkill_sigkit(self, target: str) -> Counter[str]:
        """SIGKILL sigkit mid-probe: nothing can clean up; who survives, and who reaps them?"""
        token = "hostile-" + uuid.uuid4().hex
        outcome: Counter[str] = Counter()
        sigkit = self.waiting_sigkit(target, token)
        try:
            os.kill(sigkit.pid, signal.SIGKILL)
            sigkit.communicate()
            time.sleep(0.5)
            left = carrying(token)
            outcome["runs"] += 1
            outcome["descendants alive after"] += bool(left)
            outcome["re-parented to pid 1"] += 1 in {_parent(pid) for pid in left}
        finally:
            exterminate(token)
        return outcome

    def bad_inputs(self) -> Counter[str]:
        marker = self.folder / "spawned"
        target = ["--", "sh", "-c", f"touch {marker}; sleep 5"]
        fifo = self.folder / "fifo"
        if not fifo.exists():
            os.mkfifo(fifo)
        folder_with_fifo = self.folder / "with-fifo"
        folder_with_fifo.mkdir(exist_ok=True)
        if not (folder_with_fifo / "pipe.py").exists():
            os.mkfifo(folder_with_fifo / "pipe.py")
        configs = {
            "nan-deadline": '[[check]]\nname = "x"\ncommand = "true"\nno_orphans = true\n'
                            'deadline = nan\n',
            "inf-after": '[[check]]\nname = "x"\ncommand = "true"\nno_orphans = true\n'
                         'after = inf\n',
            "missing-cwd": '[[check]]\nname = "x"\ncommand = "true"\nno_orphans = true\n'
                           'cwd = "/nonexistent"\n',
            "valid": '[[check]]\nname = "x"\ncommand = "true"\nending = "any"\n',
        }
        config_paths = {}
        for name, body in configs.items():
            path = self.folder / f"{name}.toml"
            path.write_text(body)
            config_paths[name] = str(path)
        latin1 = self.folder / "latin1.toml"
        latin1.write_bytes(b'[[check]]\nname = "caf\xe9"\ncommand = "true"\nno_orphans = true\n')
        cases = [
            ["probe", "--deadline", "nan", *target],
            ["probe", "--deadline", "inf", *target],
            ["probe", "--after", "inf", *target],
            ["probe", "--after", "nan", *target],
            ["probe", "--deadline", "1e309", *target],
            ["probe", "--interval", "nan", *target],
            ["probe", "--budget", "nan", *target],
            ["probe", "--budget", "-1", *target],
            ["probe", "--ladder", "", *target],
            ["probe", "--ladder", ",", *target],
            ["probe", "--json", "/proc/x/y.json", *target],
            ["probe", "--json", str(self.folder), *target],
            ["probe", "--json", "/nonexistent/dir/out.json", *target],
            ["probe", "--json", "/dev/full", *target],
            ["probe", "--plot", "/nonexistent/dir/p.svg", *target],
            ["run", "blocked-join", "--deadline", "nan"],
            ["run", "blocked-join", "--json", "/dev/full"],
            ["check", "--config", config_paths["nan-deadline"]],
            ["check", "--config", config_paths["inf-after"]],
            ["check", "--config", config_paths["missing-cwd"]],
            ["check", "--config", str(latin1)],
            ["check", "--config", str(self.folder)],
            ["check", "--config", str(fifo)],
            ["check", "--config", config_paths["valid"], "--junit", "/dev/full"],
            ["inspect", str(2**70)],
            ["inspect", "-5"],
            ["lint", str(fifo)],
            ["lint", str(folder_with_fifo)],
            ["lint", "/dev/zero"],
        ]
        outcome: Counter[str] = Counter()
        self.failures: list[str] = []
        for args in cases:
            if marker.exists():
                marker.unlink()
            try:
                done = subprocess.run(self.sigkit(*args), capture_output=True, text=True,
                                      timeout=HANG_SECONDS / 4, env=self.env,
                                      stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                outcome["hang"] += 1
                self.failures.append(f"hang: {args}")
                continue
            outcome["inputs"] += 1
            lines = done.stderr.strip().splitlines()
            if args[0] == "lint":  # not a usage error: reported as SK001, with a reason
                ok = done.returncode == 1 and "SK001" in done.stdout
            elif "/dev/full" in args:  # cannot be known before: the run goes to stdout instead
                ok = done.returncode == 2 and len(lines) == 1 and bool(done.stdout.strip())
            else:  # refused before anything was spawned
                ok = done.returncode == 2 and len(lines) == 1 and not marker.exists()
            outcome["traceback"] += "Traceback" in done.stderr
            outcome["spawned, then refused"] += marker.exists() and "/dev/full" not in args
            outcome["as promised"] += ok
            if not ok:
                first = lines[-1] if lines else done.stdout.strip()[-120:]
                self.failures.append(f"exit {done.returncode}: {' '.join(args[:4])}: {first}")
        return outcome


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            return int(file.read().rsplit(b")", 1)[1].split()[1])
    except OSError:
        return -1


def merged(counts: Iterable[Counter[str]]) -> Counter[str]:
    """Add up runs, keeping zero counts (``sum`` of Counters drops them, and a 0 is a result)."""
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    return total


def table(title: str, rows: dict[str, Counter[str]]) -> str:
    keys = sorted({key for counts in rows.values() for key in counts})
    lines = [f"### {title}", "", "| case | " + " | ".join(keys) + " |",
             "|---|" + "---|" * len(keys)]
    for name, counts in rows.items():
        lines.append(f"| {name} | " + " | ".join(str(counts.get(k, 0)) for k in keys) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per hostile case")
    parser.add_argument("--code", help="folder holding the sigkit package to measure")
    parser.add_argument("--parts", default="targets,signals,inputs,sigkill")
    options = parser.parse_args()
    parts = options.parts.split(",")
    with tempfile.TemporaryDirectory(prefix="sigkit-hostile-") as folder:
        battery = Battery(options.code, Path(folder))
        if "targets" in parts:
            rows: dict[str, Counter[str]] = {}
            for name, target in TARGETS.items():
                rows[name] = merged(battery.hostile_target(program(target))
                                    for _ in range(options.runs))
            print(table(f"Hostile targets, {options.runs} probes each", rows))
        if "signals" in parts:
            rows = {}
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
                rows[signal.Signals(signum).name + " to sigkit"] = merged(
                    battery.signal_sigkit(signum) for _ in range(options.runs))
            print(table(f"Signals to sigkit mid-probe, {options.runs} runs each", rows))
            print(f"slowest exit after the signal: {battery.slowest:.2f} s\n")
        if "inputs" in parts:
            print(table("Bad inputs", {"all": battery.bad_inputs()}))
            for failure in battery.failures:
                print(f"- {failure}")
            print()
        if "sigkill" in parts:
            rows = {name: merged(battery.sigkill_sigkit(program(TARGETS[name]))
                                 for _ in range(options.runs))
                    for name in ("setsid child", "env-clearing daemon")}
            print(table(f"SIGKILL to sigkit mid-probe, {options.runs} runs each", rows))


if __name__ == "__main__":
    main()
