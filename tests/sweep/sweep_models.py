"""Build-and-run functions for the sweep tests (a module, so that worker processes can import them)."""

import eventsim as nest

#: Calls of :func:`counted_point` in this process (to see which runs a resumed sweep repeats).
CALLS = []


def noisy_point(amplitude, level="lif", T=60.0):
    """One glif_cond with a current step and Poisson noise (so seeds matter); multimeter and spike recorder."""
    flags = {"lif": {}, "lif_r": {"spike_dependent_threshold": True}}[level]
    neuron = nest.Create("glif_cond", params=flags)
    drive = nest.Create("step_current_generator", params={"amplitude_times": [1.0], "amplitude_values": [amplitude]})
    noise = nest.Create("poisson_generator", params={"rate": 3000.0})
    mm = nest.Create("multimeter", params={"record_from": ["V_m", "threshold"], "interval": 0.5})
    sr = nest.Create("spike_recorder")
    nest.Connect(drive, neuron)
    nest.Connect(noise, neuron, syn_spec={"weight": 3.0, "receptor_type": 1})
    nest.Connect(mm, neuron)
    nest.Connect(neuron, sr)
    nest.Simulate(T)
    return nest.recordings()


def noisy_point_own_kernel(amplitude, level="lif", T=60.0, *, kernel):
    """:func:`noisy_point` on the Kernel the sweep passes, without the module-level functions."""
    flags = {"lif": {}, "lif_r": {"spike_dependent_threshold": True}}[level]
    neuron = kernel.create("glif_cond", params=flags)
    drive = kernel.create("step_current_generator", params={"amplitude_times": [1.0],
                                                            "amplitude_values": [amplitude]})
    noise = kernel.create("poisson_generator", params={"rate": 3000.0})
    mm = kernel.create("multimeter", params={"record_from": ["V_m", "threshold"], "interval": 0.5})
    sr = kernel.create("spike_recorder")
    kernel.connect(drive, neuron)
    kernel.connect(noise, neuron, syn_spec={"weight": 3.0, "receptor_type": 1})
    kernel.connect(mm, neuron)
    kernel.connect(neuron, sr)
    kernel.simulate(T)
    return nest.recordings(kernel)


def failing_at_300(amplitude, level="lif", T=60.0):
    """:func:`noisy_point`, except that amplitude 300 raises a ValueError after simulating."""
    tree = noisy_point(amplitude, level, T)
    if amplitude == 300.0:
        raise ValueError("amplitude 300 is cursed")
    return tree


def counted_point(amplitude, level="lif", T=60.0):
    """:func:`noisy_point`, noting each call's parameters in :data:`CALLS`."""
    CALLS.append((amplitude, level))
    return noisy_point(amplitude, level, T)


def resetting_point(amplitude):
    """Calls ResetKernel itself, which would discard the sweep's seed."""
    nest.ResetKernel()
    return noisy_point(amplitude)
