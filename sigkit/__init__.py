"""sigkit: why doesn't Ctrl-C kill my program?  Press a real one, measure, diagnose."""

__version__ = "0.1.0"
