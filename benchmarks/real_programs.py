"""Real programs, measured twice: what really happens when they are stopped, then what sigkit says.

Run on demand (``python benchmarks/real_programs.py [--only NAME] [--json FILE]``).  For each case:

1. **Truth, without sigkit.**  The real server or worker starts on a free 127.0.0.1 port, a client
   puts a slow request (or a celery task) in flight, and the stop is sent the way its manager
   sends it: a Ctrl-C typed into a pty (pexpect), ``kill -TERM`` to the main pid of a process with
   no terminal, or SIGTERM to PID 1 of a new PID namespace (``unshare``) as ``docker stop`` does.
   Recorded: whether the client's request completed or was cut (and when), time to exit, exit
   status, processes of the run still alive after the main one exited.
2. **sigkit** on the same case (``sigkit probe --json``, with a short ``--grace``), with its own
   client in flight, whose outcome is recorded too.
3. **Agrees?**  sigkit agrees when (a) it ended where the truth says it ends (the first stop ends
   the program within the grace, or not), (b) what its findings say about the request matches
   what sigkit's own client saw (no "cut off" for a request that completed; a warning when one
   was cut), and (c) the cause it names is the case's (a drain is a drain, a dropped signal at
   PID 1 is that), and no framework the command does not run is named.

Prints a markdown table: case | true behaviour | sigkit verdict | agrees?
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pexpect

PROGRAMS = Path(__file__).resolve().parent.parent / "tests" / "programs"
BIN = Path(sys.executable).parent
SLOW = 6.0  # the request or task in flight, seconds
OBSERVE = 12.0  # how long the truth run waits for an exit after the stop
FRAMEWORKS = ("uvicorn", "gunicorn", "celery", "flask", "werkzeug", "hypercorn")
# causes that explain a stop; naming one that is not the case's own is a wrong explanation
EXPLAINING = {"swallowed-interrupt", "multiprocessing-hang", "executor-shutdown",
              "nondaemon-shutdown", "graceful-shutdown", "requests-in-flight", "slow-cleanup",
              "asyncio-executor-shutdown", "process-pool-shutdown", "pid1-no-handler",
              "shell-no-forward", "sigterm-default", "unexplained", "orphans", "lost-work",
              "handler-replaced", "grace-overrun"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- what the client saw ---------------------------------------------------------------------

@dataclass
class Seen:
    """The client's view: a request (HTTP status, None when cut) or a task (done file)."""
    completed: Optional[bool] = None  # None: nothing was in flight
    detail: str = "nothing in flight"
    at: float = 0.0  # monotonic time the client learnt it


class HttpClient(threading.Thread):
    """GET /slow once the port accepts connections; records what came back, and when."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.seen = Seen(None, "never connected")

    def run(self) -> None:
        end = time.monotonic() + 40
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request("GET", "/slow")
            response = conn.getresponse()
            response.read()
            self.seen = Seen(response.status == 200, f"HTTP {response.status}", time.monotonic())
        except (OSError, http.client.HTTPException) as error:
            self.seen = Seen(False, type(error).__name__, time.monotonic())

    def outcome(self, sent: float) -> Seen:
        self.join(OBSERVE + 5)
        return self.seen


class CeleryTask:
    """One ``slow`` task queued in a fresh folder broker; the task's done file is the truth."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {"SIGKIT_CELERY_DIR": str(folder)}

    def start(self) -> None:
        subprocess.run([sys.executable, "celery_slow_task.py"], cwd=PROGRAMS, timeout=60,
                       env={**os.environ, "SIGKIT_SLOW": str(SLOW), **self.env}, check=True)

    def outcome(self, sent: float) -> Seen:
        if not (self.folder / "started-one").exists():
            return Seen(None, "task never started")
        done = self.folder / "done-one"
        if done.exists():
            return Seen(True, "task done", done.stat().st_mtime - time.time() + time.monotonic())
        return Seen(False, "task cut", sent)


