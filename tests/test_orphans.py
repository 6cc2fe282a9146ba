"""Descendants that hide from a sweep: found through the process tree (sigkit is a child
subreaper), killed until a rescan finds none, and reported — never "none" by default."""

from __future__ import annotations

import contextlib
import os
import time
import uuid

import psutil
import pytest
from programs import carrying, path

from sigkit import orphans


@pytest.mark.parametrize("program", ["env_clearing_daemon", "pid_hopping_daemon"])
def test_hostile_daemons_are_found_killed_and_reported(sigkit, py311, program):
    token = uuid.uuid4().hex
    done = sigkit("probe", "--expect", "ready", "--deadline", "0.5", "--interval", "0.3", "--",
                  py311, path(program), token)
    time.sleep(0.2)  # a hopper that survived would have hopped by now
    assert not carrying(token), done.stdout
    assert "Orphans (killed by sigkit):" in done.stdout
    assert "Orphans: none" not in done.stdout
    assert "Traceback" not in done.stderr


def test_an_empty_orphan_report_says_what_was_looked_at(sigkit, py311):
    done = sigkit("probe", "--after", "0.2", "--", py311, "-c", "import time; time.sleep(30)")
    assert "Orphans: none found (looked for: descendants re-parented to sigkit (child " \
           "subreaper) and the run's token)" in done.stdout


def test_the_subreaper_state_is_restored_and_adopted_zombies_reaped(py311):
    """In-process: the probe turns the subreaper on for the run only, and leaves no zombie."""
    from sigkit.launch import ProbeOptions, probe

    assert orphans.set_subreaper(False)  # the test session keeps it on: start from off
    try:
        trial = probe(ProbeOptions([py311, path("pid_hopping_daemon"), uuid.uuid4().hex],
                                   expect="ready", deadline=0.5, interval=0.3))
        assert not orphans.is_subreaper()
        assert trial.orphans and trial.orphans_seen_by == orphans.SEEN_BY_SUBREAPER
        zombies = [child for child in psutil.Process().children()
                   if child.status() == psutil.STATUS_ZOMBIE
                   and os.getsid(child.pid) != os.getsid(0)]
        assert zombies == []
    finally:
        orphans.set_subreaper(True)


def test_without_a_subreaper_the_report_says_how_little_it_saw(monkeypatch, py311):
    """A kernel that refuses PR_SET_CHILD_SUBREAPER: the token is all there is, and the
    report and the check budget say so instead of a bare "none"."""
    from sigkit.checks.budgets import _orphans
    from sigkit.launch import ProbeOptions, probe

    monkeypatch.setattr(orphans, "is_subreaper", lambda: False)
    monkeypatch.setattr(orphans, "set_subreaper", lambda enabled: False)
    trial = probe(ProbeOptions([py311, "-c", "import time; time.sleep(30)"], after=0.2))
    assert trial.orphans == [] and trial.orphans_seen_by == orphans.SEEN_BY_TOKEN
    assert "would not be seen" in trial.orphans_seen_by
    assert _orphans([trial]).measured == "none found (by environment token only)"


def test_an_interrupt_inside_the_spawn_leaves_no_target(monkeypatch, py311):
    """Ctrl-C after the fork but before the spawn returned: no child object, yet the target
    runs; the tear-down finds it by its token and kills it."""
    import pexpect

    from sigkit import launch, target

    spawned = []
    real_spawn = pexpect.spawn

    def spawn_then_interrupted(*args, **kwargs):
        spawned.append(real_spawn(*args, **kwargs))  # kept: its finaliser would kill the child
        raise KeyboardInterrupt

    monkeypatch.setattr(target.pexpect, "spawn", spawn_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        launch.probe(launch.ProbeOptions([py311, "-c", "import time; time.sleep(30)"]))
    (child,) = spawned
    try:
        target = psutil.Process(child.pid)
        assert not target.is_running() or target.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        pass  # killed and already reaped
    finally:  # sigkit reaped it already: pexpect's own wait can only fail; close its pty
        with contextlib.suppress(pexpect.ExceptionPexpect):
            child.close(force=True)
