"""A Flask app (``flask --app flask_slow_request run``) with a slow endpoint."""

import os
import time

from flask import Flask

SLOW = float(os.environ.get("SIGKIT_SLOW", "15"))
app = Flask(__name__)


@app.route("/")
def index():
    return "ok\n"


@app.route("/slow")
def slow():
    print("slow request in flight", flush=True)
    time.sleep(SLOW)
    return "done\n"
