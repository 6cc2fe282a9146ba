"""The teaching lab: small, repeatable experiments behind the facts sigkit's diagnoses rely on.

Each experiment runs a tiny program (``programs/``, Python 2.7-compatible so the old GIL can be
compared with the new one) under one or more interpreters, and returns plain result objects;
the CLI turns them into tables, terminal charts and plots.
"""
