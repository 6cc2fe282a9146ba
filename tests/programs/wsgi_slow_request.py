"""A WSGI app (run it under gunicorn or flask) whose /slow endpoint takes SIGKIT_SLOW seconds."""

import os
import time

SLOW = float(os.environ.get("SIGKIT_SLOW", "15"))


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/slow":
        print("slow request in flight", flush=True)
        time.sleep(SLOW)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"done\n"]