# --- the cases -------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    command: Callable[[int, Path], list[str]]  # (port, scratch folder) -> argv
    stop: str  # "ctrl-c" | "term" (kill -TERM to the main pid, no tty) | "term-group" | "docker-pid1"
    sigkit: list[str]  # sigkit probe options besides --json/--expect
    expect: str = "in flight"
    explains: frozenset[str] = frozenset()  # the causes that describe this case
    client: str = "http"  # "http" | "celery" | ""
    framework: tuple[str, ...] = ()  # what the command runs (sigkit may name only these)


def exe(name: str) -> str:
    found = BIN / name
    if not found.exists():
        raise SystemExit(f"no {name} beside {sys.executable}: pip install -e '.[test]'")
    return str(found)


def gunicorn(port: int, *extra: str) -> list[str]:
    return [exe("gunicorn"), "--no-control-socket", "-b", f"127.0.0.1:{port}", *extra,
            "wsgi_slow_request:app"]


def celery() -> list[str]:
    return [exe("celery"), "-A", "celery_slow_task", "worker", "--pool", "prefork", "-c", "1"]


GRACE = ["--grace", "3"]
DRAIN = frozenset({"graceful-shutdown", "grace-overrun"})
CASES = [
    Case("uvicorn, Ctrl-C, --timeout-graceful-shutdown 2",
         lambda p, d: [exe("uvicorn"), "asgi_slow_request:app", "--port", str(p),
                       "--timeout-graceful-shutdown", "2"],
         "ctrl-c", GRACE, explains=DRAIN, framework=("uvicorn",)),
    Case("uvicorn, kill -TERM, --timeout-graceful-shutdown 2",
         lambda p, d: [exe("uvicorn"), "asgi_slow_request:app", "--port", str(p),
                       "--timeout-graceful-shutdown", "2"],
         "term", ["--stop", "kill", *GRACE], explains=DRAIN, framework=("uvicorn",)),
    Case("uvicorn, Ctrl-C (no bound)",
         lambda p, d: [exe("uvicorn"), "asgi_slow_request:app", "--port", str(p)],
         "ctrl-c", GRACE, explains=DRAIN, framework=("uvicorn",)),
    Case("gunicorn sync, Ctrl-C", lambda p, d: gunicorn(p), "ctrl-c", GRACE,
         explains=frozenset({"requests-in-flight"}), framework=("gunicorn",)),
    Case("gunicorn sync, kill -TERM, --graceful-timeout 3",
         lambda p, d: gunicorn(p, "--graceful-timeout", "3"), "term",
         ["--stop", "kill", "--grace", "5"], explains=DRAIN, framework=("gunicorn",)),
    Case("gunicorn gthread, Ctrl-C", lambda p, d: gunicorn(p, "-k", "gthread", "--threads", "2"),
         "ctrl-c", GRACE, explains=DRAIN, framework=("gunicorn",)),
    Case("gunicorn gthread, kill -TERM, --graceful-timeout 3",
         lambda p, d: gunicorn(p, "-k", "gthread", "--threads", "2", "--graceful-timeout", "3"),
         "term", ["--stop", "kill", "--grace", "5"], explains=DRAIN, framework=("gunicorn",)),
    Case("celery prefork, kill -TERM to main", lambda p, d: celery(), "term",
         ["--stop", "kill", *GRACE], explains=DRAIN, client="celery", framework=("celery",)),
    Case("celery prefork, docker stop (PID 1)", lambda p, d: celery(), "docker-pid1",
         ["--stop", "docker", "--pid1", *GRACE], explains=DRAIN, client="celery",
         framework=("celery",)),
    Case("celery prefork, systemd stop (TERM to every process)", lambda p, d: celery(),
         "term-group", ["--stop", "systemd", *GRACE], explains=DRAIN | {"requests-in-flight"},
         client="celery", framework=("celery",)),
    Case("Flask dev server, kill -TERM",
         lambda p, d: [exe("flask"), "--app", "flask_slow_request", "run", "--port", str(p)],
         "term", ["--stop", "kill", *GRACE], explains=frozenset({"requests-in-flight"}),
         framework=("flask", "werkzeug")),
    Case("Flask dev server, Ctrl-C",
         lambda p, d: [exe("flask"), "--app", "flask_slow_request", "run", "--port", str(p)],
         "ctrl-c", GRACE, explains=frozenset({"requests-in-flight"}), framework=("flask", "werkzeug")),
    Case("Flask dev server --reload, Ctrl-C",
         lambda p, d: [exe("flask"), "--app", "flask_slow_request", "run", "--reload",
                       "--port", str(p)],
         "ctrl-c", GRACE, explains=frozenset({"requests-in-flight"}), framework=("flask", "werkzeug")),
    Case("hypercorn (its 3 s graceful timeout), Ctrl-C",
         lambda p, d: [exe("hypercorn"), "--bind", f"127.0.0.1:{p}", "asgi_slow_request:app"],
         "ctrl-c", ["--grace", "5"], explains=DRAIN, framework=("hypercorn",)),
    Case("hypercorn --graceful-timeout 10, Ctrl-C",
         lambda p, d: [exe("hypercorn"), "--bind", f"127.0.0.1:{p}", "--graceful-timeout",
                       "10", "asgi_slow_request:app"],
         "ctrl-c", GRACE, explains=DRAIN, framework=("hypercorn",)),
    Case("multiprocessing.Pool.map, Ctrl-C",
         lambda p, d: [sys.executable, "pool_map_slow.py"], "ctrl-c", GRACE, expect="ready",
         client=""),
    Case("multiprocessing.Pool.map, kill -TERM",
         lambda p, d: [sys.executable, "pool_map_slow.py"], "term", ["--stop", "kill", *GRACE],
         expect="ready", client="", explains=frozenset({"orphans", "sigterm-default"})),
    Case("asyncio.run + run_in_executor, Ctrl-C",
         lambda p, d: [sys.executable, "asyncio_executor_blocking.py"], "ctrl-c", GRACE,
         expect="ready", client="", explains=frozenset({"asyncio-executor-shutdown"})),
    Case("PID 1, no SIGTERM handler, docker stop",
         lambda p, d: [sys.executable, "term_default.py", str(d / "atexit")], "docker-pid1",
         ["--stop", "docker", "--pid1", *GRACE], expect="ready", client="",
         explains=frozenset({"pid1-no-handler", "grace-overrun"})),
    Case("PID 1, SIGTERM handler, docker stop",
         lambda p, d: [sys.executable, "term_handler_exits.py", str(d / "finally")],
         "docker-pid1", ["--stop", "docker", "--pid1", *GRACE], expect="ready", client=""),
    Case("sh -c 'python app.py' as PID 1, docker stop",
         lambda p, d: ["sh", "-c", f"{sys.executable} term_handler_exits.py {d / 'finally'}"],
         "docker-pid1", ["--stop", "docker", "--pid1", *GRACE], expect="ready", client="",
         explains=frozenset({"shell-no-forward", "grace-overrun"})),
]


