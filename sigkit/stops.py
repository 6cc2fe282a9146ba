"""Stop contracts: how real process managers stop a program, as data.

Each preset says which signal a manager sends first, to whom, how long it waits, and what it does
when the program is still running then.  This table is the single source for the CLI's
``--stop`` help, the ``stop`` key of ``[tool.sigkit.check]``, the verdict sentences and the docs
(``docs/stops.md``), so they cannot disagree.  Each row cites the documentation it comes from.

``to`` is who receives the first signal: ``main`` the target process only (what ``kill PID``
and a container runtime do: the container's PID 1 is the program sigkit started), ``group`` its
process group (sigkit's stand-in for systemd's control group: every process sigkit started),
``tty`` the terminal's foreground process group (a typed Ctrl-C).  The final SIGKILL always goes
to every process sigkit started, as docker, Kubernetes and systemd kill the whole container or
cgroup; sigkit never leaves a process behind.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from sigkit.errors import UsageError
from sigkit.ladder import TTY_KEYS

MAIN, GROUP, TTY = "main", "group", "tty"
TARGETS = (MAIN, GROUP)  # what ``--to`` accepts; ``tty`` belongs to typed keys only
DEFAULT_GRACE = 2.0  # seconds the first signal has when no preset or --grace says otherwise


@dataclass(frozen=True)
class Stop:
    """One manager's stop sequence, with the words sigkit uses for it."""

    name: str  # what ``--stop`` takes
    manager: str  # the stop as a user knows it: "docker stop"
    signal: str  # the first signal (short name)
    to: str  # main | group | tty
    grace: float  # seconds before the next step
    overrun: str  # what the manager does when the grace runs out
    grace_setting: str  # where a user changes the grace
    source: str  # the documentation this row follows
    notes: str = ""  # semantics a user should know

    def ladder(self) -> tuple[str, ...]:
        """The rungs sigkit climbs: the manager's own signal, then SIGKILL (a terminal: more
        Ctrl-Cs, SIGTERM, SIGKILL, as a person does)."""
        if self.to == TTY:
            return (self.signal, "INT", "TERM", "KILL")
        return (self.signal, "KILL")


STOPS: tuple[Stop, ...] = (
    Stop(
        name="docker",
        manager="docker stop",
        signal="TERM",
        to=MAIN,
        grace=10.0,
        overrun="docker stop would SIGKILL it",
        grace_setting="`docker stop -t N` (compose: `stop_grace_period`)",
        source="Docker docs, `docker container stop`: the container's main process receives "
        "SIGTERM (or the image's STOPSIGNAL, `--stop-signal`), and SIGKILL after the grace "
        "period, `-t`/`--time`, 10 s by default.",
        notes="The main process is the container's PID 1: combine with `--pid1` to get the "
        "kernel's PID-1 rule exactly as in a container.",
    ),
    Stop(
        name="k8s",
        manager="Kubernetes pod deletion",
        signal="TERM",
        to=MAIN,
        grace=30.0,
        overrun="Kubernetes would SIGKILL it",
        grace_setting="`terminationGracePeriodSeconds` in the pod spec "
        "(`kubectl delete --grace-period N`)",
        source="Kubernetes docs, Termination of Pods: after any preStop hook the container "
        "runtime sends TERM (or the image's STOPSIGNAL) to the main process in each container; "
        "when `terminationGracePeriodSeconds` (30 s by default, preStop included) expires, KILL "
        "goes to any remaining processes.",
        notes="sigkit runs no preStop hook. Combine with `--pid1`: the main process is the "
        "container's PID 1.",
    ),
    Stop(
        name="systemd",
        manager="systemctl stop",
        signal="TERM",
        to=GROUP,
        grace=90.0,
        overrun="systemd would SIGKILL the whole unit",
        grace_setting="`TimeoutStopSec=` in the unit (`DefaultTimeoutStopSec=`, 90 s)",
        source="systemd.kill(5): the default `KillMode=control-group` sends `KillSignal=` "
        "(SIGTERM) to every remaining process in the unit's control group, then after "
        "`TimeoutStopSec=` (systemd.service(5); `DefaultTimeoutStopSec=` 90 s) the "
        "`FinalKillSignal=` SIGKILL.",
        notes="sigkit has no cgroup of its own: the process group stands in for it (a child "
        "that left the group with setsid is still killed at the end, and reported).",
    ),
    Stop(
        name="supervisord",
        manager="supervisorctl stop",
        signal="TERM",
        to=MAIN,
        grace=10.0,
        overrun="supervisord would SIGKILL it",
        grace_setting="`stopwaitsecs=` in the `[program:x]` section",
        source="supervisord docs, `[program:x]` section: `stopsignal` TERM, `stopwaitsecs` 10, "
        "`stopasgroup=false` (the signal goes to the process only), then SIGKILL "
        "(`killasgroup=false`: to the process only).",
        notes="With supervisord's `killasgroup=false` children would outlive the SIGKILL; sigkit "
        "kills them and lists them as orphans.",
    ),
    Stop(
        name="kill",
        manager="kill",
        signal="TERM",
        to=MAIN,
        grace=DEFAULT_GRACE,
        overrun="`kill` sends nothing more: it would keep running (sigkit then sent SIGKILL)",
        grace_setting="how long you wait before `kill -9`",
        source="kill(1): `kill PID` sends SIGTERM to that one process and nothing else.",
    ),
    Stop(
        name="terminal",
        manager="a terminal's Ctrl-C",
        signal="INT",
        to=TTY,
        grace=DEFAULT_GRACE,
        overrun="you would press Ctrl-C again",
        grace_setting="your patience",
        source="termios(3)/the tty line discipline: the interrupt character (Ctrl-C) sends "
        "SIGINT to the terminal's foreground process group, children included.",
        notes="sigkit's default ladder: Ctrl-C, Ctrl-C, SIGTERM, SIGKILL.",
    ),
)

