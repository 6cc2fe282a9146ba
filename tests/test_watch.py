"""``sigkit watch`` driven through a terminal the way a person uses it (pexpect is the person)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import termios
from pathlib import Path

import jsonschema
import pexpect
import psutil
import pytest
from conftest import require

from sigkit.output import strip_ansi
from sigkit.passthrough import presses, suspends
from sigkit.report.json_report import load_schema

PROGRAMS = Path(__file__).resolve().parent / "programs"


@pytest.fixture
def watch():
    """``watch(*args, program=..., deadline="1")`` starts ``sigkit watch --deadline 1 [args] --
    python tests/programs/<program>`` in a fresh pty (``program=""``: ``python`` alone, with
    ``python=`` its command); whatever happens, it is gone afterwards."""
    started: list[pexpect.spawn] = []

    def start(*args: str, program: str, deadline: str = "1",
              python: tuple[str, ...] = (sys.executable,)) -> pexpect.spawn:
        child = pexpect.spawn(
            sys.executable,
            ["-m", "sigkit", "watch", "--deadline", deadline, *args, "--",
             *python, *([str(PROGRAMS / program)] if program else [])],
            timeout=30, encoding="utf-8", dimensions=(40, 120), env={**os.environ, "NO_COLOR": "1"},
        )
        started.append(child)
        return child

    yield start
    for child in started:
        if child.isalive():
            child.kill(signal.SIGTERM)  # sigkit's own clean-up kills and reaps the program
            child.expect(pexpect.EOF, timeout=10)
        child.close(force=True)


def finish(child: pexpect.spawn) -> str:
    """Everything left to read, then the exit; returns the text, ANSI codes and wrapping gone."""
    child.expect(pexpect.EOF)
    child.close()
    return plain(child.before)


def stuck_report(child: pexpect.spawn, ready: str) -> str:
    """Wait for ``ready``, press Ctrl-C, and return the report sigkit prints at the deadline."""
    child.expect_exact(ready)
    child.sendintr()
    child.expect_exact("your keys go to it again")
    return plain(child.before)


def plain(text: object) -> str:
    return " ".join(strip_ansi(str(text)).split())


def test_typed_answer_reaches_the_program_and_its_reply_comes_back(watch):
    child = watch(program="prompt.py")
    child.expect_exact("your name? ")
    child.sendline("Ada")
    child.expect_exact("hello, Ada!")
    rest = finish(child)
    assert child.exitstatus == 0 and "sigkit" not in rest  # no press: sigkit says nothing


def test_ctrl_c_on_a_program_that_swallows_it_shows_stacks_and_diagnosis(watch, tmp_path):
    child = watch("--json", str(tmp_path / "watch.json"), program="catches_everything.py")
    child.expect_exact("ready")
    child.sendintr()
    child.expect_exact("carrying on")  # the key went through at once, as a signal
    child.expect_exact("your keys go to it again")
    report = plain(child.before)
    assert "still running 1 s after Ctrl-C" in report
    pid = int(re.search(r"Stacks of pid (\d+)", report).group(1))
    assert "C handler ran (wakeup byte)" in report and "Python handler, main thread" in report
    assert "main (catches_everything.py:13)" in report  # main thread, in time.sleep
    assert "swallowed-interrupt" in report and "Fix: At catches_everything.py:14" in report
    assert psutil.pid_exists(pid)
    child.sendcontrol("\\")  # later keys are the program's own again: Ctrl-\ ends it
    end = finish(child)
    assert child.exitstatus == 131, end
    assert "exited with status 131 (SIGQUIT)" in end
    assert not psutil.pid_exists(pid)
    document = json.loads((tmp_path / "watch.json").read_text())
    jsonschema.validate(document, load_schema())
    trial = document["trials"][0]
    assert [p["signal"] for p in trial["presses"]] == ["INT", "QUIT"]
    assert trial["presses"][0]["handler_ns"] > 0 and trial["presses"][1]["ended_it"]
    assert "swallowed-interrupt" in [f["cause"] for f in trial["findings"]]
    assert document["process_stacks"][0]["pid"] == pid


def test_ctrl_c_that_works_is_timed_and_passes_the_status_on(watch, tmp_path):
    child = watch("--json", str(tmp_path / "w.json"), program="sleeps.py")
    child.expect_exact("ready")
    child.sendintr()
    end = finish(child)
    assert child.exitstatus == 130, end
    assert "KeyboardInterrupt" in end and "still running" not in end
    assert re.search(r"exited with status 130 \(SIGINT\) [\d.]+ .s after Ctrl-C: C handler", end)
    press = json.loads((tmp_path / "w.json").read_text())["trials"][0]["presses"][0]
    assert 0 < press["arrival_ns"] <= press["handler_ns"] and press["ended_it"]


def test_in_raw_mode_ctrl_c_is_a_byte_for_the_program_not_a_press(watch, tmp_path):
    child = watch("--json", str(tmp_path / "raw.json"), program="raw_mode.py", deadline="0.2")
    child.expect_exact("raw ready")
    child.sendcontrol("c")
    child.expect_exact(r"key b'\x03'")
    child.send("x")
    child.expect_exact("key b'x'")
    child.send("q")
    end = finish(child)
    assert child.exitstatus == 0 and "sigkit" not in end
    trial = json.loads((tmp_path / "raw.json").read_text())["trials"][0]
    assert trial["presses"] == [] and trial["verdict"] == "exited-before-interrupt"


def test_window_size_follows_the_terminal(watch):
    child = watch(program="window_size.py", deadline="5")
    child.expect_exact("size 120x40")
    child.setwinsize(30, 100)
    child.expect_exact("size 100x30")
    child.sendintr()
    finish(child)
    assert child.exitstatus == 130


def test_without_a_terminal_it_says_so_in_one_line():
    done = subprocess.run([sys.executable, "-m", "sigkit", "watch", "--", "true"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("sigkit: error: sigkit watch needs a terminal on stdin")
    assert len(done.stderr.strip().splitlines()) == 1


def _attrs(lflag: int) -> list:
    cc = [b"\x00"] * 32
    cc[termios.VINTR], cc[termios.VQUIT] = b"\x03", b"\x1c"
    return [0, 0, 0, lflag, 0, 0, cc]


@pytest.mark.parametrize(
    ("typed", "lflag", "expected"),
    [
        (b"ab\x03", termios.ISIG, ["INT"]),
        (b"\x1c\x03", termios.ISIG, ["QUIT", "INT"]),
        (b"\x03", 0, []),  # raw mode: the byte is data
        (b"\x00", termios.ISIG, []),  # NUL never matches a disabled control character
    ],
)
def test_presses_follow_the_programs_own_terminal_settings(typed, lflag, expected):
    attrs = _attrs(lflag)
    attrs[6][termios.VSUSP] = b"\x00"
    assert presses(typed, attrs) == expected


def test_a_daemon_the_program_leaves_behind_is_found_and_killed(watch):
    child = watch(program="leaves_a_daemon.py")
    child.expect(r"daemon (\d+)")
    daemon = int(child.match.group(1))
    child.expect_exact("ready")
    child.sendintr()
    end = finish(child)
    assert child.exitstatus == 130, end
    assert "killed 1 process(es) the program left behind" in end and f"pid {daemon} sleep 300" in end
    assert not psutil.pid_exists(daemon) or psutil.Process(daemon).status() == psutil.STATUS_ZOMBIE


@pytest.mark.parametrize(("lflag", "expected"), [(termios.ISIG, True), (0, False)])
def test_ctrl_z_suspends_only_when_the_program_lets_the_tty_raise_signals(lflag, expected):
    attrs = _attrs(lflag)
    attrs[6][termios.VSUSP] = b"\x1a"
    assert suspends(b"ab\x1a", attrs) is expected
    assert suspends(b"ab", attrs) is False


def test_sigkit_stopped_from_outside_takes_the_program_with_it(watch):
    """SIGTERM (or a closed terminal's SIGHUP) on sigkit: the program is killed and reaped."""
    child = watch(program="catches_everything.py")
    child.expect_exact("ready")
    program = psutil.Process(child.pid).children()[0]
    child.kill(signal.SIGHUP)
    end = finish(child)
    assert child.exitstatus == 128 + signal.SIGHUP and "sigkit: interrupted by SIGHUP" in end
    assert not program.is_running() or program.status() == psutil.STATUS_ZOMBIE


def test_the_stuck_report_shows_every_python_process(watch):
    child = watch(program="waits_for_a_stubborn_child.py")
    report = stuck_report(child, "ready")
    parent, worker = re.findall(r"Stacks of pid (\d+) \(python\d?[\d.]*\), faulthandler", report)
    assert psutil.Process(int(worker)).ppid() == int(parent)
    assert "waits_for_a_stubborn_child.py:13" in report  # the parent's child.wait()
    assert "<string>:1" in report  # the child's time.sleep
    child.sendcontrol("\\")
    finish(child)
    assert child.exitstatus == 131


def test_ctrl_z_without_a_job_control_shell_leaves_the_program_running(watch):
    """Under a shell, Ctrl-Z stops the program and sigkit together (tried by hand: `fg` continues
    both). Here nobody does job control, so the kernel drops sigkit's own stop: the program must
    be continued, not left stopped for ever."""
    child = watch(program="prompt.py")
    child.expect_exact("your name? ")
    child.sendcontrol("z")
    child.sendline("Ada")
    child.expect_exact("hello, Ada!")
    finish(child)
    assert child.exitstatus == 0


@pytest.mark.parametrize("version", ["3.11", "3.13"])
def test_ctrl_c_at_the_repl_is_back_at_the_prompt_not_unexplained(watch, tmp_path, version):
    """``python -i`` survives Ctrl-C by design. 3.11's REPL loop is C (no Python frame: the
    kernel's read on the terminal is the proof); 3.13's is _pyrepl (its stack is)."""
    python = require(version)
    child = watch("--json", str(tmp_path / "watch.json"), program="", python=(python, "-i"))
    report = stuck_report(child, ">>> ")
    child.sendline("print(6 * 7)")
    child.expect_exact("42")  # the ground truth: the REPL is still there, answering
    child.sendeof()
    finish(child)
    assert child.exitstatus == 0
    assert "i back-at-prompt" in report and "unexplained" not in report
    assert "its output after the Ctrl-C ends with a prompt: '>>> '" in report
    if version == "3.11":
        assert re.search(r"asleep in pselect6\(fd 0 only, /dev/pts/\d+\)", report)
        assert "the KeyboardInterrupt reached the top level" in report
    else:
        assert "the prompt's line read (_pyrepl/readline.py)" in report
    [found] = json.loads((tmp_path / "watch.json").read_text())["trials"][0]["findings"]
    assert (found["cause"], found["severity"]) == ("back-at-prompt", "info")


def test_a_prompt_loop_that_cancels_the_line_is_back_at_the_prompt(watch):
    child = watch(program="prompt_loop.py")
    report = stuck_report(child, "> ")
    child.sendline("hi")
    child.expect_exact("you said hi")  # the loop asked again and answers
    child.sendeof()
    finish(child)
    assert child.exitstatus == 0
    assert "i back-at-prompt" in report and "the main thread waits in input() at " \
        "prompt_loop.py:4" in report
    assert re.search(r"asleep in read\(fd 0, /dev/pts/\d+\)", report)
    assert "swallowed-interrupt" not in report and "unexplained" not in report
