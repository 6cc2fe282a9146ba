"""Developer sessions: ``nox -s tests lint types docs`` (and ``matrix`` / ``bench`` on demand)."""

import nox

nox.options.sessions = ["tests", "lint", "types"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The default test run: what the README and CI run."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", "sigkit", "tests", "benchmarks", "noxfile.py")


@nox.session
def types(session: nox.Session) -> None:
    session.install("-e", ".", "mypy", "types-psutil")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site in strict mode, with the CLI reference regenerated from the code.

    The real runs the pages show are re-measured only on request (``nox -s docs -- --runs``,
    minutes): they change on every run, and a docs build must not dirty the checkout.
    """
    session.install("-e", ".[docs,plot]")
    session.run("python", "docs/generate.py", *session.posargs)
    session.run("mkdocs", "build", "--strict")


@nox.session
def matrix(session: nox.Session) -> None:
    """Every scenario, broken and fixed, on every installed interpreter (slow)."""
    session.install("-e", ".")
    session.run("sigkit", "run", "--all", "--python", "2.7,3.6,3.8,3.9,3.11,3.12,3.13,pypy3")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: figures for docs/performance.md (run on demand, never in CI)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/bench_probe.py", *session.posargs)
    session.run("python", "benchmarks/bench_watch.py")


@nox.session
def hostile(session: nox.Session) -> None:
    """The hostile battery: daemons that hide, signals to sigkit, bad inputs (on demand)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/hostile.py", *session.posargs)


@nox.session(name="real-programs")
def real_programs(session: nox.Session) -> None:
    """Real servers and workers stopped as their managers stop them: the truth without sigkit
    against sigkit's verdict (on demand, ~8 min; docs/real-programs.md)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/real_programs.py", *session.posargs)
