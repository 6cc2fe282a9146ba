"""Every thread's Python stack, captured while the program is stuck, in one model.

Two sources.  Our own: the injected probe arms ``faulthandler.register`` on a spare real-time
signal; its C code writes every thread's frames to a file even while the main thread is blocked
in a join (a Python-level handler could never run then).  External: ``py-spy dump`` reads the
memory of a process sigkit did not start, or of Python 2.7, which has no faulthandler.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Optional

# SIGRTMIN+6: glibc keeps the first two real-time signals, programs rarely touch the rest.
STACK_SIGNAL = int(signal.SIGRTMIN) + 6

_THREAD_HEADER = re.compile(r"^(Current thread|Thread) (0x[0-9a-fA-F]+)")  # PyPy: upper case
# PyPy's faulthandler says so in every thread header: its JIT does not keep the current line,
# so a frame may point at its function's first line instead of the line running.
APPROXIMATE_LINES = "approximate line numbers"
_FRAME_LINE = re.compile(r'^\s+File "(?P<file>.*)", line (?P<line>\d+) in (?P<func>.*)$')


@dataclass(frozen=True)
class Frame:
    function: str
    filename: str
    line: int

    def where(self) -> str:
        return f"{os.path.basename(self.filename)}:{self.line}"

    @property
    def short_name(self) -> str:
        """``stop`` for py-spy's ``Arbiter.stop`` (3.11+ qualified names), as faulthandler says."""
        return self.function.rsplit(".", 1)[-1]


# The standard library, installed packages, and the console scripts pip writes into a bin/ folder
# (``uvicorn``, ``gunicorn``: three lines that call the package's main).
_LIBRARY = re.compile(
    r"[/\\]lib[/\\](?:python|pypy)\d(?:\.\d+)?[/\\]|[/\\](?:site|dist)-packages[/\\]"
    r"|[/\\]bin[/\\][^/\\]+$"
)


def is_library(frame: Frame) -> bool:
    """Standard library or installed packages: code the user does not edit."""
    return bool(_LIBRARY.search(frame.filename)) or frame.filename.startswith("<")


def user_frame(frames: list[Frame]) -> Optional[Frame]:
    """The innermost frame in the user's own code: where a fix goes."""
    return next((f for f in frames if not is_library(f)), None)


@dataclass
class ThreadStack:
    """One thread; frames innermost first (where it is now, then who called it)."""

    ident: str
    name: Optional[str] = None
    native_id: Optional[int] = None
    state: Optional[str] = None  # py-spy: idle / active / active+gil
    frames: list[Frame] = field(default_factory=list)

    @property
    def is_main(self) -> bool:
        """Worker threads start in threading's ``_bootstrap`` (2.7: ``__bootstrap``); main does not."""
        if self.name is not None:
            return self.name == "MainThread"
        return not self.frames or self.frames[-1].function not in ("_bootstrap", "__bootstrap")


@dataclass(frozen=True)
class ProcessStacks:
    """One process's thread dump (``text``, in the format of ``source``: faulthandler / py-spy),
    or why sigkit could not take one (``note``: not Python, py-spy failed)."""

    pid: int
    source: Optional[str]
    text: Optional[str]
    note: Optional[str] = None
    name: str = ""  # the process's name, from /proc

    @functools.cached_property
    def threads(self) -> list[ThreadStack]:
        """Every thread, parsed from the dump (none without one)."""
        return parse(self.text, self.source or "") if self.text else []

    def to_dict(self) -> dict[str, object]:
        """The parsed form, for a JSON report."""
        return {"pid": self.pid, "name": self.name, "source": self.source,
                "threads": [asdict(thread) for thread in self.threads], "note": self.note}


def parse_faulthandler(text: str) -> list[ThreadStack]:
    """Parse ``faulthandler.dump_traceback(all_threads=True)`` output."""
    threads: list[ThreadStack] = []
    for line in text.splitlines():
        header = _THREAD_HEADER.match(line)
        if header:
            threads.append(ThreadStack(ident=header.group(2)))
            continue
        frame = _FRAME_LINE.match(line)
        if frame and threads:
            threads[-1].frames.append(
                Frame(frame.group("func").strip(), frame.group("file"), int(frame.group("line")))
            )
    return threads