# --- truth: the real program, stopped as its manager stops it --------------------------------

@dataclass
class Truth:
    exit_after: Optional[float]  # seconds from the stop to the exit; None: still running
    status: str
    seen: Seen
    sent: float
    leftovers: list[str] = field(default_factory=list)
    output: str = ""

    def describe(self) -> str:
        parts = []
        if self.seen.completed is not None:
            when = f" at {self.seen.at - self.sent:.1f} s" if self.seen.at else ""
            word = "completed" if self.seen.completed else "cut"
            parts.append(f"{'request' if 'HTTP' in self.seen.detail or not self.seen.completed else 'task'}"
                         f" {word} ({self.seen.detail}){when}")
        if self.exit_after is None:
            parts.append(f"still running {OBSERVE:.0f} s after the stop")
        else:
            parts.append(f"exit {self.status} at {self.exit_after:.1f} s")
        if self.leftovers:
            parts.append(f"left behind: {', '.join(self.leftovers)}")
        return "; ".join(parts)


def session_members(sid: int) -> list[tuple[int, str]]:
    """Live (not zombie) processes of session ``sid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append((int(entry), name))
    return found


def kill_session(sid: int) -> None:
    for _ in range(3):
        for pid, _name in session_members(sid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def start_client(case: Case, port: int, scratch: Path):
    if case.client == "http":
        client = HttpClient(port)
        client.start()
        return client
    if case.client == "celery":
        task = CeleryTask(scratch)
        task.start()
        return task
    return None


def env_for(case: Case, scratch: Path) -> dict[str, str]:
    return {**os.environ, "SIGKIT_SLOW": str(SLOW), "SIGKIT_CELERY_DIR": str(scratch),
            "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}


CODE: Optional[Path] = None  # --code: another checkout's folder holding sigkit/ (a "before")


def wait_for(text: Callable[[], str], pattern: str, timeout: float = 40) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if re.search(pattern, text()):
            return
        time.sleep(0.05)
    raise RuntimeError(f"never saw {pattern!r}: {text()[-500:]}")


def status_word(code: Optional[int]) -> str:
    if code is None:
        return "?"
    return f"by {signal.Signals(-code).name}" if code < 0 else str(code)


def truth(case: Case) -> Truth:
    scratch = Path(tempfile.mkdtemp(prefix="sigkit-real-"))
    port = free_port()
    command = case.command(port, scratch)
    env = env_for(case, scratch)
    client = start_client(case, port, scratch)
    try:
        if case.stop == "ctrl-c":
            return _truth_in_pty(case, command, env, client)
        return _truth_without_tty(case, command, env, client)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _truth_in_pty(case, command, env, client) -> Truth:
    child = pexpect.spawn(command[0], command[1:], cwd=str(PROGRAMS), env=env,
                          encoding="utf-8", codec_errors="replace", timeout=None)
    out: list[str] = []

    def text() -> str:
        try:
            while True:
                out.append(child.read_nonblocking(65536, timeout=0))
        except (pexpect.TIMEOUT, pexpect.EOF):
            pass
        return "".join(out)

    try:
        wait_for(text, case.expect)
        time.sleep(1.0)  # every process of the tree has started (a reloader's child, workers)
        sent = time.monotonic()
        child.sendintr()
        while child.isalive() and time.monotonic() - sent < OBSERVE:
            text()
            time.sleep(0.01)
        ended = time.monotonic()
        alive = child.isalive()
        time.sleep(0.3)
        left = [f"{name} ({pid})" for pid, name in session_members(child.pid)]
        if not alive:
            text()
            code = (-child.signalstatus if child.signalstatus else child.exitstatus)
        seen = client.outcome(sent) if client else Seen()
        return Truth(None if alive else ended - sent, "" if alive else status_word(code), seen,
                     sent, [] if alive else left, text())
    finally:
        kill_session(child.pid)
        child.close(force=True)


def _truth_without_tty(case, command, env, client) -> Truth:
    if case.stop == "docker-pid1":
        command = ["unshare", "--pid", "--fork", "--mount-proc", "--", *command]
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(command, cwd=PROGRAMS, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def text() -> str:
            log.seek(0)
            return log.read()

        try:
            return _stop_without_tty(case, proc, text, client)
        finally:
            kill_session(proc.pid)
            proc.wait()


def _stop_without_tty(case, proc, text, client) -> Truth:
    wait_for(text, case.expect)
    time.sleep(1.0)
    target = proc.pid
    if case.stop == "docker-pid1":  # PID 1 of the namespace: unshare's only child
        target = int(Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()[0])
    sent = time.monotonic()
    if case.stop == "term-group":  # systemd's KillMode=control-group: every process
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        os.kill(target, signal.SIGTERM)
    try:
        proc.wait(OBSERVE)
        ended: Optional[float] = time.monotonic()
    except subprocess.TimeoutExpired:
        ended = None
    time.sleep(0.3)
    left = [f"{name} ({pid})" for pid, name in session_members(proc.pid)]
    seen = client.outcome(sent) if client else Seen()
    return Truth(None if ended is None else ended - sent,
                 status_word(proc.returncode) if ended else "", seen, sent,
                 left if ended else [], text())


# --- sigkit on the same case -----------------------------------------------------------------

@dataclass
class Verdict:
    trial: dict
    seen: Seen
    grace: float

    @property
    def findings(self) -> list[dict]:
        return list(self.trial.get("findings") or [])

    @property
    def causes(self) -> set[str]:
        return {f["cause"] for f in self.findings}

    @property
    def ended_on_first(self) -> bool:
        return self.trial.get("presses_to_exit") == 1

    def said(self) -> str:
        return " ".join(" ".join([f.get("title", ""), *f.get("evidence", []), f.get("fix", "")])
                        for f in self.findings)

    def describe(self) -> str:
        presses = self.trial.get("presses_to_exit")
        ending = f"ended on stop {presses}" if presses else "never ended"
        names = "; ".join(f"{f['cause']} ({f['severity']}): {first(f)}" for f in self.findings)
        request = ""
        if self.seen.completed is not None:
            request = f"; its client: {'completed' if self.seen.completed else 'cut'}"
        return f"{ending}; {names or 'no finding'}{request}"


def first(finding: dict) -> str:
    """A finding's first evidence line, short enough for a table cell."""
    line = (finding.get("evidence") or [""])[0]
    return line if len(line) <= 140 else line[:137] + "…"


