# sigkit's in-target probe.  Loaded as ``sitecustomize`` because sigkit puts this folder first on
# PYTHONPATH; it then chains to any sitecustomize the interpreter would otherwise have loaded.
#
# Rules this file lives by (it runs inside the program being measured):
#   * it imports nothing from sigkit and runs unchanged on Python 2.7 and 3.6 - 3.13;
#   * it starts no threads (a thread would compete for the GIL whose effects we measure);
#   * on the signal path it does a handful of syscalls and nothing else.
#
# The wire format (the one definition; parsed by ``sigkit/listener.py``, tested literally by
# ``tests/test_wire_format.py``).  Datagrams on one connected AF_UNIX socket (``SIGKIT_SOCK``):
#   * exactly ONE byte: CPython's C-level signal handler wrote it, because the socket is also the
#     interpreter's *wakeup fd*.  The byte is the signal number (0 on 2.7); the datagram's kernel
#     timestamp (SO_TIMESTAMPNS) is the C-level arrival.  Every other message is longer.
#   * otherwise UTF-8 text, fields separated by one space: ``KIND PID T REST``.
#       KIND  one letter, below; an unknown letter is ignored (an older sigkit, a newer probe);
#       PID   the sender's os.getpid(); sigkit prefers the kernel's SO_PASSCRED pid when it has
#             one (a forked multiprocessing worker inherits its parent's probe and its pid text);
#       T     CLOCK_MONOTONIC ns, or CLOCK_REALTIME ns with a trailing "r" (2.7 has no monotonic
#             clock; sigkit converts it);
#       REST  per kind (may be empty, and its last field may contain spaces):
#   S  ``ppid impl version stacks executable``  the probe is loaded (stacks = 1 if the
#                                               stack-dump signal is armed); sent last in set-up
#   H  ``signum``                               a Python-level handler starts, in the main thread
#   K  (nothing)                                KeyboardInterrupt reached the top level unhandled
#   W  ``fd``                                   the program replaced the wakeup fd (asyncio does)
#   E  ``os_threads nondaemon,names``           interpreter shutdown (atexit; on PyPy also when a
#                                               KeyboardInterrupt ends it): threads still alive
#   A  ``count names,comma,separated``          the program registered (or removed) an atexit
#                                               handler: how many are pending, and which
#   I  ``signum handler where``                 the program set a handler for a watched signal
#                                               (``where`` = the caller's file:line)
#   X  ``stage: Type: message``                 the probe failed to set part of itself up
#                                               (stage: set-up, wakeup fd, stack dump): what it
#                                               does not report is unknown, not absent
# A message sigkit cannot parse (too few fields, a bad number) is ignored, never fatal.
# Stacks: faulthandler dumps every thread to ``$SIGKIT_STACKS_DIR/stacks-PID.txt`` on signal
# ``SIGKIT_STACK_SIGNAL`` -- written by C code, so it works while the main thread is stuck.
import os
import sys


def _sigkit_probe():
    sock_path = os.environ.get("SIGKIT_SOCK")
    if not sock_path:
        return
    import _socket

    try:
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM)
        sock.connect(sock_path)
        sock.setblocking(False)
    except Exception:
        return  # no way to tell sigkit: it sees no "S" and says the probe never reported
    pid = os.getpid()
    now = _clock()

    def emit(kind, rest=""):
        try:
            sock.send(("%s %d %s %s" % (kind, pid, now(), rest)).encode("utf-8", "replace"))
        except Exception:
            pass

    try:
        _install(sock, emit)
    except Exception:
        emit("X", _failure("set-up"))


def _failure(stage):
    """``stage: Type: message`` of the exception being handled, on one line (the ``X`` message)."""
    kind, error = sys.exc_info()[:2]
    try:
        text = "%s: %s: %s" % (stage, getattr(kind, "__name__", "?"), error)
    except Exception:  # 2.7: a message that does not encode
        text = "%s: %s" % (stage, getattr(kind, "__name__", "?"))
    return " ".join(text.split())[:500]


