"""Stop contracts on real processes: presets, --to main|group, --pid1, and the verdicts.

Ground truth comes from the programs themselves: a file their `finally:`/atexit/child handler
writes exists only if that code really ran.  Graces are short (1-2 s); the presets' real values
are checked through option resolution.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
import pytest

from sigkit import managed, stop_verdict, stops
from sigkit.cli.probe import options_from_cli
from sigkit.diagnose import diagnose
from sigkit.errors import UsageError
from sigkit.launch import ProbeOptions, probe
from sigkit.report.json_report import load_schema, run_to_dict
from sigkit.timeline import HANDLER, PROBE, SEND

PROGRAMS = Path(__file__).parent / "programs"


def program(name: str) -> str:
    return str(PROGRAMS / f"{name}.py")


def stop_options(command: list[str], stop: str, grace: float = 1.5, **extra) -> ProbeOptions:
    """What `sigkit probe --stop STOP --grace G --expect ready [--to/--pid1] -- CMD` builds."""
    return options_from_cli(command, "ready", None, grace, None, None, 0.5, False, stop,
                            extra.get("to"), extra.get("pid1", False))


def causes(trial) -> set[str]:
    return {f.cause for f in diagnose(trial)}


# -- the presets, as their documentation says -----------------------------------------------

@pytest.mark.parametrize("name, signal, to, grace", [
    ("docker", "TERM", "main", 10.0),
    ("k8s", "TERM", "main", 30.0),
    ("systemd", "TERM", "group", 90.0),
    ("supervisord", "TERM", "main", 10.0),
    ("kill", "TERM", "main", 2.0),
    ("terminal", "INT", "tty", 2.0),
])
def test_presets_resolve_to_their_documented_defaults(name, signal, to, grace):
    options = options_from_cli(["x"], None, None, None, None, None, 1.0, False, name)
    assert (options.ladder[0], options.to, options.deadline) == (signal, to if to != "tty"
                                                                  else "main", grace)
    assert options.contract().to == to and options.ladder[-1] == "KILL"
    assert stops.get(name).source  # every preset cites where its semantics come from


def test_grace_and_to_override_a_preset_and_bad_input_is_one_clear_error():
    options = options_from_cli(["x"], None, None, 3.0, None, None, 1.0, False, "docker", "group")
    assert (options.deadline, options.to) == (3.0, "group")
    for args, message in [
        (("docker", "sideways", None), "--to must be main or group"),
        (("nope", None, None), "unknown stop 'nope'"),
        (("terminal", "main", None), "typed at the terminal"),
        (("docker", None, float("nan")), "--deadline nan: must be a finite number of seconds"),
    ]:
        stop, to, grace = args
        with pytest.raises(UsageError, match=message):
            options_from_cli(["x"], None, None, grace, None, None, 1.0, False, stop, to)


@pytest.mark.parametrize("name", ["docker", "k8s", "systemd", "supervisord", "kill"])
def test_each_preset_stops_a_graceful_program_within_its_grace(name, py311, tmp_path):
    marker = tmp_path / "finally"
    trial = probe(stop_options([py311, program("term_handler_exits"), str(marker)], name))
    assert marker.read_text() == "finally ran"  # the program really shut down gracefully
    sent = next(e for e in trial.events if e.kind == SEND)
    assert sent.detail == {"signal": "TERM", "via": "SIGTERM", "to": stops.get(name).to}
    assert trial.presses[0].handler_ns is not None and trial.exit_code == 143
    within, sentence = stop_verdict.grace_verdict(trial)
    assert within and sentence.startswith("stopped within the grace: ")
    assert sentence.endswith(" of 1.5 s")


# -- --to main vs --to group ---------------------------------------------------------------

def test_to_main_leaves_the_child_unsignalled_and_the_parent_waiting(py311, tmp_path):
    marker = tmp_path / "child"
    trial = probe(stop_options([py311, program("parent_waits_child"), str(marker)], "docker",
                               grace=1.0))
    assert not marker.exists()  # the child never got SIGTERM
    assert trial.verdict == "kill" and trial.exit_signal == "SIGKILL"
    assert trial.presses[0].handler_ns is not None  # the parent's handler ran, and waited
    within, sentence = stop_verdict.grace_verdict(trial)
    assert not within and "docker stop would SIGKILL it" in sentence
    findings = {f.cause: f for f in diagnose(trial)}
    assert "swallowed-interrupt" not in findings  # no KeyboardInterrupt words for a TERM
    overrun = findings["grace-overrun"]
    assert "A handler ran for the SIGTERM" in overrun.fix and "docker stop -t" in overrun.fix
    assert any("other process" in line for line in overrun.evidence)


def test_to_group_reaches_the_child_and_the_stop_completes(py311, tmp_path):
    marker = tmp_path / "child"
    trial = probe(stop_options([py311, program("parent_waits_child"), str(marker)], "systemd",
                               grace=2.0))
    assert marker.read_text() == "child stopped"
    assert trial.verdict == "exit" and trial.exit_code == 0
    assert stop_verdict.grace_verdict(trial)[0]


# -- SIGTERM without a handler --------------------------------------------------------------

@pytest.mark.parametrize("python", ["py311", "pypy3"])
def test_default_sigterm_kills_at_once_and_the_atexit_handlers_never_run(python, request,
                                                                         tmp_path):
    """On CPython and PyPy alike: the probe counts the handlers before the signal lands."""
    if python == "pypy3":
        found = shutil.which("pypy3")
        if found is None:
            pytest.skip("needs PyPy (apt-get install pypy3)")
        python = found
    else:
        python = request.getfixturevalue(python)
    marker = tmp_path / "atexit"
    trial = probe(stop_options([python, program("term_default"), str(marker)], "kill"))
    assert not marker.exists()
    assert trial.exit_signal == "SIGTERM" and trial.presses_to_exit == 1
    (lost,) = [f for f in diagnose(trial) if f.cause == "sigterm-default"]
    assert lost.severity == "warning"
    assert any("1 atexit handler registered and never ran: __main__.record" in line
               for line in lost.evidence)


# -- PID 1 of a PID namespace -----------------------------------------------------------------

def test_pid1_without_a_handler_ignores_docker_stop_until_the_kill(py311, tmp_path):
    marker = tmp_path / "atexit"
    trial = probe(stop_options([py311, program("term_default"), str(marker)], "docker",
                               grace=1.0, pid1=True))
    assert "ready pid 1" in trial.output  # the program saw itself as PID 1
    started = next(e for e in trial.events if e.kind == PROBE)
    assert started.pid == trial.pid and trial.pid != 1  # events carry our pid for it
    assert trial.exit_signal == "SIGKILL" and trial.verdict == "kill" and not marker.exists()
    assert trial.presses[0].arrival_ns is None  # the kernel dropped it: no C handler ran
    found = causes(trial)
    assert {"pid1-no-handler", "grace-overrun"} <= found and "unexplained" not in found
    assert trial.stacks  # faulthandler's dump found under the namespace's own pid


def test_pid1_with_a_handler_stops_gracefully(py311, tmp_path):
    marker = tmp_path / "finally"
    trial = probe(stop_options([py311, program("term_handler_exits"), str(marker)], "docker",
                               pid1=True))
    assert "ready pid 1" in trial.output and marker.read_text() == "finally ran"
    assert trial.exit_code == 143 and stop_verdict.grace_verdict(trial)[0]
    assert any(e.kind == HANDLER and e.pid == trial.pid for e in trial.events)


@pytest.mark.parametrize("exec_it", [False, True])
def test_pid1_shell_wrapper_forwards_nothing_unless_it_execs(exec_it, py311, tmp_path):
    marker = tmp_path / "finally"
    script = f"{'exec ' if exec_it else ''}{py311} {program('term_handler_exits')} {marker}"
    trial = probe(stop_options([shutil.which("sh") or "/bin/sh", "-c", script], "docker",
                               grace=1.0, pid1=True))
    found = causes(trial)
    if exec_it:
        assert marker.read_text() == "finally ran" and stop_verdict.grace_verdict(trial)[0]
        assert "shell-no-forward" not in found
    else:
        assert not marker.exists() and trial.exit_signal == "SIGKILL"
        assert "shell-no-forward" in found and "pid1-no-handler" not in found
        (wrapper,) = [f for f in diagnose(trial) if f.cause == "shell-no-forward"]
        assert "exec python app.py" in wrapper.fix
        assert any("PID 1" in line for line in wrapper.evidence)


def test_shell_wrapper_outside_a_namespace_dies_and_orphans_python(py311, tmp_path):
    marker = tmp_path / "finally"
    script = f"{py311} {program('term_handler_exits')} {marker}"
    trial = probe(stop_options(["sh", "-c", script], "supervisord"))
    assert trial.exit_signal == "SIGTERM" and not marker.exists()  # python got nothing
    assert [o.name for o in trial.orphans] == ["python"]
    assert {"shell-no-forward", "orphans"} <= causes(trial)


def test_pid1_refused_where_no_namespace_can_be_made_is_one_line_and_exit_2(tmp_path):
    """In a user namespace whose PID-namespace limit is 0, --pid1 cannot work: say so."""
    if shutil.which("unshare") is None:
        pytest.skip("needs util-linux's unshare (apt-get install util-linux)")
    if subprocess.run(["unshare", "--user", "--map-root-user", "true"]).returncode != 0:
        pytest.skip("the refusal is staged in a user namespace, which this kernel does not allow "
                    "(sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces)")
    script = ("echo 0 > /proc/sys/user/max_pid_namespaces && "
              f"exec {sys.executable} -m sigkit probe --pid1 -- true")
    done = subprocess.run(["unshare", "--user", "--map-root-user", "sh", "-c", script],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--pid1 is not possible here" in done.stderr


# -- graceful but too slow, a library's handler, and the words of the report ---------------

def test_a_drain_longer_than_the_grace_is_an_overrun_not_a_swallowed_interrupt(py311):
    trial = probe(stop_options([py311, program("term_handler_slow"), "3"], "k8s", grace=1.0))
    assert trial.verdict == "kill"
    found = causes(trial)
    assert "grace-overrun" in found and "swallowed-interrupt" not in found


def test_a_library_that_replaced_the_handler_is_named(py311, tmp_path):
    library = tmp_path / "site-packages" / "quietlib"
    library.mkdir(parents=True)
    (library / "__init__.py").write_text(
        "import signal\n"
        "def _log_and_carry_on(signum, frame):\n"
        "    print('quietlib: ignoring', signum, flush=True)\n"
        "signal.signal(signal.SIGTERM, _log_and_carry_on)\n")
    app = tmp_path / "app.py"
    app.write_text("import sys, time\nsys.path.insert(0, sys.argv[1])\nimport quietlib\n"
                   "print('ready', flush=True)\ntime.sleep(60)\n")
    trial = probe(stop_options([py311, str(app), str(library.parent)], "docker", grace=1.0))
    assert "quietlib: ignoring 15" in trial.output
    (replaced,) = [f for f in diagnose(trial) if f.cause == "handler-replaced"]
    assert "quietlib._log_and_carry_on" in replaced.evidence[0]
    assert "site-packages/quietlib/__init__.py:4" in replaced.evidence[0]


def test_a_term_run_speaks_of_sigterm_never_of_ctrl_c(sigkit, py311, tmp_path):
    command = [py311, program("parent_waits_child"), str(tmp_path / "child")]
    text = sigkit("probe", "--stop", "docker", "--grace", "1", "--expect", "ready", "--",
                   *command)
    assert text.returncode == 0, text.stderr
    assert "Ctrl-C" not in text.stdout
    assert "Grace: still running at 1 s: docker stop would SIGKILL it" in text.stdout
    assert "Stop: docker stop: SIGTERM to pid" in text.stdout
    document = sigkit("probe", "--stop", "docker", "--grace", "1", "--expect", "ready",
                       "--json", "-", "--", *command)
    assert "Ctrl-C" not in document.stdout
    parsed = json.loads(document.stdout)
    jsonschema.validate(parsed, load_schema())
    stop = parsed["trials"][0]["stop"]
    assert (stop["preset"], stop["to"], stop["grace_s"], stop["within_grace"]) == (
        "docker", "main", 1.0, False)


def test_a_check_with_a_stop_contract_fails_on_an_overrun(sigkit, py311, tmp_path):
    (tmp_path / "sigkit.toml").write_text(f"""