def run_sigkit(case: Case) -> Verdict:
    scratch = Path(tempfile.mkdtemp(prefix="sigkit-real-"))
    port = free_port()
    out = scratch / "trial.json"
    command = case.command(port, scratch)
    client = start_client(case, port, scratch)
    sigkit = [sys.executable, "-m", "sigkit", "probe", "--json", str(out), "--expect",
              case.expect, *case.sigkit, "--", *command]
    try:
        env = env_for(case, scratch)
        if CODE is not None:
            env["PYTHONPATH"] = str(CODE)
        done = subprocess.run(sigkit, cwd=PROGRAMS, env=env, timeout=120,
                              capture_output=True, text=True)
        if not out.exists():
            raise RuntimeError(f"sigkit wrote no JSON (exit {done.returncode}): "
                               f"{done.stderr[-800:]}")
        trial = json.loads(out.read_text())["trials"][0]
        seen = client.outcome(time.monotonic()) if client else Seen()
        grace = float(case.sigkit[case.sigkit.index("--grace") + 1])
        return Verdict(trial, seen, grace)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --- do they agree? --------------------------------------------------------------------------

UNSEEN = "(says it could not see) "  # an honest gap, not a wrong claim: "partly"
CUT_WORDS = re.compile(r"cut off|was cut|were cut|lost|dropped|killed .* mid", re.I)


