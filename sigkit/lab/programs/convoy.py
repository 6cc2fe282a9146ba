"""An I/O-bound echo thread beside N CPU-bound threads (the convoy of Beazley's GIL talk).

Run by each interpreter under study (2.7 too).  The parent hands over one end of a socket pair
as ``--fd``; an echo thread blocks in ``recv`` (without the GIL), and each byte it receives needs
the GIL back before it can be sent back.  The parent times those round trips::

    python convoy.py --fd 5 --threads 2 [--switch-interval 0.005]

Prints ``ready`` once the threads run; exits when the parent closes its end.
"""
# ruff: noqa: UP010  (this program also runs on Python 2.7)
from __future__ import print_function

import socket
import sys
import threading


def count_forever():
    while True:
        n = 100000
        while n > 0:
            n -= 1


def echo(sock):
    while True:
        data = sock.recv(64)
        if not data:
            return
        sock.sendall(data)


def main(argv):
    fd, threads, interval = None, 0, None
    args = list(argv)
    while args:
        flag = args.pop(0)
        if flag == "--fd":
            fd = int(args.pop(0))
        elif flag == "--threads":
            threads = int(args.pop(0))
        elif flag == "--switch-interval":
            interval = float(args.pop(0))
        else:
            print("usage: convoy.py --fd FD [--threads N] [--switch-interval S]", file=sys.stderr)
            return 2
    if fd is None:
        print("convoy.py: --fd is required", file=sys.stderr)
        return 2
    if interval is not None and hasattr(sys, "setswitchinterval"):
        sys.setswitchinterval(interval)
    sock = socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(threads):
        worker = threading.Thread(target=count_forever)
        worker.daemon = True  # the process ends with the echo thread
        worker.start()
    echoer = threading.Thread(target=echo, args=(sock,))
    echoer.start()
    print("ready")
    sys.stdout.flush()
    echoer.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
