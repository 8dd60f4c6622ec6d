"""Child process of the concurrency tests: stream the fault network to a folder for a long time.

``python streaming_child.py FOLDER FIRST_MS [SECOND_MS]`` runs ``Simulate(FIRST_MS)`` (if > 0), prints
``committed``, then prints ``running`` and runs ``Simulate(SECOND_MS)``; by default far longer than any test
waits, and the test kills it.
"""

import sys
from pathlib import Path

import eventsim as nest
import eventsim.recorders.base
from fault_network import build

if __name__ == "__main__":
    folder, first = Path(sys.argv[1]), float(sys.argv[2])
    second = float(sys.argv[3]) if len(sys.argv) > 3 else 1e6
    eventsim.recorders.base.STREAM_BUFFER_BYTES = 2000
    build(folder)
    if first > 0:
        nest.Simulate(first)
        print("committed", flush=True)
    print("running", flush=True)
    nest.Simulate(second)
