"""The code sigkit loads *inside* a Python target (see ``sitecustomize.py`` beside this file).

Only ``INJECT_DIR`` lives here: sigkit puts that folder first on the target's PYTHONPATH.
The folder must hold nothing else importable, or it would shadow the target's own modules.
"""

import os

INJECT_DIR = os.path.dirname(os.path.abspath(__file__))
