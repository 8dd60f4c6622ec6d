"""A stimulus written as a SimPy generator: a sinusoidal current, checked against its formula.

``SineCurrent`` is a user actor (:class:`eventsim.Actor`): its ``run`` sets
the current it injects, ``offset + amplitude sin(2 pi frequency t)``, every
``dt`` ms and sleeps in between (``yield self.timeout(dt)``).  A current set
at time t reaches the neuron at t + delay and holds until the next one, as a
step_current_generator's amplitude does.  The script connects it to a
glif_cond neuron, records the neuron's input current ``I`` and ``V_m`` and
checks every sample of ``I`` against the formula evaluated at the sample's
time minus the delay (to the last bit); it exits with an error otherwise.

Output, in the folder ``--out`` (default ``out/``): ``custom_stimulus.png``
(I and V_m over time) and ``custom_stimulus.nc`` (the recordings).

Run::

    python examples/custom_stimulus.py [--out DIR] [--show]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import eventsim as nest
from eventsim.recording import check_writable

DELAY = 0.5                  # ms, stimulus -> neuron
T_END = 300.0                # ms


class SineCurrent(nest.Actor, model="sine_current"):
    """Injects offset + amplitude sin(2 pi frequency t) (pA), updated every dt ms."""

    defaults = {"amplitude": 150.0, "offset": 100.0, "frequency": 10.0, "dt": 0.1}
    units = {"amplitude": "pA", "offset": "pA", "frequency": "Hz", "dt": "ms"}
    emits = "current"
    element_type = "stimulator"
    spike_ports = ()

    def run(self):
        p = self.params
        while True:
            self.send_current(sine(p, self.now))
            yield self.timeout(p["dt"])


def sine(p, t_ms):
    """The stimulus formula (pA) at `t_ms` (ms)."""
    return p["offset"] + p["amplitude"] * np.sin(2.0 * np.pi * p["frequency"] * t_ms / 1000.0)


def run():
    """Simulate; return the multimeter's events and the stimulus parameters."""
    nest.ResetKernel()
    nest.resolution = 0.1
    stimulus = nest.Create("sine_current", params={"frequency": 20.0})
    neuron = nest.Create("glif_cond")
    mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["I", "V_m"], "label": "neuron"})
    nest.Connect(stimulus, neuron, syn_spec={"delay": DELAY})
    nest.Connect(mm, neuron)
    nest.Simulate(T_END)
    return mm.events, stimulus.get()


def check(events, p):
    """Largest deviation (pA) of the recorded I from the formula at the sample time minus the delay."""
    kernel = nest.get_kernel()
    steps = np.round(events["times"] / kernel.resolution).astype(np.int64) - kernel.ms_to_steps(DELAY)
    expected = np.array([sine(p, kernel.steps_to_ms(int(s))) if s >= 0 else 0.0 for s in steps])
    return float(np.max(np.abs(events["I"] - expected)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="out/", help="output folder (default: out/)")
    parser.add_argument("--show", action="store_true", help="open the figure in a window")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    nc_path, png_path = out / "custom_stimulus.nc", out / "custom_stimulus.png"
    check_writable(nc_path)
    events, p = run()
    nest.save_recordings(nc_path)
    deviation = check(events, p)
    print(f"largest deviation of I from the formula: {deviation:g} pA over {len(events['I'])} samples")
    if not args.show:
        import matplotlib
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax_i, ax_v) = plt.subplots(2, 1, sharex=True, figsize=(8, 4.5))
    ax_i.plot(events["times"], events["I"], lw=0.8)
    ax_i.set_ylabel("I (pA)")
    ax_v.plot(events["times"], events["V_m"], lw=0.8)
    ax_v.set_ylabel("V_m (mV)")
    ax_v.set_xlabel("time (ms)")
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    print(f"recordings: {nc_path}")
    print(f"figure: {png_path}")
    if args.show:
        plt.show()
    if deviation != 0.0:
        sys.exit(f"the recorded current differs from the formula by {deviation} pA")


if __name__ == "__main__":
    main()