def _install(sock, emit):
    """Everything after the socket: handlers, wakeup fd, stack dumps, exit hooks, then ``S``."""
    signal = _signal_module()

    watched = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT]
    real_signal = signal.signal
    real_getsignal = signal.getsignal
    real_set_wakeup_fd = signal.set_wakeup_fd
    user_handler = {}
    user_wakeup_fd = [-1]

    # The wrapper is compiled under a name that says what it is: when the handler raises
    # KeyboardInterrupt, this frame shows in the traceback as <sigkit probe>, not as user code.
    namespace = {"emit": emit}
    exec(compile(
        "def make(handler):\n"
        "    def on_signal(signum, frame):\n"
        "        emit('H', str(signum))\n"
        "        return handler(signum, frame)\n"
        "    return on_signal\n",
        "<sigkit probe>", "exec"), namespace)
    make_wrapper = namespace["make"]

    def install(signum, handler):
        if callable(handler):
            return real_signal(signum, make_wrapper(handler))
        return real_signal(signum, handler)

    def patched_signal(signum, handler):
        if signum not in user_handler:
            return real_signal(signum, handler)
        previous = user_handler[signum]
        install(signum, handler)
        user_handler[signum] = handler
        try:
            emit("I", "%d %s %s" % (signum, _describe(handler), _caller()))
        except Exception:
            pass  # a report must never break the program's signal.signal()
        return previous

    def patched_getsignal(signum):
        if signum in user_handler:
            return user_handler[signum]
        return real_getsignal(signum)

    def patched_set_wakeup_fd(fd, *args, **kwargs):
        # The program (asyncio, typically) needs its own wakeup fd to work: let it have it, say
        # so, and take the fd back when the program gives it up.
        previous = user_wakeup_fd[0]
        user_wakeup_fd[0] = fd
        if fd == -1:
            real_set_wakeup_fd(sock.fileno())
        else:
            real_set_wakeup_fd(fd, *args, **kwargs)
            emit("W", str(fd))
        return previous

    try:
        real_set_wakeup_fd(sock.fileno())
    except Exception:
        emit("X", _failure("wakeup fd"))  # no C-level arrivals: sigkit must not read silence
    for signum in watched:
        current = real_getsignal(signum)
        user_handler[signum] = current
        if callable(current):
            install(signum, current)
    for module in (signal, sys.modules.get("signal")):
        if module is not None:
            module.signal = patched_signal
            module.getsignal = patched_getsignal
            module.set_wakeup_fd = patched_set_wakeup_fd

    stacks_armed = _register_stack_dump(emit)
    report_threads = _thread_reporter(emit)
    _hook_excepthook(emit, report_threads)
    import atexit

    atexit.register(report_threads)
    _count_atexit(emit)
    emit("S", "%d %s %s %d %s" % (
        os.getppid(), _implementation(), ".".join(str(v) for v in sys.version_info[:3]),
        stacks_armed, sys.executable))


def _signal_module():
    """The C module under ``signal``: on 3.x, ``signal.py`` costs an enum import (~3 ms) and
    calls ``_signal.signal``/``getsignal`` at call time, so patching ``_signal`` covers both."""
    if sys.version_info[0] >= 3:
        import _signal

        return _signal
    import signal

    return signal


def _clock():
    """Timestamps as text: CLOCK_MONOTONIC ns (system-wide on Linux, so sigkit compares them
    with its own clock).  2.7 has no monotonic clock and ctypes costs ~15 ms at start-up, so it
    sends CLOCK_REALTIME, marked with a trailing ``r``, and sigkit converts it."""
    import time

    if hasattr(time, "monotonic_ns"):
        return lambda: "%d" % time.monotonic_ns()
    if hasattr(time, "monotonic"):
        return lambda: "%d" % int(time.monotonic() * 1e9)
    return lambda: "%dr" % int(time.time() * 1e9)


def _implementation():
    return getattr(getattr(sys, "implementation", None), "name", "cpython")


def _register_stack_dump(emit):
    folder = os.environ.get("SIGKIT_STACKS_DIR")
    signum = os.environ.get("SIGKIT_STACK_SIGNAL")
    if not folder or not signum:
        return 0
    try:
        import faulthandler
    except ImportError:  # Python 2.7: sigkit falls back to an external dumper
        return 0
    try:
        out = open(os.path.join(folder, "stacks-%d.txt" % os.getpid()), "w")
        faulthandler.register(int(signum), file=out, all_threads=True, chain=False)
        _keep_alive.append(out)
        return 1
    except Exception:
        emit("X", _failure("stack dump"))
        return 0


_keep_alive = []


