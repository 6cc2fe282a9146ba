"""sigkit's teaching scenarios: plain scripts, run them with ``python scenarios/NAME.py [--fixed]``.

This file only lets the scripts travel inside sigkit's wheel; nothing imports the scripts.
"""
