"""A designed stop: a server draining its requests, a worker finishing its task, a supervisor
waiting for them.

Not a broken Ctrl-C: the program answered the signal the way its framework promises.  The finding
says how long the drain took, what it waited for (in which process, on what), and -- when the
next press or SIGKILL came first -- what that cut off; the fix names the framework's own bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigkit import causes
from sigkit.diagnose.evidence import Evidence, calls, chain, user_frame
from sigkit.diagnose.rules.common import describe_state
from sigkit.findings import Finding, finding
from sigkit.stacks import Frame
from sigkit.tree import Connection
from sigkit.units import fmt


@dataclass(frozen=True)
class Framework:
    """A server or worker whose graceful stop sigkit knows: how to see it, and its own bound."""

    name: str
    package: str  # the folder its frames live in: "/uvicorn/"
    shutdown: frozenset[str]  # functions of its shutdown path in that package
    words: tuple[str, ...]  # what it prints when it starts draining, most telling first
    waits_for: str
    bound: str  # the fix: the framework's own setting that bounds the drain
    forced: tuple[str, ...] = ()  # what it prints when its own bound runs out and it cuts work
    quick: tuple[str, ...] = ()  # signals that stop it without a drain
    quick_why: str = ""  # what that does to the requests in flight
    banner: str = ""  # what it prints when it starts (when its processes carry another name)
    lost: tuple[str, ...] = ()  # what it prints when a stop signal killed a worker mid-work
    lost_fix: str = ""  # how to keep the stop signal away from its workers
    timeout_flag: str = ""  # the command-line option that bounds the drain
    timeout_default: float | None = None  # its default, in seconds (None: unbounded)

    def timeout(self, command: list[str]) -> float | None:
        """The drain's bound as the command line sets it (``--flag N`` or ``--flag=N``)."""
        for index, word in enumerate(command):
            value = None
            if word == self.timeout_flag and index + 1 < len(command):
                value = command[index + 1]
            elif self.timeout_flag and word.startswith(self.timeout_flag + "="):
                value = word.split("=", 1)[1]
            if value is not None:
                try:
                    return float(value)
                except ValueError:
                    return None
        return self.timeout_default


FRAMEWORKS = (
    Framework(
        "uvicorn", "/uvicorn/", frozenset({"shutdown", "_wait_tasks_to_complete"}),
        (r"Waiting for (connections to close|background tasks to complete)", r"Shutting down"),
        "its open connections to close",
        "Bound the drain with uvicorn's `--timeout-graceful-shutdown SECONDS` (unbounded by "
        "default), below the grace of whatever stops the server; a handler that runs longer "
        "should check `await request.is_disconnected()` or finish its work in steps.",
        forced=(r"Cancel \d+ running task\(s\), timeout graceful shutdown exceeded",),
        timeout_flag="--timeout-graceful-shutdown",
    ),
    Framework(
        "gunicorn", "/gunicorn/", frozenset({"stop", "halt"}),
        (r"Handling signal: (int|term|quit)", r"Shutting down: Master"),
        "its workers to finish their requests",
        "gunicorn's arbiter waits up to `--graceful-timeout` (30 s by default) and then SIGKILLs "
        "the workers: set it below the grace of whatever stops the server (docker's 10 s: "
        "`--graceful-timeout 8`), and keep requests shorter than it (`--timeout`). SIGTERM is "
        "the graceful stop; SIGINT/SIGQUIT ask for a quick one.",
        forced=(r"Worker \(pid:\d+\) was sent SIGKILL",),
        quick=("INT", "QUIT"),
        quick_why="gunicorn treats SIG{signal} as a quick shutdown: its workers exit without "
        "finishing their requests",
        timeout_flag="--graceful-timeout",
        timeout_default=30.0,
    ),
    Framework(
        "celery", "/celery/", frozenset({"on_stop", "stop", "shutdown", "terminate"}),
        (r"Warm shutdown", r"Soft shutdown", r"Cold shutdown"),
        "its running tasks to finish (warm shutdown)",
        "celery's warm shutdown waits for running tasks without a limit: bound the tasks with "
        "`--time-limit`/`--soft-time-limit` (`task_time_limit`), or set "
        "`worker_soft_shutdown_timeout` (celery 5.5+) so a soft shutdown gives them a grace "
        "before the cold one; make long tasks idempotent (`acks_late`) so a cut task is redone.",
        forced=(r"Cold shutdown \(",),
        # prefork children keep SIGTERM's default action: a TERM to every process kills them
        lost=(r"Process '[^']+' pid:\d+ exited with 'signal \d+ \(SIG\w+\)'",
              r"WorkerLostError"),
        lost_fix="Send the stop signal to celery's main process only (systemd: `KillMode=mixed`, "
        "SIGTERM to the main process and the final SIGKILL to all; docker and supervisord "
        "signal the main process already): a prefork child that gets SIGTERM dies mid-task.",
    ),
    # Flask's `flask run` / `app.run()`: it has no graceful stop at all.  Its threaded server sets
    # `daemon_threads = True` ("the server will not wait for requests to finish on exit").
    Framework(
        "the Werkzeug development server", "/werkzeug/", frozenset(), (), "",
        "The development server (`flask run`, `app.run()`) is not made to be stopped gracefully "
        "(nor to run in production): serve the app with a WSGI server that drains on SIGTERM "
        "within a bound you set (gunicorn: `--graceful-timeout`).",
        quick=("INT", "TERM", "QUIT", "HUP"),
        quick_why="the Werkzeug development server serves each request in a daemon thread "
        "(`daemon_threads = True`): on SIG{signal} it exits without waiting for them",
        banner=r"^\s*\* Running on https?://",
    ),
)
GENERIC_BOUND = ("Bound the drain with the server's graceful-shutdown timeout, below the grace of "
                 "whatever stops it; let long handlers notice the shutdown or the client's "
                 "disconnect.")
