"""Ctrl-C regression checks: a config of commands and budgets, run as probes, judged pass/fail.

``config`` reads and validates ``[tool.sigkit]``; ``runner`` turns checks into probes;
``budgets`` judges the trials.  Reporters live in ``sigkit.report``.
"""
