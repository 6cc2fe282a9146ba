"""Start a command the way a process manager does: outside the terminal, or as PID 1.

Run by path with ``python -I -S`` (no sigkit import, no probe, standard library only)::

    python -I -S shim.py --no-tty -- CMD ARGS...  # CMD in a session of its own, without a terminal
    python -I -S shim.py --pid1 -- CMD ARGS...    # CMD is PID 1 of a new PID namespace
    python -I -S shim.py --check                  # exit 0 if this machine allows --pid1

sigkit runs targets in a pseudo-terminal, which is right for a Ctrl-C.  But docker, Kubernetes,
systemd and supervisord start programs with no terminal, and the difference shows when a stop
goes wrong: when the terminal's session leader dies, the kernel hangs up the terminal and sends
SIGHUP to its foreground group -- a shell wrapper's orphaned child would die of that SIGHUP under
sigkit, while under supervisord it keeps running.  ``--no-tty`` gives CMD a session of its own
with no controlling terminal (its output still goes to the pty).

``--pid1``: the kernel treats the init of a PID namespace specially: a signal whose disposition
is the default is dropped, unless it is SIGKILL/SIGSTOP sent from an ancestor namespace.  That
is why a program without a SIGTERM handler survives ``docker stop`` until the SIGKILL; running it
here reproduces exactly that, without Docker.

This process stays outside, like a container runtime's shim: it ignores the stop signals (they
are meant for the program), waits for CMD, and ends the way CMD ended (its exit code, or death by
the same signal) so sigkit reads the true status.  When PID 1 dies the kernel kills every other
process of its namespace; when this shim dies, CMD gets SIGKILL (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import sys
from typing import NoReturn

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 0x4000, 1 << 18
PR_SET_PDEATHSIG = 1
CANNOT = 2  # exit status of --check (and of a failed start): no namespace on this machine
_LIBC = ctypes.CDLL(None, use_errno=True)


def _call(name: str, *args: object) -> None:
    if getattr(_LIBC, name)(*args) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{name}: {os.strerror(code)}")


def enter_namespaces() -> str:
    """New PID and mount namespaces for our next child; a user namespace first when we lack
    the privilege (our uid and gid map to themselves).  Returns which way it went."""
    try:
        _call("unshare", CLONE_NEWPID | CLONE_NEWNS)
        return "privileged"
    except OSError as error:
        if error.errno != errno.EPERM:
            raise
    uid, gid = os.getuid(), os.getgid()
    _call("unshare", CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS)
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)
    return "user namespace"


def mount_proc() -> None:
    """A /proc of the new namespace, as containers have (``ps`` inside shows PID 1)."""
    try:
        _call("mount", None, b"/", None, MS_REC | MS_PRIVATE, None)
        _call("mount", b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    except OSError:
        pass  # signal semantics do not depend on it; the program then sees the host's /proc


def run(command: list[str], pid1: bool, no_tty: bool) -> NoReturn:
    if pid1:
        enter_namespaces()
    child = os.fork()
    if child == 0:
        try:
            _call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the shim died: so do we
            if no_tty:
                os.setsid()  # a session of its own: no controlling terminal to hang up
            if pid1:
                mount_proc()
            os.execvp(command[0], command)
        except OSError as error:
            print(f"sigkit shim: cannot run {command[0]}: {error.strerror}", file=sys.stderr)
        os._exit(127)
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(stop_signal, signal.SIG_IGN)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    # End at once, the way CMD ended: no interpreter shutdown between its exit and ours.
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number != signal.SIGKILL:
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
        os._exit(128 + number)
    os._exit(os.WEXITSTATUS(status))


def check() -> int:
    """Can this machine give a child its own PID namespace?  One line on stderr if not."""
    try:
        how = enter_namespaces()
    except OSError as error:
        hint = ("the namespace limits (user.max_pid_namespaces, user.max_user_namespaces) "
                "allow no more" if error.errno == errno.ENOSPC else "run as root, or allow "
                "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)")
        print(f"cannot create a PID namespace ({error.strerror}): {hint}", file=sys.stderr)
        return CANNOT
    child = os.fork()
    if child == 0:
        os._exit(0 if os.getpid() == 1 else 1)
    _, status = os.waitpid(child, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        print(how)
        return 0
    print("the new namespace did not make its first process PID 1", file=sys.stderr)
    return CANNOT


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        return check()
    flags = set(argv[: argv.index("--")]) if "--" in argv else {"?"}
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    if not command or not flags <= {"--pid1", "--no-tty"}:
        print("usage: shim.py --check | [--pid1] [--no-tty] -- CMD [ARGS...]", file=sys.stderr)
        return CANNOT
    _call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # sigkit died: so do we
    return run(command, "--pid1" in flags, "--no-tty" in flags)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
