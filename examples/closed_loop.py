"""Closed loop: a PI controller actor holds a glif_cond neuron's firing rate at a target.

The controller is a user actor (:class:`eventsim.Actor`) written in this
script: every ``interval`` ms it counts the spikes the neuron fired in the
interval, compares the rate with ``target_rate`` and sets the current it
injects into the neuron, I = I0 + Kp e + Ki sum(e dt), with e = target - rate.
The neuron (level lif_r_asc_a) also receives Poisson background input, so its
rate fluctuates; the target steps from 20 Hz to 40 Hz at 1 s (set between two
``Simulate`` calls, as in a PyNEST script).

The neuron's spikes reach the controller with delay h (the resolution), so the
controller acts one step after each interval; its current reaches the neuron
with delay 2 ms (the neuron advances in chunks of that delay).

Output, in the folder ``--out`` (default ``out/``):

* ``closed_loop.nc``: the recordings (spike recorder, multimeter of V_m and I)
  and the controller's own record (group ``controller``: rate estimate, target
  and current per interval), one netCDF file; read it with
  ``xarray.open_datatree``;
* ``closed_loop.png``: rate and current over time.

Run::

    python examples/closed_loop.py [--out DIR] [--show]
"""

import argparse
from pathlib import Path

import numpy as np
import xarray as xr

import eventsim as nest
from eventsim.recording import check_writable

T_SWITCH = 1000.0            # ms: the target changes here
T_END = 2000.0               # ms


class RateController(nest.Actor, model="rate_controller"):
    """PI controller of a neuron's firing rate from its spike counts; injects a held current (pA)."""

    defaults = {"target_rate": 20.0, "interval": 25.0, "Kp": 1.0, "Ki": 30.0, "I0": 100.0}
    units = {"target_rate": "Hz", "interval": "ms", "Kp": "pA/Hz", "Ki": "pA/(Hz s)", "I0": "pA"}
    emits = "current"

    def run(self):
        integral = 0.0
        self.record = {"time": [], "rate": [], "target": [], "current": []}
        yield self.timeout(self.kernel.resolution)          # act one step after each interval
        while True:
            p = self.params                   # read anew: set() between two Simulate calls replaces it
            yield self.timeout(p["interval"])
            count = sum(int(m.multiplicities.sum()) for m in self.received())
            rate = count / (p["interval"] / 1000.0)
            error = p["target_rate"] - rate
            integral += error * p["interval"] / 1000.0
            current = p["I0"] + p["Kp"] * error + p["Ki"] * integral
            self.send_current(current)
            for key, value in (("time", self.now), ("rate", rate), ("target", p["target_rate"]),
                               ("current", current)):
                self.record[key].append(value)


def controller_dataset(record):
    """The controller's record as an xarray Dataset along ``time`` (ms)."""
    units = {"rate": "Hz", "target": "Hz", "current": "pA"}
    return xr.Dataset({k: ("time", np.asarray(record[k]), {"units": u}) for k, u in units.items()},
                      coords={"time": ("time", np.asarray(record["time"]), {"units": "ms"})})


def run():
    """Build and simulate the loop; return the recordings (DataTree) with the controller's record."""
    nest.ResetKernel()
    nest.resolution = 0.1
    nest.rng_seed = 1234
    neuron = nest.Create("glif_cond", params={"spike_dependent_threshold": True, "after_spike_currents": True,
                                              "adapting_threshold": True})
    noise = nest.Create("poisson_generator", params={"rate": 2000.0})
    controller = nest.Create("rate_controller")
    sr = nest.Create("spike_recorder", params={"label": "spikes"})
    mm = nest.Create("multimeter", params={"interval": 1.0, "record_from": ["V_m", "I"], "label": "neuron"})
    nest.Connect(noise, neuron, syn_spec={"weight": 1.0, "receptor_type": 1})
    nest.Connect(neuron, controller, syn_spec={"delay": nest.resolution})
    nest.Connect(controller, neuron, syn_spec={"delay": 2.0})
    nest.Connect(neuron, sr)
    nest.Connect(mm, neuron)
    nest.Simulate(T_SWITCH)
    controller.set(target_rate=40.0)
    nest.Simulate(T_END - T_SWITCH)
    actor = nest.get_kernel().node_of(controller.global_id)[0].actors[0]
    tree = nest.recordings()
    tree["controller"] = xr.DataTree(controller_dataset(actor.record))
    return tree


def plot(tree, path):
    """Rate estimate and target (top) and the injected current (bottom) over time."""
    import matplotlib.pyplot as plt
    ctrl = tree["controller"].to_dataset()
    fig, (ax_rate, ax_current) = plt.subplots(2, 1, sharex=True, figsize=(8, 5))
    ax_rate.step(ctrl["time"], ctrl["rate"], where="post", lw=0.6, label="rate per interval")
    ax_rate.step(ctrl["time"], ctrl["target"], "k--", where="post", label="target")
    ax_rate.plot(ctrl["time"], ctrl["rate"].rolling(time=20, min_periods=1).mean(), label="mean of 20 intervals")
    ax_rate.set_ylabel("rate (Hz)")
    ax_rate.legend(loc="upper left", fontsize="small")
    neuron = tree["neuron"].to_dataset()
    ax_current.plot(neuron["time"], neuron["I"].isel(sender=0), lw=0.8)
    ax_current.set_ylabel("I (pA)")
    ax_current.set_xlabel("time (ms)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="out/", help="output folder (default: out/)")
    parser.add_argument("--show", action="store_true", help="open the figure in a window")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    nc_path, png_path = out / "closed_loop.nc", out / "closed_loop.png"
    check_writable(nc_path)
    tree = run()
    nest.save_recordings(nc_path, tree)
    ctrl = tree["controller"].to_dataset()
    for lo, hi in ((500.0, T_SWITCH), (T_SWITCH + 500.0, T_END)):
        late = (ctrl["time"] > lo + 1.0) & (ctrl["time"] <= hi + 1.0)
        print(f"mean rate {lo:.0f}-{hi:.0f} ms: {float(ctrl['rate'][late].mean()):.1f} Hz "
              f"(target {float(ctrl['target'][late][-1]):.0f} Hz)")
    if not args.show:
        import matplotlib
        matplotlib.use("Agg")
    plot(tree, png_path)
    print(f"recordings: {nc_path}")
    print(f"figure: {png_path}")
    if args.show:
        import matplotlib.pyplot as plt
        plt.show()


if __name__ == "__main__":
    main()
