"""Threads that each drive a Kernel of their own may create their first model at the same moment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter (models not loaded yet), two threads create a glif_cond on their own kernels
# at once: both look up the model while the first one is still importing eventsim's models.
TWO_THREADS = """
import threading
from eventsim.kernel import Kernel
start, errors, sizes = threading.Barrier(2), [], []
def first_create():
    start.wait()
    try:
        sizes.append(len(Kernel().create("glif_cond", 3)))
    except Exception as err:
        errors.append(repr(err))
threads = [threading.Thread(target=first_create) for _ in range(2)]
for t in threads: t.start()
for t in threads: t.join()
print(errors, sizes)
"""


def test_two_threads_creating_their_first_model_at_once_both_succeed():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH")] if p)}
    done = subprocess.run([sys.executable, "-c", TWO_THREADS], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "[] [3, 3]", done.stdout + done.stderr
