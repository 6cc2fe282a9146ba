"""The main thread is inside one long C call (no signal checks) when Ctrl-C comes: the
Python handler waits for the rest of the call, about a second here.  It cannot say
"ready" from inside the call, so the probe presses AFTER["slow.py"] s after its line."""
print("ready", flush=True)
sum(range(10 ** 8))
