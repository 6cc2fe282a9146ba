"""A celery app whose broker is a folder (kombu's filesystem transport): no server to start.

``SIGKIT_CELERY_DIR`` holds the queue; the ``slow`` task sleeps SIGKIT_SLOW seconds, then writes
``done-<id>`` there -- the ground truth for "the task in flight finished".

    celery -A celery_slow_task worker --pool prefork -c 1      # the worker
    python celery_slow_task.py                                 # queue one task
"""

import os
import time

from celery import Celery

FOLDER = os.environ.get("SIGKIT_CELERY_DIR", "/tmp/sigkit-celery")
SLOW = float(os.environ.get("SIGKIT_SLOW", "15"))
for sub in ("queue", "processed"):
    os.makedirs(os.path.join(FOLDER, sub), exist_ok=True)

app = Celery("celery_slow_task", broker="filesystem://")
app.conf.update(
    broker_transport_options={
        "data_folder_in": os.path.join(FOLDER, "queue"),
        "data_folder_out": os.path.join(FOLDER, "queue"),
        "processed_folder": os.path.join(FOLDER, "processed"),
    },
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    task_acks_late=False,
)


@app.task(name="slow")
def slow(tag):
    with open(os.path.join(FOLDER, f"started-{tag}"), "w"):
        pass
    print("slow task in flight", flush=True)
    time.sleep(SLOW)
    with open(os.path.join(FOLDER, f"done-{tag}"), "w"):
        pass
    return tag


if __name__ == "__main__":
    slow.delay("one")
