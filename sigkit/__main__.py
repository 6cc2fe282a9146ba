"""``python -m sigkit`` is the ``sigkit`` command."""

from sigkit.cli import main

main()