def parse_py_spy_json(text: str) -> list[ThreadStack]:
    """Parse ``py-spy dump --json`` output (a list of threads, frames innermost first)."""
    threads = []
    for raw in json.loads(text):
        state = "active+gil" if raw.get("owns_gil") else ("active" if raw.get("active") else "idle")
        frames = [
            Frame(f.get("name", "?"), f.get("filename", "?"), int(f.get("line", 0)))
            for f in raw.get("frames", [])
        ]
        threads.append(
            ThreadStack(
                ident=str(raw.get("thread_id")),
                name=raw.get("thread_name"),
                native_id=raw.get("os_thread_id"),
                state=state,
                frames=frames,
            )
        )
    return threads


def parse(text: str, source: str) -> list[ThreadStack]:
    return parse_py_spy_json(text) if source == "py-spy" else parse_faulthandler(text)


def dump_with_faulthandler(pid: int, dump_file: str, timeout: float = 1.0) -> Optional[str]:
    """Ask the probe in ``pid`` to dump, then wait until the file stops growing.

    Only what this dump adds is returned: a forked child shares its parent's dump file (and its
    offset), so several processes' dumps follow each other in one file.
    """
    start = _size(dump_file) or 0
    os.kill(pid, STACK_SIGNAL)
    deadline = time.monotonic() + timeout
    last_size = -1
    while time.monotonic() < deadline:
        time.sleep(0.02)
        size = _size(dump_file)
        if size is None:
            continue
        if size > start and size == last_size:
            break
        last_size = size
    try:
        with open(dump_file, "rb") as handle:
            handle.seek(start)
            return handle.read().decode("utf-8", "replace") or None
    except OSError:
        return None


def _size(path: str) -> Optional[int]:
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def py_spy_path() -> Optional[str]:
    """py-spy on PATH, or beside this interpreter (a venv's bin/ is often not on PATH)."""
    beside = os.path.join(os.path.dirname(sys.executable), "py-spy")
    return shutil.which("py-spy") or (beside if os.access(beside, os.X_OK) else None)


def dump_with_py_spy(pid: int, timeout: float = 10.0) -> tuple[Optional[str], Optional[str]]:
    """Run ``py-spy dump --json``; returns (json text, None) or (None, why it failed)."""
    if runs_pypy(pid):
        return None, PYPY_UNREADABLE
    exe = py_spy_path()
    if exe is None:
        return None, "py-spy is not installed (it comes with sigkit: pip install --force-reinstall sigkit)"
    try:
        done = subprocess.run(
            [exe, "dump", "--pid", str(pid), "--json"],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, f"py-spy did not answer within {timeout:.0f} s"
    if done.returncode != 0:
        return None, py_spy_failure(done.stderr or done.stdout, done.returncode)
    return done.stdout, None


PYPY_UNREADABLE = "py-spy cannot read PyPy's stacks (it knows only CPython's memory layout)"


def runs_pypy(pid: int) -> bool:
    """The process runs PyPy: its executable or the library it loaded says so."""
    try:
        if os.path.basename(os.readlink(f"/proc/{pid}/exe")).startswith("pypy"):
            return True
        with open(f"/proc/{pid}/maps") as maps:
            return any("libpypy" in line for line in maps)
    except OSError:
        return False


def py_spy_failure(output: str, returncode: int) -> str:
    """One line on why py-spy failed; for a ptrace refusal, what to do about it."""
    if re.search(r"permission denied|operation not permitted|os error (1|13)\b", output, re.I):
        return ptrace_advice()
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    error = next((line for line in lines if line.lower().startswith("error")), None)
    return "py-spy failed: " + (error or (lines[0] if lines else f"exit {returncode}"))


def ptrace_advice() -> str:
    """The kernel refused py-spy's ptrace: say which knob decides and how to turn it."""
    scope = ""
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as handle:
            scope = f" (kernel.yama.ptrace_scope is {handle.read().strip()})"
    except OSError:
        pass
    return (f"ptrace not permitted{scope}: run sigkit as the process's user or as root, set "
            "`sysctl kernel.yama.ptrace_scope=0`, or in a container add `--cap-add SYS_PTRACE`")


def format_threads(threads: list[ThreadStack]) -> str:
    """py-spy's dump layout: a header per thread, then ``function (file:line)``, innermost first."""
    lines = []
    for thread in threads:
        label = thread.name or ("main thread" if thread.is_main else "thread")
        state = f" ({thread.state})" if thread.state else ""
        ident = thread.native_id or thread.ident
        lines.append(f'Thread {ident}{state}: "{label}"')
        lines.extend(f"    {f.function} ({f.where()})" for f in thread.frames)
    return "\n".join(lines)