def disagreements(case: Case, real: Truth, verdict: Verdict) -> list[str]:
    wrong = []
    fits = real.exit_after is not None and real.exit_after <= verdict.grace
    close = real.exit_after is not None and abs(real.exit_after - verdict.grace) < 0.7
    if not close and fits != verdict.ended_on_first:
        wrong.append(f"truth {'ends' if fits else 'does not end'} within the {verdict.grace:g} s "
                     f"grace; sigkit: presses to exit {verdict.trial.get('presses_to_exit')}")
    said = verdict.said()
    claims = re.sub(r'"[^"]*"', "", " ".join(
        " ".join([f.get("title", ""), *f.get("evidence", [])]) for f in verdict.findings))
    if verdict.seen.completed and CUT_WORDS.search(said):
        wrong.append("says work was cut, but its client's request completed")
    if verdict.seen.completed is False and not any(
            f["severity"] in ("warning", "error") for f in verdict.findings):
        unseen = "not something sigkit saw" in said
        wrong.append(f"{UNSEEN if unseen else ''}its client's work was cut, but no warning says "
                     "so")
    if real.leftovers and "orphans" not in verdict.causes:
        wrong.append(f"{len(real.leftovers)} processes outlive the program; sigkit names none")
    if real.leftovers and "left the session" in said:
        wrong.append("says the leftovers left the session; they stayed in the program's own")
    for finding in verdict.findings:
        if finding["cause"] == "handler-replaced" and any(
                f"-packages/{name}/" in " ".join(finding["evidence"]) for name in case.framework):
            wrong.append("calls the program's own signal handler a library's (handler-replaced)")
    named = verdict.causes & EXPLAINING
    if case.explains and not named & case.explains:
        wrong.append(f"names {sorted(named) or 'no cause'}, the case is "
                     f"{' / '.join(sorted(case.explains))}")
    extra = named - case.explains - {"orphans", "sigterm-default", "handler-replaced"}
    if extra:
        wrong.append(f"also names {sorted(extra)}")
    for framework in FRAMEWORKS:
        if framework not in case.framework and re.search(rf"\b{framework}\b", claims, re.I):
            wrong.append(f"names {framework}, which this program does not run")
    return wrong