# What programs print when they start a graceful stop (their own words, quoted as evidence).
_SHUTDOWN_WORDS = (r"\b(shutting down|graceful(ly)?|draining|waiting for .{0,40}(close|finish|"
                   r"complete)|warm shutdown|stopping)\b")


@dataclass(frozen=True)
class Drain:
    """What the program was waiting for when sigkit looked."""

    framework: Framework | None
    words: str | None  # the program's own shutdown line
    where: list[str]  # evidence: which process waits, and on what
    open_connections: list[Connection]  # accepted connections still open


def _frames(ev: Evidence) -> dict[int, list[Frame]]:
    """Every frame of every Python process of the tree, by pid."""
    pids = {ev.pid, *ev.tree}
    return {pid: [f for t in ev.stacks_of(pid) for f in t.frames] for pid in pids}


def _framework(ev: Evidence) -> Framework | None:
    frames = [f for found in _frames(ev).values() for f in found]
    for framework in FRAMEWORKS:
        if framework.shutdown and any(framework.package in f.filename.replace("\\", "/")
                                      for f in frames):
            return framework
    return None


def _said(ev: Evidence, patterns: tuple[str, ...]) -> str | None:
    """The first line the program printed after the signal that matches one of ``patterns``
    (tried in order: the most telling words win)."""
    lines = ev.said.replace("\r", "").split("\n")
    for pattern in patterns:
        for line in lines:
            if re.search(pattern, line, re.I):
                return line.replace("^C", "").strip()
    return None


def _in_shutdown_path(ev: Evidence, framework: Framework) -> bool:
    return any(
        f.short_name in framework.shutdown and framework.package in f.filename.replace("\\", "/")
        for found in _frames(ev).values() for f in found
    )


def accepted(connections: list[Connection], listening: list[Connection]) -> list[Connection]:
    """Connections accepted on one of the tree's listening ports (requests, not outgoing calls).

    ``listening`` adds the sockets seen before the press: a draining server closes its listener
    first and keeps only the connections it still serves."""
    ports = {c.local.rsplit(":", 1)[1] for c in [*connections, *listening] if c.status == "LISTEN"}
    return [c for c in connections if c.status == "ESTABLISHED" and c.remote
            and c.local.rsplit(":", 1)[1] in ports]


def _where(ev: Evidence) -> list[str]:
    """Each Python process of the tree: where its main thread is, and what its other threads run
    in the user's code (a request handler, a task)."""
    lines = []
    if calls(ev.main_frames, "multiprocessing/process.py", frozenset({"join"})) and ev.children:
        lines.append(f"{ev.name_of(ev.pid)} is a supervisor: it waits for its child process "
                     "(multiprocessing `Process.join`), which does the draining")
    for pid, threads in sorted(_stacks_by_pid(ev).items()):
        main = next((t for t in threads if t.native_id == pid), None) or next(
            (t for t in threads if t.is_main), None)
        process = next((p for p in ev.processes if p.pid == pid), None)
        state = process.main_thread if process else None
        kernel = f", {describe_state(state)}" if state else ""
        ignores = ", ignores SIGINT" if process and process.ignores("SIGINT") else ""
        if main is not None and main.frames:
            lines.append(f"{ev.name_of(pid)}{kernel}{ignores}: main thread {chain(main.frames)}")
        for thread in threads:
            site = user_frame(thread.frames)
            if thread is not main and site is not None:
                lines.append(f"{ev.name_of(pid)}: a thread is in the user's code: "
                             f"{site.function} ({site.where()})")
    return lines