_BY_NAME = {stop.name: stop for stop in STOPS}
NAMES = tuple(_BY_NAME)


def get(name: str) -> Stop:
    """The preset called ``name``; anything else is a usage error naming the known ones."""
    try:
        return _BY_NAME[name.strip().lower()]
    except KeyError:
        raise UsageError(f"unknown stop {name!r} (known: {', '.join(NAMES)})") from None


def check_target(to: str) -> str:
    """``--to`` / ``to =``: main or group."""
    cleaned = to.strip().lower()
    if cleaned not in TARGETS:
        raise UsageError(f"--to must be main or group (got {to!r})")
    return cleaned


def for_signal(signal: str) -> Stop:
    """The contract a plain ``--signal`` (or the first rung of ``--ladder``) implies: a typed
    key is a terminal, any other signal is ``kill -SIG PID``."""
    if signal in TTY_KEYS:
        return replace(get("terminal"), signal=signal, manager=f"a terminal's {TTY_KEYS[signal]}")
    return replace(get("kill"), signal=signal, manager=f"kill -{signal}")


def help_text() -> str:
    """One line per preset for ``--stop``'s help: what it sends, to whom, how long."""
    return "; ".join(
        f"{s.name}: SIG{s.signal} to {_whom(s.to)}, {s.grace:g} s, then "
        + ("Ctrl-C again, SIGTERM, SIGKILL" if s.to == TTY else "SIGKILL") for s in STOPS
    )


def _whom(to: str) -> str:
    return {MAIN: "the main process", GROUP: "the process group", TTY: "the foreground group"}[to]


def to_markdown() -> str:
    """``docs/stops.md``: the presets, their semantics and sources."""
    parts = [
        "# Stop contracts\n",
        "Generated from `sigkit/stops.py` by `python -m sigkit.stops > docs/stops.md`.\n",
        "`sigkit probe --stop NAME` replays what a process manager does when it stops a "
        "program: the signal it sends, to whom, how long it waits (the *grace*), and the "
        "SIGKILL that follows. `--grace S` overrides the preset's time, `--to main|group` who "
        "receives the signal, and `--pid1` runs the program as PID 1 of a new PID namespace, "
        "as in a container.\n",
        "| preset | first signal | to | grace | then |",
        "|---|---|---|---|---|",
    ]
    for stop in STOPS:
        parts.append(f"| `{stop.name}` | SIG{stop.signal} | {_whom(stop.to)} | "
                     f"{stop.grace:g} s | {stop.overrun} |")
    parts.append("")
    for stop in STOPS:
        parts.append(f"## `{stop.name}`: {stop.manager}\n")
        parts.append(f"**Source.** {stop.source}\n")
        parts.append(f"**Grace set by** {stop.grace_setting}.\n")
        if stop.notes:
            parts.append(f"**Notes.** {stop.notes}\n")
    return "\n".join(parts)


def resolve(
    stop: Optional[str], signal: Optional[str], to: Optional[str], grace: Optional[float]
) -> tuple[Stop, str, float]:
    """The contract, who gets the first signal, and the grace, from what a user set.

    A preset brings all three; ``--signal`` picks a contract of its own (``kill -SIG``), and
    ``--to``/``--grace`` override either.  A typed key cannot go to ``main``: the terminal
    decides who gets it.  (The grace is checked with the other durations, by ``validate``.)
    """
    if stop is not None and signal is not None:
        raise UsageError("set --stop or --signal, not both (a preset names its own signal)")
    contract = get(stop) if stop is not None else for_signal(signal or "INT")
    # After a typed key, the later rungs (SIGTERM) are a person's `kill PID`: the main process.
    target = MAIN if contract.to == TTY else contract.to
    if to is not None:
        if contract.to == TTY:
            raise UsageError(f"--to applies to signals sigkit sends itself; SIG{contract.signal} "
                             "is typed at the terminal, which sends it to the foreground group")
        target = check_target(to)
    return contract, target, contract.grace if grace is None else grace


if __name__ == "__main__":
    print(to_markdown(), end="")