def agrees(wrong: list[str]) -> str:
    if not wrong:
        return "yes"
    if all(w.startswith(UNSEEN) for w in wrong):
        return "partly: " + "; ".join(wrong)
    return "**no**: " + "; ".join(wrong)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose name contains this")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--code", type=Path, help="measure the sigkit in this folder instead "
                        "(another checkout, e.g. before a change)")
    args = parser.parse_args()
    global CODE
    CODE = args.code
    # started in the background of a shell, we would pass SIGINT on ignored (and so would make
    # every program deaf to its Ctrl-C): a terminal's programs start with it at its default
    signal.signal(signal.SIGINT, signal.default_int_handler)
    cases = [c for c in CASES if not args.only or args.only.lower() in c.name.lower()]
    rows, raw = [], []
    load = os.getloadavg()[0]
    for case in cases:
        print(f"… {case.name}", file=sys.stderr, flush=True)
        try:
            real = truth(case)
        except RuntimeError as error:  # the program itself did not start as the case needs
            rows.append((case.name, f"could not be measured: {error}"[:200], "", "?"))
            continue
        try:
            verdict = run_sigkit(case)
        except RuntimeError as error:  # this sigkit cannot run the case (e.g. no --stop yet)
            rows.append((case.name, real.describe(), f"sigkit failed: {error}"[:200], "**no**"))
            raw.append({"case": case.name, "truth": real.describe(), "error": str(error)})
            continue
        wrong = disagreements(case, real, verdict)
        rows.append((case.name, real.describe(), verdict.describe(), agrees(wrong)))
        raw.append({"case": case.name, "truth": real.describe(), "truth_output": real.output[-3000:],
                    "findings": verdict.findings, "trial_verdict": verdict.trial.get("verdict"),
                    "presses_to_exit": verdict.trial.get("presses_to_exit"),
                    "sigkit_client": verdict.seen.detail, "disagreements": wrong})
        print(f"  {rows[-1][3]}", file=sys.stderr, flush=True)
    code = f"sigkit from {CODE}" if CODE else "this checkout's sigkit"
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} ({code}), Python "
          f"{sys.version.split()[0]}, load {load:.1f} on {os.cpu_count()} cores; request/task "
          f"{SLOW:g} s.\n")
    print("| case | true behaviour | sigkit verdict | agrees? |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