def _stacks_by_pid(ev: Evidence) -> dict[int, list]:
    found = {pid: ev.stacks_of(pid) for pid in {ev.pid, *ev.tree}}
    return {pid: threads for pid, threads in found.items() if threads}


def drain(ev: Evidence) -> Drain | None:
    """The graceful stop the evidence shows, if any: a known framework in its shutdown path (or
    saying so), or any program that announced a shutdown while connections it accepted were
    still open (a process pool's exit is not a drain: it has no clients)."""
    if ev.look_us is None or not ev.presses:
        return None
    open_now = accepted(ev.connections, ev.connections_at_press)
    framework = _framework(ev)
    if framework is not None:
        words = _said(ev, framework.words)
        if words is None and not _in_shutdown_path(ev, framework):
            return None
        return Drain(framework, words, _where(ev), open_now)
    if not open_now or ev.main_running():
        return None
    words = _said(ev, (_SHUTDOWN_WORDS,))
    stopped = stopped_accepting(ev)
    if words is None and not stopped:
        return None
    return Drain(None, words, [*_where(ev), *stopped], open_now)


def stopped_accepting(ev: Evidence) -> list[str]:
    """Processes that closed their listening socket after the signal but still held connections
    accepted on it: they stopped taking requests and kept serving the ones they had -- what a
    drain is, whatever the server (no words needed)."""
    before = [c for c in ev.connections_at_press if c.status == "LISTEN"]
    lines = []
    for conn in accepted(ev.connections, ev.connections_at_press):
        port = conn.local.rsplit(":", 1)[1]
        for pid in conn.pids:
            had = any(pid in c.pids and c.local.rsplit(":", 1)[1] == port for c in before)
            has = any(pid in c.pids and c.status == "LISTEN" and c.local.endswith(":" + port)
                      for c in ev.connections)
            line = (f"{ev.name_of(pid)} closed its listening socket on :{port} after the "
                    f"{_first(ev)} and still held a connection accepted on it at "
                    f"+{fmt(ev.look_us)}: it stopped taking new requests and kept serving")
            if had and not has and line not in lines:
                lines.append(line)
    return lines


def _connections_text(conns: list[Connection]) -> str:
    """``1 connection open on :8000 (held by pid 4242)``."""
    ports = sorted({c.local.rsplit(":", 1)[1] for c in conns})
    holders = sorted({pid for c in conns for pid in c.pids})
    count = f"{len(conns)} connection{'s' if len(conns) != 1 else ''}"
    held = f" (held by pid {', '.join(map(str, holders))})" if holders else ""
    return f"{count} open on :{', :'.join(ports)}{held}"


def _were(conns: list[Connection]) -> str:
    return "was" if len(conns) == 1 else "were"


def graceful(ev: Evidence) -> list[Finding]:
    """The program is draining (or drained) as designed: info when it ended by itself, a warning
    when the next rung cut it, with what was cut."""
    found = drain(ev)
    if found is None or _dropped_quickly(ev):
        return []  # (a quick stop that dropped its requests: stopped_with_requests_in_flight)
    name = found.framework.name if found.framework else "the program"
    waits_for = found.framework.waits_for if found.framework else "its work in flight"
    lost = _said(ev, found.framework.lost) if found.framework else None
    if lost:  # not a drain of that work any more: the signal ended the worker running it
        waits_for = "the rest of its shutdown"
    evidence = []
    if found.words:
        evidence.append(f'{name} said after the {_first(ev)}: "{found.words}"')
    evidence += found.where
    if found.open_connections:
        evidence.append(f"{_connections_text(found.open_connections)} at +{fmt(ev.look_us)} "
                        "(accepted on the tree's listening port: requests in flight)")
    forced = _forced(ev, found) if found.framework else _cancelled(ev)
    if ev.sent_signal is not None:  # a live process (inspect --signal): still draining
        bound = found.framework.timeout(ev.command) if found.framework else None
        until = (f"or when its {found.framework.timeout_flag} ({bound:g} s) runs out"
                 if found.framework and bound is not None else "or when its own bound, if any, "
                 "runs out")
        evidence.insert(0, f"still draining {fmt(ev.look_us)} after {ev.sent_signal}: {name} "
                        f"waits for {waits_for}, as it is designed to; it exits by itself when "
                        f"they are done ({until})")
        severity = causes.INFO
    elif ev.ended_by_itself and forced:
        cut = (f"; {_connections_text(found.open_connections)} {_were(found.open_connections)} "
               "open when sigkit looked" if found.open_connections else "")
        how = "its own graceful timeout ran out and it" if found.framework else "it"
        evidence.insert(0, f"{name} stopped by itself after {fmt(ev.exit_us)}, but {how} cut "
                        f"the work short: {forced}{cut}")
        severity = causes.WARNING
    elif ev.ended_by_itself:
        unseen = ("" if found.framework or not found.open_connections else
                  "; whether the connections open at the look completed is not something "
                  "sigkit saw")
        how = "stopped by itself" if lost else "stopped gracefully"
        evidence.insert(0, f"{how} in {fmt(ev.exit_us)}: {name} waited for "
                        f"{waits_for}, then exited by itself{unseen}")
        severity = causes.INFO
    else:
        cut = (f"; {_connections_text(found.open_connections)} {_were(found.open_connections)} "
               "cut off"
               if found.open_connections else "")
        after = f" at +{fmt(ev.ender_us)}" if ev.ender_us is not None else ""
        what = "shutdown" if lost else "drain"
        evidence.insert(0, f"the {what} outlasted the deadline: {ev.ender or 'a later signal'}"
                        f"{after} forced {name} to quit while it waited for {waits_for}{cut}")
        severity = causes.WARNING
    fix = found.framework.bound if found.framework else GENERIC_BOUND
    if lost and found.framework:
        evidence.insert(0, f"the {_first(ev)} reached {name}'s worker processes too and one "
                        f'died of it mid-task: {name} said "{lost}"')
        severity = causes.WARNING
        fix = f"{found.framework.lost_fix} {fix}"
    return [finding("graceful-shutdown", evidence, fix, severity)]


