"""Pictures: the terminal timeline and histograms, and --plot files (SVG) through matplotlib."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from conftest import require
from rich.console import Console

from sigkit import scenarios
from sigkit.errors import UsageError
from sigkit.launch import ProbeOptions, probe
from sigkit.report import pictures, plots
from sigkit.timeline import STACKS, Event, Interpreter, Press, Trial

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
MS = 1_000_000  # ns

FAULTHANDLER_DUMP = """\
Thread 0x00007f0000000001 (most recent call first):
  File "/work/scenarios/blocked_join.py", line 49 in serve
  File "/usr/lib/python3.11/threading.py", line 975 in run
  File "/usr/lib/python3.11/threading.py", line 1038 in _bootstrap_inner
  File "/usr/lib/python3.11/threading.py", line 995 in _bootstrap

Current thread 0x00007f0000000002 (most recent call first):
  File "/usr/lib/python3.11/threading.py", line 1590 in _shutdown
"""


def stuck_then_killed() -> Trial:
    """A made-up 3.11 trial: the 1st Ctrl-C is handled but the program stays; SIGTERM ends it."""
    t0 = 10_000 * MS
    trial = Trial(command=["python", "blocked_join.py"], pid=42, python_pid=42)
    trial.interpreter = Interpreter("CPython", "3.11.7", "/usr/bin/python3.11")
    trial.presses = [
        Press("INT", t0, arrival_ns=t0 + 80_000, handler_ns=t0 + 5_200_000),
        Press("TERM", t0 + 2000 * MS, arrival_ns=None, handler_ns=None, ended_it=True),
    ]
    trial.exit_ns = t0 + 2000 * MS + 1_500_000
    trial.exit_signal = "SIGTERM"
    trial.stacks, trial.stacks_source = FAULTHANDLER_DUMP, "faulthandler"
    trial.events = [Event(STACKS, t0 + 2000 * MS - 10 * MS, 42, {"source": "faulthandler"})]
    return trial


def recording() -> Console:
    return Console(width=110, record=True, file=io.StringIO())


def rendered(renderable) -> str:
    console = recording()
    console.print(renderable)
    return console.export_text()


def rendered_probe(trials) -> str:
    console = recording()
    pictures.render_probe(console, trials)
    return console.export_text()


def test_timeline_marks_each_press_and_the_exit_on_a_log_axis():
    text = rendered(pictures.timeline(stuck_then_killed()))
    lanes = {line.split()[0] + " " + line.split()[1]: line for line in text.splitlines()
             if line[:1].isdigit()}
    assert set(lanes) == {"1 Ctrl-C", "2 SIGTERM"}
    first = lanes["1 Ctrl-C"]
    assert first.index(pictures.SENT) < first.index(pictures.ARRIVAL) < first.index(
        pictures.HANDLER)
    assert "┄" in first  # still running when the next press came
    assert pictures.EXIT in lanes["2 SIGTERM"]
    assert "C handler +80 µs · Python handler +5.20 ms · still running at the next press" in text
    assert "exit +1.50 ms" in text
    for decade in ("10µs", "1ms", "1s"):
        assert decade in text


def test_thread_lanes_come_from_the_stack_snapshot_main_first():
    text = rendered(pictures.timeline(stuck_then_killed()))
    lanes = [line for line in text.splitlines() if pictures.SNAPSHOT in line and "─" in line]
    assert lanes[0].startswith("main") and "_shutdown (threading.py:1590)" in lanes[0]
    assert "serve (blocked_join.py:49)" in lanes[1]


def test_histogram_counts_every_value_and_quotes_percentiles():
    values = [100.0] * 5 + [5000.0] * 14 + [40_000.0]
    text = rendered(pictures.latency_histogram(values, "sent → Python handler"))
    counts = [int(line.split()[-1]) for line in text.splitlines() if "…" in line]
    assert sum(counts) == len(values)
    assert "█" in text
    assert "p50 5.00 ms · p95" in text


def test_bar_chart_scales_bars_and_draws_the_p95_tail():
    rows = [pictures.BarRow("idle", 100.0, "a"), pictures.BarRow("busy", 5000.0, "b", high=20000.0)]
    lines = rendered(pictures.bar_chart(rows, width=60, log=True)).splitlines()
    assert lines[0].count("█") < lines[1].count("█")
    assert "╌" in lines[1] and lines[1].rstrip().endswith("b")


def test_a_real_probe_renders_with_every_marker():
    python = require("3.11")
    idle = scenarios.get("idle")
    trial = probe(ProbeOptions(idle.command(python), expect=idle.ready, deadline=2.0))
    text = rendered_probe([trial])
    for marker in (pictures.SENT, pictures.ARRIVAL, pictures.HANDLER, pictures.EXIT):
        assert marker in text


def test_many_trials_add_histograms():
    text = rendered_probe([stuck_then_killed(), stuck_then_killed()])
    assert "sent → Python handler  (2 trials, log bins)" in text


@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib is not installed: pip install '.[plot]'")
def test_plot_writes_a_valid_svg(tmp_path: Path):
    out = tmp_path / "trial.svg"
    plots.save_probe([stuck_then_killed(), stuck_then_killed()], out)
    root = ElementTree.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Python handler" in out.read_text()


def test_plot_suffix_and_folder_are_checked_first(tmp_path: Path):
    with pytest.raises(UsageError, match="svg"):
        plots.check(tmp_path / "trial.txt")
    with pytest.raises(UsageError, match="does not exist"):
        plots.check(tmp_path / "missing" / "trial.svg")


def test_without_matplotlib_plot_exits_2_with_one_line(tmp_path: Path):
    """matplotlib hidden from the import system: the path a user without the extra takes."""
    hide = "import sys; sys.modules['matplotlib'] = None; "
    run = "from sigkit.cli import main; sys.argv = ['sigkit'] + sys.argv[1:]; main()"
    done = subprocess.run(
        [sys.executable, "-c", hide + run, "lab", "gil", "--n", "1", "--plot",
         str(tmp_path / "gil.svg")],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "sigkit: error: --plot needs matplotlib: pip install 'sigkit[plot]'"
    )
    assert not (tmp_path / "gil.svg").exists()


def test_bar_chart_survives_zero_values_on_a_log_scale():
    text = rendered(pictures.bar_chart([pictures.BarRow("none", 0.0, "0 µs")], width=40, log=True))
    assert text.startswith("none ") and text.rstrip().endswith("0 µs")


def test_a_trial_without_presses_says_so_in_both_pictures(tmp_path: Path):
    trial = Trial(command=["python", "quits.py"], pid=7, problem="exited-before-interrupt")
    assert "No signal was sent: exited-before-interrupt" in rendered_probe([trial])
    if HAS_MATPLOTLIB:
        plots.save_probe([trial], tmp_path / "none.svg")
        assert "No signal was sent" in (tmp_path / "none.svg").read_text()
