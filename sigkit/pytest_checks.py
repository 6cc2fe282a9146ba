"""``pytest --sigkit-checks``: every check of ``[tool.sigkit]`` / ``sigkit.toml`` as a test item.

A project's Ctrl-C budgets then run under the reporting its suite already has (JUnit XML, ``-k``,
``--lf``, ``-m sigkit_check`` for the checks alone) and spread over cores or hosts with
pytest-xdist: each case (a check, or a check on one interpreter) is one item, so xdist can send
``join[3.9]`` and ``join[3.11]`` to different workers. An item fails with the budget report
``sigkit check`` prints, and warns when a latency budget was judged on an overloaded machine.

The checks are added to whatever else pytest collected; the config is the one ``sigkit check``
would read from pytest's rootdir (``--sigkit-config FILE`` names another).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MARKER = "sigkit_check"


class SigkitLoadWarning(UserWarning):
    """A latency budget was judged while the machine had more runnable work than CPUs."""


class BudgetBreached(Exception):
    """A check's budget failed; the item's failure text is the budget report."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sigkit", "sigkit Ctrl-C checks")
    group.addoption("--sigkit-checks", action="store_true", default=False,
                    help="collect every [[tool.sigkit.check]] (or sigkit.toml) entry as a test "
                         "item, marked sigkit_check")
    group.addoption("--sigkit-config", metavar="FILE", default=None,
                    help="the checks' config (default: sigkit.toml, else pyproject.toml with "
                         "[tool.sigkit], in the rootdir)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: a Ctrl-C check from [tool.sigkit] or sigkit.toml (--sigkit-checks)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Adds the checks before ``-k``, ``-m`` and ``--lf`` filter the collection."""
    if not config.getoption("sigkit_checks"):
        return
    path = _config_path(config)
    checks = ChecksFile.from_parent(session, path=path, cases=_plan(path))
    # Through the collection hooks, as pytest collects a file: the terminal counts the items,
    # xdist and --co see them like any other.
    session.ihook.pytest_collectstart(collector=checks)
    report = session.ihook.pytest_make_collect_report(collector=checks)
    session.ihook.pytest_collectreport(report=report)
    items.extend(node for node in report.result if isinstance(node, pytest.Item))


def _config_path(config: pytest.Config) -> Path:
    from sigkit.checks.config import discover
    from sigkit.errors import UsageError

    named = config.getoption("sigkit_config")
    if named is not None:
        path = Path(named)
        if not path.is_file():
            raise pytest.UsageError(f"--sigkit-config: file not found: {named}")
        return path.resolve()
    try:
        return discover(config.rootpath)
    except UsageError as error:
        raise pytest.UsageError(f"--sigkit-checks: {error}") from None


def _plan(path: Path) -> list[Any]:
    """Every case, checked up front like ``sigkit check`` does: a bad config stops the run
    with one line (exit 4) before any probe starts."""
    from sigkit.checks import config, runner
    from sigkit.errors import UsageError

    try:
        return runner.plan(config.load(path))
    except UsageError as error:
        raise pytest.UsageError(f"--sigkit-checks: {error}") from None


class ChecksFile(pytest.File):
    """The config file; its children are the cases ``sigkit check`` would run, in order."""

    def __init__(self, *, cases: list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cases = cases

    def collect(self) -> Iterator[pytest.Item]:
        for case in self.cases:
            item = CheckItem.from_parent(self, name=case.label, case=case)
            item.add_marker(MARKER)
            yield item


class CheckItem(pytest.Item):
    """One case: its trials, judged against its budgets."""

    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from sigkit.checks.runner import run_case

        result = run_case(self.case)
        if result.load is not None:
            self.user_properties.append(("machine_load", result.load.to_dict()))
        if result.load_warning:
            warnings.warn(SigkitLoadWarning(result.load_warning), stacklevel=1)
        if not result.passed:
            raise BudgetBreached(_report(result))
        self.add_report_section("call", "sigkit check", _report(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, BudgetBreached):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"sigkit check {self.case.label}"


def _report(result: Any) -> str:
    from rich.console import Console

    from sigkit.report.checks_text import render_case

    buffer = io.StringIO()
    render_case(Console(file=buffer, width=120, no_color=True, highlight=False), result)
    return buffer.getvalue()
