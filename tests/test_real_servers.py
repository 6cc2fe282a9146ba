"""Real servers and workers under sigkit, judged against what their clients saw.

Each test starts a real uvicorn / gunicorn / celery / Flask on a free 127.0.0.1 port (celery's
broker is a folder: kombu's filesystem transport, no server), puts a slow request or task in
flight, lets sigkit press, and establishes the ground truth itself -- the client saw its request
complete, fail or cut off; the task wrote its "done" file or did not -- before it checks
sigkit's verdict against it.  Every finding's claims must also be backed by its own evidence.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import programs
import psutil
import pytest

from sigkit import ladder
from sigkit.launch import ProbeOptions
from sigkit.timeline import Trial
from sigkit.trials import judged

BIN = Path(sys.executable).parent
SLOW = 15.0  # a request or task far longer than any deadline below, unless a test says otherwise


def script(name: str) -> str:
    """A console script of the environment running the tests (uvicorn, gunicorn...)."""
    pytest.importorskip(name, reason=f"{name} is not installed: pip install -e '.[test]'")
    found = BIN / name
    if not found.exists():
        pytest.skip(f"no {name} script beside {sys.executable}: pip install -e '.[test]'")
    return str(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Outcome:
    status: Optional[int] = None  # the HTTP status the client got; None: the connection was cut
    error: str = ""
    seconds: float = 0.0

    @property
    def completed(self) -> bool:
        return self.status == 200


class SlowClient(threading.Thread):
    """GET /slow as soon as the server accepts connections; records what came back."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.outcome = Outcome(error="never connected")

    def run(self) -> None:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request("GET", "/slow")
            response = conn.getresponse()
            response.read()
            self.outcome = Outcome(response.status)
        except (OSError, http.client.HTTPException) as error:
            self.outcome = Outcome(None, type(error).__name__)
        self.outcome.seconds = time.monotonic() - started


def serve(command: list[str], port: int, slow: float = SLOW, **options) -> tuple[Trial, Outcome]:
    """Probe a server while a client's slow request is in flight (the app prints "in flight")."""
    client = SlowClient(port)
    client.start()
    env = {"SIGKIT_SLOW": str(slow), **options.pop("env", {})}
    trial = judged(ProbeOptions(command=command, expect="in flight", cwd=str(programs.HERE),
                                env=env, **options))
    client.join(60)
    return trial, client.outcome


def only(trial: Trial, cause: str):
    """The finding for ``cause``, checking that no other cause that explains a stop is named."""
    named = [f.cause for f in trial.findings]
    assert cause in named, (named, trial.output[-2000:])
    wrong = {"swallowed-interrupt", "multiprocessing-hang", "unexplained", "executor-shutdown",
             "nondaemon-shutdown"} - {cause}
    assert not wrong & set(named), named
    return next(f for f in trial.findings if f.cause == cause)


def test_uvicorn_drain_cut_by_the_second_ctrl_c(unbacked_claims):
    port = free_port()
    trial, client = serve([script("uvicorn"), "asgi_slow_request:app", "--port", str(port)], port)
    assert not client.completed  # ground truth: the 2nd Ctrl-C forced uvicorn to quit
    assert trial.presses_to_exit == 2
    found = only(trial, "graceful-shutdown")
    assert found.severity == "warning"
    said = " ".join(found.evidence)
    assert "the 2nd Ctrl-C" in said and f"1 connection open on :{port}" in said
    assert "Waiting for connections to close" in said  # uvicorn's own words, quoted
    assert "--timeout-graceful-shutdown" in found.fix
    assert unbacked_claims(trial) == []


def test_uvicorn_drain_that_fits_the_deadline_is_reported_as_a_drain(unbacked_claims):
    port = free_port()
    trial, client = serve([script("uvicorn"), "asgi_slow_request:app", "--port", str(port)], port,
                          slow=3, deadline=20)
    assert client.completed  # ground truth: the request finished during the drain
    assert trial.presses_to_exit == 1
    found = only(trial, "graceful-shutdown")
    assert found.severity == "info" and "stopped gracefully in" in found.evidence[0]
    assert unbacked_claims(trial) == []


