"""``sigkit lint`` from the command line: output formats, exit codes, noqa, selection."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from sigkit.cli import register
from sigkit.lint import Finding, lint_files, render, rule_explanations, select
from sigkit.lint.catalog import EVERYTHING

SWALLOW = "try:\n    work()\nexcept:\n    pass\n"
IGNORE_SIGINT = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"


def lint(*args: str) -> tuple[int, str]:
    # A pinned terminal: the rule table would wrap names at the width pytest happens to run in.
    result = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"}).invoke(
        register(["lint"]), ["lint", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_output_is_path_line_col_code_message_then_a_summary(project: Path) -> None:
    (project / "swallow.py").write_text(SWALLOW)
    (project / "clean.py").write_text("print('hi')\n")
    status, out = lint(".")
    lines = out.splitlines()
    assert status == 1
    assert lines[0].startswith("swallow.py:3:1: SK101 bare `except:` catches KeyboardInterrupt")
    assert lines[-1] == "Found 1 finding in 1 of 2 files (SK101: 1)."


def test_clean_run_exits_zero(project: Path) -> None:
    (project / "clean.py").write_text("print('hi')\n")
    assert lint("clean.py") == (0, "No findings in 1 file.\n")


def test_json_output(project: Path) -> None:
    (project / "a.py").write_text(SWALLOW + IGNORE_SIGINT)
    status, out = lint("--format", "json", "a.py")
    document = json.loads(out)
    assert status == 1
    assert document["files_checked"] == 1
    assert document["counts"] == {"SK101": 1, "SK103": 1}
    _, text = lint("a.py")
    text_message = next(line for line in text.splitlines()
                        if line.startswith("a.py:6:1: SK103 ")).removeprefix("a.py:6:1: SK103 ")
    assert "SIGINT" in text_message
    assert document["findings"][1] == {
        "path": "a.py", "line": 6, "col": 1, "code": "SK103", "name": "sigint-ignored",
        "message": text_message,  # the same words as the text format prints
    }


def test_github_output_is_one_workflow_command_per_finding(project: Path) -> None:
    (project / "a.py").write_text(SWALLOW)
    status, out = lint("--format", "github", "a.py")
    assert status == 1
    assert out.startswith("::warning file=a.py,line=3,col=1,title=SK101::bare `except:`")
    assert out.count("\n") == 1


def test_every_format_counts_columns_in_characters(project: Path) -> None:
    """The AST counts UTF-8 bytes (``é`` and ``名`` are 2 and 3); people and editors count
    characters. The hazard starts at character 20 of its line, byte 23."""
    line = "nom = 'é名'; x = 1; signal.signal(signal.SIGINT, signal.SIG_IGN)"
    (project / "accent.py").write_text(f"import signal\n{line}\n", encoding="utf-8")
    column = line.index("signal.signal") + 1
    assert len(line[: column - 1].encode("utf-8")) + 1 != column  # bytes would differ
    _, text = lint("accent.py")
    assert text.startswith(f"accent.py:2:{column}: SK103 ")
    _, out = lint("--format", "json", "accent.py")
    assert json.loads(out)["findings"][0]["col"] == column
    _, out = lint("--format", "github", "accent.py")
    assert out.startswith(f"::warning file=accent.py,line=2,col={column},title=SK103::")
    _, out = lint("--format", "sarif", "accent.py")
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == column


def test_github_output_escapes_what_the_workflow_syntax_reserves() -> None:
    finding = Finding("odd,name:1.py", 1, 1, "SK101", "50% done\nnext")
    assert render([finding], 1, "github") == (
        "::warning file=odd%2Cname%3A1.py,line=1,col=1,title=SK101::50%25 done%0Anext\n")


def test_noqa_with_codes_and_bare(project: Path) -> None:
    (project / "a.py").write_text(
        "try:\n    work()\nexcept:  # noqa: SK101\n    pass\n"
        "try:\n    work()\nexcept:  # NOQA\n    pass\n"
        "try:\n    work()\nexcept:  # noqa: E722 -- another tool's code\n    pass\n"
        "try:\n    work()\nexcept:  # noqa:SK102,SK103\n    pass\n")
    status, out = lint("a.py")
    assert status == 1
    assert [line.split(":")[1] for line in out.splitlines()[:-1]] == ["11", "15"]


@pytest.mark.parametrize("options, expected", [
    ([], ["SK101", "SK103"]),
    (["--select", "SK103"], ["SK103"]),
    (["--select", "sk10"], ["SK101", "SK103"]),
    (["--select", "SK101,SK103"], ["SK101", "SK103"]),
    (["--select", "SK1", "--ignore", "SK101"], ["SK103"]),
    (["--ignore", "SK1"], []),
])
def test_select_and_ignore_take_codes_and_prefixes(project: Path, options: list[str],
                                                    expected: list[str]) -> None:
    (project / "a.py").write_text(SWALLOW + IGNORE_SIGINT)
    status, out = lint(*options, "a.py")
    assert [line.split()[1] for line in out.splitlines()[:-1]] == expected
    assert status == (1 if expected else 0)


def test_syntax_errors_are_reported_and_the_run_goes_on(project: Path) -> None:
    (project / "broken.py").write_text("def f(:\n")
    (project / "swallow.py").write_text(SWALLOW)
    status, out = lint("--select", "SK103", ".")
    assert status == 1
    assert out.splitlines()[0].startswith("broken.py:1:7: SK000 syntax error: ")
    assert out.splitlines()[-1] == "Found 1 finding in 1 of 2 files (SK000: 1)."


def test_unreadable_files_are_reported(project: Path) -> None:
    (project / "gone.py").symlink_to(project / "missing-target.py")
    (project / "swallow.py").write_text(SWALLOW)
    status, out = lint(".")
    assert status == 1
    assert "gone.py:1:1: SK001 cannot read file: No such file or directory" in out
    assert "swallow.py:3:1: SK101" in out


def test_ignoring_file_problems_explicitly(project: Path) -> None:
    (project / "broken.py").write_text("def f(:\n")
    assert lint("--ignore", "SK000", "broken.py")[0] == 0


def test_explain_and_list_rules() -> None:
    status, out = lint("--explain", "sk102")
    assert status == 0
    assert out.startswith("SK102 (interrupt-swallowed-in-loop):")
    assert "Why it matters for Ctrl-C:" in out and "What it cannot see:" in out
    status, out = lint("--list-rules")
    assert status == 0
    assert all(entry.code in out and entry.name in out for entry in EVERYTHING)


def test_rule_explanations_cover_every_code() -> None:
    explanations = rule_explanations()
    assert sorted(explanations) == sorted(entry.code for entry in EVERYTHING)
    for code, text in explanations.items():
        assert text.startswith(code)
        for section in ("Why it matters for Ctrl-C:", "Fix:", "What it cannot see:"):
            assert section in text


def test_the_docs_describe_every_code() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "lint.md").read_text(encoding="utf-8")
    for entry in EVERYTHING:
        if entry.code.startswith("SK1"):
            assert f"### {entry.code} {entry.name}\n" in page
        assert f"| {entry.code} |" in page  # the findings table under Performance


def test_parallel_run_finds_the_same_as_a_serial_one(tmp_path: Path) -> None:
    paths = []
    for number in range(12):
        path = tmp_path / f"m{number}.py"
        path.write_text(SWALLOW * (number % 3) + IGNORE_SIGINT * (number % 2))
        paths.append(str(path))
    serial = lint_files(paths, select(), jobs=1)
    parallel = lint_files(paths, select(), jobs=2)
    assert parallel == serial
    assert len(serial.findings) == 4 * (0 + 1 + 2) + 6


@pytest.mark.parametrize("args, message", [
    (["lint", "no/such/dir"], "sigkit: error: no such file or directory: no/such/dir"),
    (["lint", "--select", "SK9", "."],
     "sigkit: error: unknown rule code or prefix in --select: SK9 "
     "(see `sigkit lint --list-rules`)"),
    (["lint", "--explain", "SK999"],
     "sigkit: error: unknown rule code: SK999 (see `sigkit lint --list-rules`)"),
])
def test_usage_errors_are_one_line_and_exit_2(sigkit, tmp_path: Path, args: list[str],
                                              message: str) -> None:
    result = sigkit(*args, cwd=tmp_path)
    assert (result.returncode, result.stderr, result.stdout) == (2, message + "\n", "")


def test_bad_format_is_a_usage_error(sigkit, tmp_path: Path) -> None:
    result = sigkit("lint", "--format", "xml", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("sigkit: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_findings_exit_1_through_the_real_entry_point(sigkit, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(SWALLOW)
    result = sigkit("lint", "a.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("a.py:3:1: SK101 ")
    assert result.stderr == ""


def test_sigkit_lints_itself_clean() -> None:
    """The linter's own code (and its parallel runner's Ctrl-C handling) passes its rules."""
    sigkit_package = Path(__file__).resolve().parents[1] / "sigkit"
    paths = [*sorted((sigkit_package / "lint").glob("*.py")), sigkit_package / "cli" / "lint.py"]
    run = lint_files([str(path) for path in paths], select())
    assert run.findings == []
    assert run.files_checked >= 10


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP])
def test_lint_jobs_interrupted_stops_its_workers(signum: int) -> None:
    """Ctrl-C (to the whole group, workers included) or a closed terminal, mid-way through the
    standard library on two workers: the pool is stopped, exit 128+n, one line."""
    lint_run = subprocess.Popen(
        [sys.executable, "-m", "sigkit", "lint", "-j", "2", sysconfig.get_path("stdlib")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        give_up = time.monotonic() + 30
        workers: list[psutil.Process] = []
        while not workers and time.monotonic() < give_up and lint_run.poll() is None:
            workers = psutil.Process(lint_run.pid).children()
            time.sleep(0.002)
        assert workers, "the pool never started"
        # As soon as the first worker exists: often while Pool() is still starting the second,
        # the moment its own clean-up does not cover.
        if signum == signal.SIGINT:
            os.killpg(lint_run.pid, signum)  # the terminal's Ctrl-C reaches the whole group
        else:
            os.kill(lint_run.pid, signum)
        _, stderr = lint_run.communicate(timeout=30)
        assert lint_run.returncode == 128 + signum
        assert stderr.strip() == f"sigkit: interrupted by {signal.Signals(signum).name}"
        psutil.wait_procs(workers, timeout=5)
        assert not any(worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE
                       for worker in workers)  # (a later worker would trip the leftover guard)
    finally:
        if lint_run.poll() is None:
            lint_run.kill()
            lint_run.wait()