def _hook_excepthook(emit, report_threads):
    previous = sys.excepthook
    # PyPy's app_main kills the process with SIGINT right after this hook for a KeyboardInterrupt
    # that reached the top: no join of non-daemon threads, no atexit. What runs now is lost.
    pypy = "__pypy__" in sys.builtin_module_names

    def excepthook(kind, value, tb):
        interrupted = kind is not None and issubclass(kind, KeyboardInterrupt)
        if interrupted:
            emit("K")
        try:
            return previous(kind, value, tb)
        finally:
            if interrupted and pypy:
                report_threads()

    sys.excepthook = excepthook


def _thread_reporter(emit):
    """Reports, once, the non-daemon threads still running when the interpreter goes away:
    at exit after they were joined (atexit), or on PyPy when an interrupt ends it at once."""
    reported = []

    def report_threads():
        if reported:
            return
        reported.append(True)
        try:
            os_threads = len(os.listdir("/proc/self/task"))
        except OSError:
            os_threads = 0
        names = []
        threading = sys.modules.get("threading")
        if threading is not None:
            main = threading.current_thread()
            for thread in threading.enumerate():
                daemon = getattr(thread, "daemon", True)
                dummy = type(thread).__name__ == "_DummyThread"
                if thread is not main and not daemon and not dummy:
                    names.append(thread.name.replace(",", "_").replace(" ", "_"))
        emit("E", "%d %s" % (os_threads, ",".join(names)))

    return report_threads


def _describe(handler):
    """``SIG_DFL``/``SIG_IGN``, or the handler's ``module.name``, without spaces."""
    if not callable(handler):
        return {0: "SIG_DFL", 1: "SIG_IGN"}.get(int(handler), str(handler))
    name = getattr(handler, "__qualname__", None) or getattr(handler, "__name__", "?")
    module = getattr(handler, "__module__", None)
    text = "%s.%s" % (module, name) if module else name
    return text.replace(" ", "_").replace(",", "_")


def _caller():
    """``file:line`` of the code that called signal.signal (past the stdlib's wrapper)."""
    try:
        frame = sys._getframe(2)
    except ValueError:  # PyPy's start-up sets handlers from a shallow stack
        return "?"
    while frame is not None and frame.f_globals.get("__name__") == "signal":
        frame = frame.f_back
    if frame is None:
        return "?"
    return "%s:%d" % (frame.f_code.co_filename, frame.f_lineno)  # last field: spaces are fine


def _count_atexit(emit):
    """Report the atexit handlers the program registers: a process killed by a signal's default
    action never runs them, and sigkit says which were lost.  (Registered after our own hook,
    which is not counted.)"""
    import atexit

    real_register = atexit.register
    real_unregister = getattr(atexit, "unregister", None)
    names = []

    def report():
        emit("A", "%d %s" % (len(names), ",".join(names)[:2000]))

    def register(func, *args, **kwargs):
        result = real_register(func, *args, **kwargs)
        names.append(_describe(func))
        report()
        return result

    def unregister(func):
        real_unregister(func)
        name = _describe(func)
        while name in names:
            names.remove(name)
        report()

    atexit.register = register
    if real_unregister is not None:
        atexit.unregister = unregister


def _chain_to_next_sitecustomize():
    """Load the sitecustomize this one shadows, so the target behaves as it would without sigkit."""
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    # A few stat() calls settle the usual case (no other sitecustomize) without importing
    # importlib, which would cost the target ~2 ms of start-up.
    if not any(_may_hold_sitecustomize(p) for p in rest):
        return
    me = sys.modules.pop("sitecustomize", None)
    try:
        if sys.version_info[0] >= 3:
            import importlib.machinery

            spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
            if spec is None or spec.loader is None:
                return
            module = type(sys)(spec.name)
            module.__spec__, module.__loader__ = spec, spec.loader
            module.__file__ = spec.origin
            sys.modules["sitecustomize"] = module
            spec.loader.exec_module(module)
            me = None
        else:
            import imp

            try:
                found = imp.find_module("sitecustomize", rest)
            except ImportError:
                return
            try:
                imp.load_module("sitecustomize", *found)
                me = None
            finally:
                if found[0] is not None:
                    found[0].close()
    finally:
        if me is not None:
            sys.modules["sitecustomize"] = me


def _may_hold_sitecustomize(folder):
    if not os.path.isdir(folder or "."):
        return True  # a zip file or something odd on sys.path: let the import system decide
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return False
    return any(name == "sitecustomize" or name.startswith("sitecustomize.") for name in names)


try:
    _sigkit_probe()
except Exception:
    pass
_chain_to_next_sitecustomize()
