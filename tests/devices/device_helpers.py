"""Small networks shared by the device tests (``import eventsim as nest`` style)."""

import numpy as np

import eventsim as nest


def relay(generator, params=None, delay=1.0, n_parrots=1, t_sim=10.0, recorder=None, resolution=None):
    """`generator` -> `n_parrots` parrot_neurons -> spike_recorder; return (recorder, parrots, generator)."""
    if resolution is not None:
        nest.resolution = resolution
    gen = nest.Create(generator, params=params or {})
    parrots = nest.Create("parrot_neuron", n_parrots)
    sr = nest.Create("spike_recorder", params=recorder or {})
    nest.Connect(gen, parrots, syn_spec={"delay": delay})
    nest.Connect(parrots, sr)
    if t_sim:
        nest.Simulate(t_sim)
    return sr, parrots, gen


def times_of(sr):
    """Recorded spike times (ms) as a sorted numpy array."""
    return np.sort(np.asarray(sr.events["times"]))


def current_trace(params, resolution=0.1, delay=None, t_sim=10.0):
    """Record ``I`` of one glif_cond driven by a step_current_generator; return (times, I) arrays."""
    nest.resolution = resolution
    sc = nest.Create("step_current_generator", params=params)
    neuron = nest.Create("glif_cond")
    mm = nest.Create("multimeter", params={"record_from": ["I"], "interval": resolution})
    nest.Connect(sc, neuron, syn_spec={"delay": resolution if delay is None else delay})
    nest.Connect(mm, neuron)
    nest.Simulate(t_sim)
    ev = mm.events
    return np.asarray(ev["times"]), np.asarray(ev["I"])
