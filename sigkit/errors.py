"""Errors that mean "the user asked for something impossible": one line on stderr, exit 2."""


class UsageError(Exception):
    """Bad input (missing command, unknown scenario, unreadable file...). The message is the line shown."""