@pytest.mark.parametrize("mode", [["--workers", "2"], ["--reload"]], ids=["workers", "reload"])
def test_uvicorn_supervisor_waits_for_its_draining_server(mode, unbacked_claims):
    port = free_port()
    trial, client = serve([script("uvicorn"), "asgi_slow_request:app", "--port", str(port), *mode],
                          port)
    assert not client.completed
    found = only(trial, "graceful-shutdown")
    said = " ".join(found.evidence)
    assert "supervisor" in said and f"on :{port}" in said
    holder = next(c for look in trial.looks for c in look.connections if c.status == "ESTABLISHED")
    assert trial.pid not in holder.pids  # the wait is in the server child, and sigkit says which
    assert f"held by pid {holder.pids[0]}" in said
    assert unbacked_claims(trial) == []


def gunicorn(port: int, *extra: str) -> list[str]:
    """gunicorn on ``port``; newer ones open a control socket at a fixed path: not in tests."""
    from gunicorn import config

    quiet = ["--no-control-socket"] if hasattr(config, "ControlSocketDisable") else []
    return [script("gunicorn"), *quiet, "-b", f"127.0.0.1:{port}", *extra,
            "wsgi_slow_request:app"]


def test_gunicorn_sigterm_drain_cut_by_sigkill(unbacked_claims):
    port = free_port()
    trial, client = serve(gunicorn(port), port, ladder=ladder.starting_with("TERM"))
    assert not client.completed and trial.exit_signal == "SIGKILL"
    found = only(trial, "graceful-shutdown")
    assert found.severity == "warning" and "SIGKILL" in found.evidence[0]
    assert "--graceful-timeout" in found.fix
    assert unbacked_claims(trial) == []


def test_gunicorn_graceful_timeout_cuts_the_request_itself(unbacked_claims):
    port = free_port()
    trial, client = serve(gunicorn(port, "--graceful-timeout", "2"), port,
                          ladder=ladder.starting_with("TERM"), deadline=10)
    assert not client.completed  # the arbiter SIGKILLed its worker at --graceful-timeout
    assert trial.presses_to_exit == 1
    found = only(trial, "graceful-shutdown")
    assert found.severity == "warning" and "--graceful-timeout (2 s) ran out" in found.evidence[0]
    assert unbacked_claims(trial) == []


def test_gunicorn_sync_ctrl_c_is_a_quick_shutdown_that_drops_the_request(unbacked_claims):
    port = free_port()
    trial, client = serve(gunicorn(port), port)
    assert not client.completed  # ground truth: the worker exited mid-request (HTTP 500)
    assert trial.presses_to_exit == 1
    found = only(trial, "requests-in-flight")
    assert found.severity == "warning" and "quick shutdown" in " ".join(found.evidence)
    assert "SIGTERM" in found.fix
    assert unbacked_claims(trial) == []


def test_gunicorn_gthread_wait_is_in_the_worker_process(unbacked_claims):
    port = free_port()
    trial, client = serve(gunicorn(port, "-k", "gthread", "--threads", "2"), port)
    assert not client.completed
    found = only(trial, "graceful-shutdown")
    worker = next(c for look in trial.looks for c in look.connections if c.status == "ESTABLISHED")
    lines = [line for line in found.evidence if f"pid {worker.pids[0]}" in line]
    # the worker's exit joins its thread pool while a thread is still in the request handler
    assert any("_python_exit" in line for line in lines), found.evidence
    assert any("wsgi_slow_request.py" in line for line in lines), found.evidence
    assert unbacked_claims(trial) == []


def test_celery_warm_shutdown_waits_for_the_running_task(tmp_path, unbacked_claims):
    celery = script("celery")
    env = {"SIGKIT_CELERY_DIR": str(tmp_path), "SIGKIT_SLOW": str(SLOW)}
    sender = threading.Thread(target=_queue_task, args=(env,), daemon=True)
    sender.start()
    trial = judged(ProbeOptions(
        command=[celery, "-A", "celery_slow_task", "worker", "--pool", "prefork", "-c", "1"],
        expect="in flight", cwd=str(programs.HERE), env=env, ready_timeout=30))
    sender.join(30)
    assert (tmp_path / "started-one").exists() and not (tmp_path / "done-one").exists()
    found = only(trial, "graceful-shutdown")
    said = " ".join(found.evidence)
    assert "Warm shutdown" in said and "ignores SIGINT" in said
    assert "celery_slow_task.py" in said  # the pool child is inside the task
    assert "time-limit" in found.fix
    assert unbacked_claims(trial) == []