def _first(ev: Evidence) -> str:
    first = ev.signals[0] if ev.signals else "INT"
    return "Ctrl-C" if first == "INT" else "SIG" + first


def _running(ev: Evidence) -> Framework | None:
    """The known server the tree ran at the press: by its processes' names, or its banner."""
    lines = ev.printed.replace("\r", "").split("\n")
    return next((f for f in FRAMEWORKS if f.name in ev.names_at_press or (
        f.banner and any(re.search(f.banner, line) for line in lines))), None)


def _quick_stop(ev: Evidence) -> Framework | None:
    """The known server whose *quick* stop the first signal asked for (gunicorn's SIGINT, any
    signal for the Werkzeug development server)."""
    framework = _running(ev)
    if framework is None or not ev.signals:
        return None
    return framework if ev.signals[0] in framework.quick else None


def _dropped_quickly(ev: Evidence) -> bool:
    """A quick stop ended the program by itself, and no look after the press still saw the
    requests that were in flight at it."""
    return (ev.ended_by_itself and _quick_stop(ev) is not None
            and bool(accepted(ev.connections_at_press, []))
            and not accepted(ev.connections, ev.connections_at_press))


def stopped_with_requests_in_flight(ev: Evidence) -> list[Finding]:
    """The program stopped quickly (before sigkit's first look, or by a quick stop) while
    connections it had accepted were open: sigkit says so rather than "no problem"."""
    if not ev.ended_by_itself or not (ev.look_us is None or _dropped_quickly(ev)):
        return []
    open_then = accepted(ev.connections_at_press, [])
    if not open_then:
        return []
    framework = _quick_stop(ev)
    evidence = [f"{_connections_text(open_then)} when the {_first(ev)} came (accepted on the "
                "tree's listening port: requests in flight)",
                f"the program exited {fmt(ev.exit_us)} later, before sigkit's first look: "
                "whether those requests completed is not something sigkit saw"]
    severity = causes.INFO
    fix = None
    if framework is not None:
        evidence[-1] = f"the program exited {fmt(ev.exit_us)} later"
        evidence.append(framework.quick_why.format(signal=ev.signals[0]))
        severity = causes.WARNING
        fix = framework.bound if "TERM" in framework.quick else (
            f"Stop {framework.name} with SIGTERM for a graceful stop (what docker, systemd and "
            "Kubernetes send); " + framework.bound)
    return [finding("requests-in-flight", evidence, fix, severity)]


def _cancelled(ev: Evidence) -> str | None:
    """A server sigkit does not know cut its own drain: after the signal it printed a task's
    cancellation (asyncio servers cancel the requests still running when their bound runs out)."""
    words = _said(ev, (r"\bCancelledError\b",))
    return f'it printed "{words}" after the {_first(ev)}: a task still running was cancelled' \
        if words else None


def _forced(ev: Evidence, found: Drain) -> str | None:
    """Did the framework's own bound cut the drain?  Its words say so, or (when the words can be
    lost in a race) the exit came when the bound set on its command line ran out while the work
    was still in flight at sigkit's look."""
    framework = found.framework
    assert framework is not None
    words = _said(ev, framework.forced)
    if words:
        return f'"{words}"'
    bound = framework.timeout(ev.command)
    if bound is None or ev.exit_us is None or not found.open_connections:
        return None
    if ev.exit_us >= bound * 1_000_000 * 0.95:
        return (f"the exit came when its {framework.timeout_flag} ({bound:g} s) ran out, with "
                "work still in flight")
    return None
