"""The linter never crashes: not on the whole standard library, not on generated programs,
not on arbitrary text or bytes."""

from __future__ import annotations

import ast
import sysconfig

from hypothesis import given, settings
from hypothesis import strategies as st

from sigkit.lint import discover, lint_files, lint_source, select
from sigkit.lint.catalog import EVERYTHING

ALL_RULES = select().rules
KNOWN_CODES = {entry.code for entry in EVERYTHING}
DELIBERATELY_INVALID = ("/tests/data/", "/tokenizedata/", "badsyntax", "bad_coding")


def test_whole_standard_library() -> None:
    """Every file of this interpreter's Lib/ (site-packages aside) in one run, on every core;
    the only syntax errors are CPython's own test data written to be invalid.  (How long it
    takes is benchmarks/bench_lint.py's figure, not a test's.)"""
    files = discover([sysconfig.get_path("stdlib")], ["site-packages"])
    run = lint_files(files, select())
    assert run.files_checked == len(files) > 1000
    unparsable = [f.path for f in run.findings if f.code == "SK000"]
    assert unparsable, "CPython ships files that do not parse on purpose"
    assert all(any(part in path for part in DELIBERATELY_INVALID) for path in unparsable)
    assert {finding.code for finding in run.findings} <= KNOWN_CODES


# Random but valid programs, assembled from the fragments the rules look for. A statement is
# a list of lines; compound statements indent the statements they hold.
EXPRESSIONS = st.sampled_from([
    "True", "1", "None", "x", "f()", "time.sleep(1)", "stop.is_set()", "not stop.is_set()",
    "signal.SIGINT", "signal.SIG_IGN", "lambda signum, frame: None", "self.t",
    "threading.Thread(target=worker)", "threading.Thread(target=self.run, daemon=True)",
    "[threading.Thread(target=worker) for _ in range(3)]", "multiprocessing.Pool(2)",
    "multiprocessing.Pool(2, initializer=worker)", "ThreadPoolExecutor(4)", "ex.submit(f, x)",
    "itertools.count()", "-1 in itertools.count()", "list(itertools.repeat(x))",
    "multiprocessing.get_context().Pool()", "threads", "type(self).worker", "(yield x)",
])
TARGETS = st.sampled_from(["x", "t", "stop", "threads", "self.t", "ex", "pool", "t.daemon"])
CLAUSES = st.sampled_from(["", " BaseException", " KeyboardInterrupt", " Exception",
                           " (ValueError, BaseException) as e", " KeyboardInterrupt as e"])
NAMES = st.sampled_from(["worker", "run", "main", "handler"])


def _simple() -> st.SearchStrategy[list[str]]:
    return st.one_of(
        st.just(["pass"]), st.just(["break"]), st.just(["return"]), st.just(["raise"]),
        st.just(["t.join()"]), st.just(["t.start()"]), st.just(["sys.exit(1)"]),
        st.just(["import signal as sig"]), st.just(["from threading import Thread"]),
        st.builds(lambda target, value: [f"{target} = {value}"], TARGETS, EXPRESSIONS),
        st.builds(lambda value: [f"signal.signal(signal.SIGINT, {value})"], EXPRESSIONS),
        st.builds(lambda value: [f"threads.append({value})"], EXPRESSIONS),
        st.builds(lambda value: [value], EXPRESSIONS),
    )


def _indented(body: list[list[str]]) -> list[str]:
    return ["    " + line for statement in body for line in statement]


def _compound(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    body = st.lists(children, min_size=1, max_size=3)
    return st.one_of(
        st.builds(lambda test, b: [f"while {test}:", *_indented(b)], EXPRESSIONS, body),
        st.builds(lambda target, b: [f"for {target} in threads:", *_indented(b)], TARGETS, body),
        st.builds(lambda b, clause, h: ["try:", *_indented(b), f"except{clause}:",
                                        *_indented(h)], body, CLAUSES, body),
        st.builds(lambda name, b: [f"def {name}(self=None):", *_indented(b)], NAMES, body),
        st.builds(lambda name, b: [f"async def {name}():", *_indented(b)], NAMES, body),
        st.builds(lambda b: ["class Worker(threading.Thread):", *_indented(b)], body),
        st.builds(lambda b: ["with ThreadPoolExecutor() as ex:", *_indented(b)], body),
        st.builds(lambda b, o: ["if x:", *_indented(b), "else:", *_indented(o)], body, body),
    )


STATEMENTS = st.recursive(_simple(), _compound, max_leaves=25)
HEADER = ("import signal, sys, threading, time, itertools, multiprocessing\n"
          "from concurrent.futures import ThreadPoolExecutor\n")
PROGRAMS = st.lists(STATEMENTS, min_size=1, max_size=6).map(
    lambda statements: HEADER + "\n".join(line for s in statements for line in s) + "\n")


def assert_well_formed(source: str | bytes) -> None:
    lines = max(len(source.splitlines()), 1)
    for finding in lint_source(source, "generated.py", ALL_RULES):
        assert finding.code in KNOWN_CODES
        assert 1 <= finding.line <= lines + 1 and finding.col >= 1
        assert finding.message


@settings(max_examples=150, deadline=None)
@given(PROGRAMS)
def test_generated_programs(source: str) -> None:
    ast.parse(source)  # the strategy itself makes valid programs...
    findings = lint_source(source, "generated.py", ALL_RULES)
    assert "SK000" not in {finding.code for finding in findings}  # ...and they are linted
    assert_well_formed(source)


@settings(max_examples=100, deadline=None)
@given(PROGRAMS, st.integers(min_value=0), st.integers(min_value=1, max_value=12))
def test_generated_programs_with_a_piece_cut_out(source: str, start: int, length: int) -> None:
    """Nearly valid code: the usual state of a file being edited."""
    start %= len(source)
    assert_well_formed(source[:start] + source[start + length:])


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_arbitrary_text(source: str) -> None:
    assert_well_formed(source)


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_arbitrary_bytes(source: bytes) -> None:
    assert_well_formed(source)


def test_absurdly_deep_code_is_reported_not_crashed_on() -> None:
    deep_sum = "x = " + " + ".join(["a"] * 100_000) + "\n"
    [finding] = lint_source(deep_sum, "deep.py", ALL_RULES)
    assert finding.code == "SK000"
    deep_target = "import threading\nthreading.Thread(target=" + "-" * 2000 + "x)\n"
    assert lint_source(deep_target, "deep.py", ALL_RULES) == []