def _queue_task(env: dict[str, str]) -> None:
    import subprocess

    time.sleep(1.0)
    subprocess.run([sys.executable, "celery_slow_task.py"], cwd=programs.HERE, timeout=30,
                   env={**os.environ, **env}, check=True)


def test_flask_reloader_is_pressed_once_its_server_child_has_started(unbacked_claims):
    port = free_port()
    trial = judged(ProbeOptions(
        command=[script("flask"), "--app", "flask_slow_request", "run", "--reload", "--port",
                 str(port)],
        expect="Running on", cwd=str(programs.HERE)))
    # the reloader prints its banner, then starts the server child: sigkit waits for it
    assert trial.grew_after_ready and trial.ready is not None and "new process" in trial.ready
    assert trial.late_processes == []
    assert trial.exit_code == 0  # a Ctrl-C during the child's start-up ended it with exit 1
    assert unbacked_claims(trial) == []


def test_inspect_signal_on_a_live_gunicorn_says_its_worker_holds_the_request(sigkit):
    """``sigkit inspect ARBITER --signal TERM`` on a gunicorn sigkit did not start: the arbiter
    waits in ``stop`` while its worker finishes the request, which the client then receives."""
    port = free_port()
    client = SlowClient(port)
    server = subprocess.Popen(gunicorn(port), cwd=programs.HERE, env={**os.environ,
                              "SIGKIT_SLOW": "5"}, stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        client.start()
        assert server.stdout is not None and "in flight" in server.stdout.readline()
        [worker] = psutil.Process(server.pid).children()
        done = sigkit("inspect", str(server.pid), "--signal", "TERM", "--wait", "1", "--json")
        client.join(60)
        server.wait(30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        if server.stdout:
            server.stdout.close()
    assert client.outcome.completed and server.returncode == 0  # it drained, then exited
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["signal"]["exited"] is False
    found = next(f for f in report["findings"] if f["cause"] == "graceful-shutdown")
    said = " ".join(found["evidence"])
    assert found["severity"] == "info" and "after SIGTERM" in said
    assert "--graceful-timeout (30 s)" in said
    assert f"pid {worker.pid} (gunicorn)" in said and "wsgi_slow_request.py:12" in said
    assert f"held by pid {worker.pid}" in said
    assert {f["cause"] for f in report["findings"]} <= {"graceful-shutdown", "not-foreground"}
    assert str(worker.pid) in report["tree_stacks"]


def test_flask_dev_server_drops_the_request_in_flight(unbacked_claims):
    port = free_port()
    trial, client = serve([script("flask"), "--app", "flask_slow_request", "run", "--port",
                           str(port)], port)
    assert not client.completed  # ground truth: the request thread is a daemon, cut at exit
    assert trial.presses_to_exit == 1
    found = only(trial, "requests-in-flight")
    assert found.severity == "warning" and "Werkzeug development server" in " ".join(found.evidence)
    assert unbacked_claims(trial) == []


def test_hypercorn_is_a_drain_without_sigkit_knowing_hypercorn(unbacked_claims):
    """hypercorn's supervisor waits for a worker that ignores SIGINT; the worker closes its
    listener, serves on, and cancels the request when its own graceful timeout (3 s) runs out."""
    port = free_port()
    trial, client = serve([script("hypercorn"), "--bind", f"127.0.0.1:{port}",
                           "asgi_slow_request:app"], port, slow=8, deadline=6)
    assert not client.completed  # HTTP 500 at hypercorn's graceful timeout
    assert trial.presses_to_exit == 1
    found = only(trial, "graceful-shutdown")
    said = " ".join(found.evidence)
    assert found.severity == "warning" and "closed its listening socket" in said
    assert "CancelledError" in said
    assert not re.search(r"uvicorn|gunicorn|celery|Werkzeug|multiprocessing pool", said)
    assert unbacked_claims(trial) == []
