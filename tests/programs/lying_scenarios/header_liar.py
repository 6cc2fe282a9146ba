"""A scenario whose header promises what the program does not do.

name: header-liar
summary: sleeps and ends on the first Ctrl-C, though its header says it needs two
teaches: Nothing: it checks that sigkit run compares a run with its header.
behaviour:
    3.8+      ends on the first Ctrl-C.
fix: Correct the header.
expect-broken: *=presses=2
expect-fixed: *=ki
ready: ^ready
"""
import time

print("ready", flush=True)
time.sleep(30)
