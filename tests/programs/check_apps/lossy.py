"""Ctrl-C interrupts join(); on 3.9-3.12 the interpreter then exits without waiting for the
non-daemon worker, whose work is lost.  The worker says "ready": main is in join() by then."""
import threading
import time


def work():
    time.sleep(0.1)
    print("ready", flush=True)
    while True:
        time.sleep(0.05)
worker = threading.Thread(target=work, name="worker")
worker.start()
worker.join()
