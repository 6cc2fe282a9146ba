"""The two ways a sigkit command fails without a result, each one line on stderr.

``UsageError`` (exit 2): the user asked for something impossible -- the command is not found or
not executable, an option or a config value is wrong.  ``CouldNotMeasure`` (exit 3): the input
was fine but sigkit could not set up the measurement -- no pty could be allocated, the probe
socket could not be bound, the process table or file descriptors ran out.  Keeping them apart
tells a user whether to fix their command line or their machine, and keeps a broken measurement
from ever being reported as a finding about the program.
"""


class UsageError(Exception):
    """Bad input (missing command, unknown scenario, unreadable file...). The message is the line shown."""


class CouldNotMeasure(Exception):
    """sigkit's own set-up failed (pty, socket, fork), not the user's input.  The message is shown."""
