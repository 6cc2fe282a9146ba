"""The main thread is inside one long C call (no signal checks) when Ctrl-C comes: the
Python handler waits for the rest of the call, about a second here.

The program cannot say "ready" from inside the call (it holds the GIL and checks nothing), so
a helper process says it for it — once the program has spent 100 ms of CPU time since the
helper started, i.e. once it is certainly inside ``sum``, however loaded the machine is.
"""
import os
import subprocess
import sys

WATCH = """
import os, sys, time
def cpu_ticks(pid):
    with open("/proc/%s/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
pid = int(sys.argv[1])
start = cpu_ticks(pid)
while cpu_ticks(pid) - start < os.sysconf("SC_CLK_TCK") // 10:
    time.sleep(0.005)
print("ready", flush=True)
"""

subprocess.Popen([sys.executable, "-c", WATCH, str(os.getpid())])
sum(range(10 ** 8))
