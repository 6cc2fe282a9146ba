# sigkit's in-target probe.  Loaded as ``sitecustomize`` because sigkit puts this folder first on
# PYTHONPATH; it then chains to any sitecustomize the interpreter would otherwise have loaded.
#
# Rules this file lives by (it runs inside the program being measured):
#   * it imports nothing from sigkit and runs unchanged on Python 2.7 and 3.6 - 3.13;
#   * it starts no threads (a thread would compete for the GIL whose effects we measure);
#   * on the signal path it does a handful of syscalls and nothing else.
#
# What it reports, as datagrams on one connected AF_UNIX socket (``SIGKIT_SOCK``):
#   * the socket is also CPython's *wakeup fd*: the C-level signal handler writes one byte to it the
#     instant the signal lands, so sigkit's end of the socket sees the C-level arrival (with a
#     kernel timestamp);
#   * ``S pid t ppid impl version stacks executable``  the probe is loaded (t = CLOCK_MONOTONIC ns;
#                                               stacks = 1 if the stack-dump signal is armed);
#   * ``H pid t signum``                        a Python-level handler starts, in the main thread;
#   * ``K pid t``                               KeyboardInterrupt reached the top level unhandled;
#   * ``W pid t fd``                            the program replaced the wakeup fd (asyncio does);
#   * ``E pid t os_threads nondaemon,names``    interpreter shutdown (atexit): threads still alive.
# Stacks: faulthandler dumps every thread to ``$SIGKIT_STACKS_DIR/stacks-PID.txt`` on signal
# ``SIGKIT_STACK_SIGNAL`` -- written by C code, so it works while the main thread is stuck.
import os
import sys


def _sigkit_probe():
    sock_path = os.environ.get("SIGKIT_SOCK")
    if not sock_path:
        return
    import signal
    import _socket

    try:
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM)
        sock.connect(sock_path)
        sock.setblocking(False)
    except Exception:
        return
    pid = os.getpid()
    now = _monotonic_ns_clock()

    def emit(kind, rest=""):
        try:
            sock.send(("%s %d %d %s" % (kind, pid, now(), rest)).encode("utf-8", "replace"))
        except Exception:
            pass

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
        pass
    for signum in watched:
        current = real_getsignal(signum)
        user_handler[signum] = current
        if callable(current):
            install(signum, current)
    signal.signal = patched_signal
    signal.getsignal = patched_getsignal
    signal.set_wakeup_fd = patched_set_wakeup_fd

    stacks_armed = _register_stack_dump()
    _hook_excepthook(emit)
    _hook_exit(emit)
    emit("S", "%d %s %s %d %s" % (
        os.getppid(), _implementation(), ".".join(str(v) for v in sys.version_info[:3]),
        stacks_armed, sys.executable))


def _monotonic_ns_clock():
    """CLOCK_MONOTONIC in ns: system-wide on Linux, so sigkit compares it with its own clock."""
    import time

    if hasattr(time, "monotonic_ns"):
        return time.monotonic_ns
    if hasattr(time, "monotonic"):
        return lambda: int(time.monotonic() * 1e9)
    import ctypes
    import ctypes.util

    class timespec(ctypes.Structure):
        _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    clock_gettime = libc.clock_gettime
    ts = timespec()

    def now():
        clock_gettime(1, ctypes.byref(ts))  # CLOCK_MONOTONIC == 1 on Linux
        return ts.tv_sec * 1000000000 + ts.tv_nsec

    return now


def _implementation():
    return getattr(getattr(sys, "implementation", None), "name", "cpython")


def _register_stack_dump():
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
        return 0


_keep_alive = []


def _hook_excepthook(emit):
    previous = sys.excepthook

    def excepthook(kind, value, tb):
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            emit("K")
        return previous(kind, value, tb)

    sys.excepthook = excepthook


def _hook_exit(emit):
    """At shutdown, after non-daemon threads were joined, report what is still running."""
    import atexit

    def at_exit():
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

    atexit.register(at_exit)


def _chain_to_next_sitecustomize():
    """Load the sitecustomize this one shadows, so the target behaves as it would without sigkit."""
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    me = sys.modules.pop("sitecustomize", None)
    try:
        if sys.version_info[0] >= 3:
            import importlib.machinery
            import importlib.util

            spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
            if spec is None or spec.loader is None:
                return
            module = importlib.util.module_from_spec(spec)
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


try:
    _sigkit_probe()
except Exception:
    pass
_chain_to_next_sitecustomize()