[[check]]
name = "graceful"
command = ["{py311}", "{program('term_handler_exits')}", "{tmp_path / 'finally'}"]
expect = "ready"
stop = "docker"
pid1 = true
grace = 1.5

[[check]]
name = "as-pid1"
command = ["{py311}", "{program('term_default')}", "{tmp_path / 'atexit'}"]
expect = "ready"
stop = "docker"
pid1 = true
grace = 1
""")
    done = sigkit("check", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "✓ graceful" in done.stdout and "✗ as-pid1" in done.stdout
    assert "still running" in done.stdout and "≤ 1 s (docker stop)" in done.stdout
    assert "--stop docker --grace 1 --pid1" in done.stdout  # the reproduce line


@pytest.mark.parametrize("body, message", [
    ('stop = "dokcer"', "'stop' is invalid: unknown stop 'dokcer'"),
    ('stop = "docker"\nto = "everyone"', "'to' is invalid: --to must be main or group"),
    ('stop = "docker"\nsignal = "TERM"', "set 'stop' or 'signal'/'ladder', not both"),
    ('stop = "docker"\ngrace = 2\ndeadline = 2', "set 'grace' or 'deadline', not both"),
    ('stop = "docker"\npid1 = "yes"', "'pid1' must be true or false"),
])
def test_check_stop_keys_are_validated(sigkit, body, message, tmp_path):
    (tmp_path / "sigkit.toml").write_text(
        f'[[check]]\nname = "a"\ncommand = "true"\n{body}\n')
    done = sigkit("check", cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1


def test_the_json_of_a_stop_run_validates_against_the_schema(py311, tmp_path):
    trial = probe(stop_options([py311, program("term_handler_exits"), str(tmp_path / "f")],
                               "kill"))
    jsonschema.validate(json.loads(json.dumps(run_to_dict([trial]))), load_schema())


def test_unprivileged_pid1_goes_through_a_user_namespace():
    """As an unprivileged user the shim asks for a user namespace first (uid maps to itself).

    Everything runs from paths nobody may read: the system's python3 (pyenv's live under root's
    private home, which a user namespace cannot see into) and a copy of the shim in /tmp.
    """
    setpriv, python = shutil.which("setpriv"), "/usr/bin/python3"
    if setpriv is None or os.getuid() != 0 or not os.access(python, os.X_OK):
        pytest.skip("needs root (to become nobody), setpriv and python3 "
                    "(apt-get install util-linux python3)")
    with tempfile.TemporaryDirectory() as folder:  # pytest's tmp_path is private to root
        os.chmod(folder, 0o755)
        shim = shutil.copy(managed.SHIM, folder)
        check_as_nobody(setpriv, python, shim)


def check_as_nobody(setpriv: str, python: str, shim: str) -> None:
    nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", python, "-I", shim]
    check = subprocess.run([*nobody, "--check"], capture_output=True, text=True, timeout=60)
    if check.returncode != 0:  # the kernel forbids unprivileged user namespaces: say so, clearly
        assert check.returncode == 2 and "cannot create a PID namespace" in check.stderr
        return
    assert check.stdout.strip() == "user namespace"
    inside = subprocess.run([*nobody, "--pid1", "--", python, "-c",
                             "import os; print(os.getpid(), os.getuid())"],
                            capture_output=True, text=True, timeout=60)
    assert inside.stdout.split() == ["1", "65534"]


def test_the_pytest_fixture_replays_a_stop(sigint_probe, py311, tmp_path):
    marker = tmp_path / "atexit"
    r = sigint_probe([py311, program("term_default"), str(marker)], expect="ready",
                     stop="docker", grace=1, pid1=True)
    assert r.within_grace is False and r.exit_signal == "SIGKILL" and not marker.exists()
    assert "pid1-no-handler" in {f.cause for f in r.findings}


def test_the_stops_page_is_the_preset_table_verbatim():
    page = Path(__file__).parent.parent / "docs" / "stops.md"
    assert page.read_text() == stops.to_markdown(), "run: python -m sigkit.stops > docs/stops.md"
