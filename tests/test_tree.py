"""A look at the whole tree: each process's own stacks, whatever way sigkit had to get them."""

from __future__ import annotations

import programs

from sigkit import stacks
from sigkit.launch import ProbeOptions, probe


def functions(dump) -> set[str]:
    return {f.function for t in stacks.parse(dump.text, dump.source) for f in t.frames}


def test_every_process_of_the_tree_gets_its_own_stacks(py311):
    trial = probe(ProbeOptions([py311, programs.path("tree_ignores_sigint")], expect="ready",
                               deadline=1.0, ladder=("INT", "KILL")))
    assert trial.verdict == "kill"  # the whole tree ignores Ctrl-C: ground truth for a look
    look = trial.looks[-1]
    by_function = {}
    for dump in look.stacks:
        assert dump.text, dump.note
        for name in ("parent_waits", "forked_child_waits", "no_probe_waits"):
            if name in functions(dump):
                by_function.setdefault(name, []).append((dump.pid, dump.source))
    # one process each, and never another's frames (a forked child appends to its parent's file)
    assert set(by_function) == {"parent_waits", "forked_child_waits", "no_probe_waits"}, by_function
    assert all(len(found) == 1 for found in by_function.values()), by_function
    assert by_function["parent_waits"][0] == (trial.pid, "faulthandler")
    assert by_function["forked_child_waits"][0][1] == "faulthandler"  # inherited registration
    assert by_function["no_probe_waits"][0][1] == "py-spy"  # -I: no probe, so py-spy read it
