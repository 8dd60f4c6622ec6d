"""Stimulation paradigms for the GLIF models, runnable in NEST and in eventsim.

Each paradigm is a function ``paradigm(sim)`` taking a simulator module with
the PyNEST 3.10 API (``nest`` itself, or ``eventsim`` used as ``nest``).  It
resets the kernel, builds a small, fully deterministic network of glif_cond
(or, in the ``psc_*`` paradigms, glif_psc and glif_psc_double_alpha)
neurons, simulates it and returns a dict describing what was recorded:

``"paradigm"``
    The paradigm's name (a key of :data:`PARADIGMS`).
``"resolution_ms"``
    The resolution the simulator reports after the build, in ms.
``"multimeter"``, ``"spike_recorder"``
    The recording devices (NodeCollections); the multimeter samples every
    neuron in ``"neurons"``, the spike recorder at least those neurons.
``"neurons"``
    The glif_cond neurons (NodeCollection), in creation order.
``"record_from"``
    The multimeter's ``record_from`` list.
``"simulated_ms"``
    Total simulated time, in ms.

No paradigm draws random numbers inside the simulator: Poisson-like inputs are
drawn here with numpy (fixed seeds) and fed through ``spike_generator``, and
every connection is made explicitly (``one_to_one``/``all_to_all`` with
explicit weight and delay arrays), so NEST and eventsim build identical
networks.  :func:`to_dataset` turns a result into the fixed reference layout
stored in ``tests/reference/<paradigm>.nc`` (see ``tools/make_nest_references.py``).

Recording in NEST ends ``min_delay`` before the simulated time: the last
multimeter sample is stamped ``simulated_ms - min_delay``, where ``min_delay``
is the smallest delay of any connection, including the multimeter's and the
spike recorder's own connections (1.0 ms by default).
"""

from __future__ import annotations

import functools
import operator
import re

import numpy as np
import xarray as xr

__all__ = [
    "LEVELS",
    "PARADIGMS",
    "level_params",
    "multi_receptor",
    "long_delays",
    "three_asc",
    "long_refractory",
    "strong_inhibition",
    "multiplicities",
    "recurrent",
    "vm_set_before_run",
    "simulate_in_pieces",
    "multimeter_settings",
    "psc_seed",
    "psc_double_alpha_seed",
    "psc_double_alpha_kernels",
    "psc_levels_receptors",
    "psc_recurrent",
    "psc_state_and_refractory",
    "EXACT_PARADIGMS",
    "PSC_RECORDABLES",
    "poisson_times",
    "recordables",
    "to_dataset",
    "units_of",
]

LEVELS = {
    "lif": (False, False, False),
    "lif_r": (True, False, False),
    "lif_asc": (False, True, False),
    "lif_r_asc": (True, True, False),
    "lif_r_asc_a": (True, True, True),
}
"""The five legal GLIF mechanism combinations, as
``(spike_dependent_threshold, after_spike_currents, adapting_threshold)``."""

_MECHANISMS = ("spike_dependent_threshold", "after_spike_currents", "adapting_threshold")

_THRESHOLDS = ("threshold", "threshold_spike", "threshold_voltage")

_UNITS = {
    "V_m": "mV",
    "threshold": "mV",
    "threshold_spike": "mV",
    "threshold_voltage": "mV",
    "I": "pA",
    "I_syn": "pA",
    "ASCurrents_sum": "pA",
}

_TIME_DECIMALS = 9
"""Recorded times are rounded to 1e-9 ms (NEST times are whole 1e-3 ms tics),
so that ``k * h`` float noise (5.1000000000000005) cannot tell simulators apart."""


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def level_params(level, **params):
    """Return a glif_cond parameter dict selecting one GLIF level.

    Parameters
    ----------
    level : str
        A key of :data:`LEVELS`.
    **params
        Further glif_cond parameters to include.

    Returns
    -------
    dict
        The three mechanism flags of ``level`` merged with ``params``.
    """
    flags = dict(zip(_MECHANISMS, LEVELS[level]))
    return {**flags, **params}


def recordables(n_receptors=2):
    """Return every glif_cond recordable, in a fixed order.

    Parameters
    ----------
    n_receptors : int
        Number of spike receptor ports (length of ``tau_syn``).

    Returns
    -------
    list of str
        ``V_m``, ``I``, ``g_1`` ... ``g_n``, the three threshold variables and
        ``ASCurrents_sum``.
    """
    g = [f"g_{i}" for i in range(1, n_receptors + 1)]
    return ["V_m", "I", *g, *_THRESHOLDS, "ASCurrents_sum"]


def units_of(name):
    """Return the unit of a glif_cond recordable.

    Parameters
    ----------
    name : str
        Recordable name, e.g. ``"V_m"`` or ``"g_3"``.

    Returns
    -------
    str
        ``"mV"``, ``"pA"`` or ``"nS"``.

    Raises
    ------
    KeyError
        If ``name`` is not a glif_cond recordable.
    """
    if re.fullmatch(r"g_[1-9][0-9]*", name):
        return "nS"
    try:
        return _UNITS[name]
    except KeyError:
        raise KeyError(f"no unit known for recordable {name!r}") from None


def poisson_times(rng, rate_hz, start_ms, stop_ms, resolution_ms):
    """Draw a Poisson spike train on the simulation grid.

    Like NEST's ``poisson_generator`` followed by a ``parrot_neuron``, the
    number of spikes in each step is Poisson distributed with mean
    ``rate * h``; a step with ``k`` spikes contributes ``k`` equal times.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (seed it for reproducible references).
    rate_hz : float
        Mean rate in spikes/s.
    start_ms, stop_ms : float
        Spikes fall on grid times ``t`` with ``start_ms < t <= stop_ms``.
    resolution_ms : float
        Grid spacing ``h`` in ms.

    Returns
    -------
    numpy.ndarray
        Sorted float64 spike times in ms, each a multiple of ``h`` rounded to
        1e-6 ms, all > 0 (valid ``spike_times`` for a ``spike_generator``).
    """
    first = int(round(start_ms / resolution_ms)) + 1
    last = int(round(stop_ms / resolution_ms))
    steps = np.arange(max(first, 1), last + 1)
    counts = rng.poisson(rate_hz * 1e-3 * resolution_ms, size=steps.size)
    return np.round(np.repeat(steps, counts) * resolution_ms, 6)


def _concat(collections):
    """Join NodeCollections with ``+`` (in the given order)."""
    return functools.reduce(operator.add, collections)


def _create_levels(sim, levels=tuple(LEVELS), model="glif_cond", **params):
    """Create one neuron of `model` per level (consecutive global ids).

    Parameters
    ----------
    sim : module
        The simulator (``nest`` or ``eventsim``).
    levels : sequence of str
        Keys of :data:`LEVELS`, one neuron each, in this order.
    model : str
        ``glif_cond``, ``glif_psc`` or ``glif_psc_double_alpha``.
    **params
        Parameters shared by all neurons.

    Returns
    -------
    NodeCollection
        The neurons.
    """
    return _concat([sim.Create(model, params=level_params(lv, **params)) for lv in levels])


def _spike_source(sim, times, **params):
    """Create a spike_generator emitting ``times`` (plus extra parameters)."""
    return sim.Create("spike_generator", params={"spike_times": [float(t) for t in times], **params})


def _record(sim, neurons, record_from, **mm_params):
    """Attach a multimeter and a spike recorder to ``neurons``.

    Both use the default connection (delay 1.0 ms), which NEST counts
    towards ``min_delay``.  The multimeter samples at the resolution unless
    ``mm_params`` says otherwise.

    Returns
    -------
    dict
        ``multimeter``, ``spike_recorder`` and ``record_from`` entries of a
        paradigm result.
    """
    params = {"interval": sim.resolution, "record_from": list(record_from), **mm_params}
    mm = sim.Create("multimeter", params=params)
    sim.Connect(mm, neurons)
    sr = sim.Create("spike_recorder")
    sim.Connect(neurons, sr)
    return {"multimeter": mm, "spike_recorder": sr, "record_from": list(record_from)}


def _result(sim, name, neurons, recorders, simulated_ms):
    """Assemble a paradigm's return value (see the module docstring)."""
    return {
        "paradigm": name,
        "resolution_ms": float(sim.resolution),
        "neurons": neurons,
        **recorders,
        "simulated_ms": float(simulated_ms),
    }


def _reset(sim, resolution_ms):
    """Reset the kernel and set the resolution."""
    sim.ResetKernel()
    sim.resolution = resolution_ms


# ---------------------------------------------------------------------------
# Paradigms
# ---------------------------------------------------------------------------

_MULTI_RECEPTOR = {"tau_syn": [0.2, 2.0, 1.0, 5.0], "E_rev": [0.0, -85.0, -20.0, 10.0]}
# (rate in Hz, weight in nS, delay in ms, spike_generator start/stop or {})
_MULTI_RECEPTOR_INPUTS = (
    (4000.0, 2.0, 0.1, {}),
    (1200.0, 1.0, 0.3, {}),
    (2000.0, 1.0, 0.5, {"start": 50.0, "stop": 150.0}),
    (300.0, 0.2, 1.0, {}),
)


def _build_multi_receptor(sim):
    """Build the multi_receptor network; return (neurons, recorders)."""
    h = 0.1
    _reset(sim, h)
    neurons = _create_levels(sim, **_MULTI_RECEPTOR)
    rng = np.random.default_rng(20250101)
    for port, (rate, weight, delay, window) in enumerate(_MULTI_RECEPTOR_INPUTS, start=1):
        sg = _spike_source(sim, poisson_times(rng, rate, 0.0, 200.0, h), **window)
        sim.Connect(sg, neurons, "all_to_all", syn_spec={"weight": weight, "delay": delay, "receptor_type": port})
    rec = _record(sim, neurons, recordables(4))
    return neurons, rec


def multi_receptor(sim):
    """Four receptor ports, each driven by its own Poisson-like spike train.

    All five levels with ``tau_syn = [0.2, 2, 1, 5]`` ms and
    ``E_rev = [0, -85, -20, 10]`` mV; port ``i`` receives a pre-drawn train
    (repeated times where a step holds several spikes) with its own weight and
    delay (0.1, 0.3, 0.5, 1.0 ms); port 3's generator is active only in
    (50, 150] ms.  Resolution 0.1 ms, 200 ms.
    """
    neurons, rec = _build_multi_receptor(sim)
    sim.Simulate(200.0)
    return _result(sim, "multi_receptor", neurons, rec, 200.0)


def simulate_in_pieces(sim):
    """The multi_receptor network, simulated as 37.5 + 62.5 + 100 ms.

    Checks that splitting ``Simulate`` changes nothing a recorder can see
    (NEST keeps the solver's step size and all buffers across calls).
    """
    neurons, rec = _build_multi_receptor(sim)
    for piece in (37.5, 62.5, 100.0):
        sim.Simulate(piece)
    return _result(sim, "simulate_in_pieces", neurons, rec, 200.0)


def long_delays(sim):
    """Delays of several ms, distinct per connection.

    Each of the five levels gets its own excitatory Poisson train through a
    ``one_to_one`` connection with delays [1.5, 3.7, 2.2, 5.0, 7.3] ms; one
    inhibitory train reaches all of them (``all_to_all``, a 5x1 delay array
    [1.5, 2.0, 3.7, 4.4, 6.1] ms); a step current arrives with delay 2.5 ms.
    The smallest delay in the network is the recorders' 1.0 ms, so the last
    sample is at 149.0 ms.  Resolution 0.1 ms, 150 ms.
    """
    h = 0.1
    _reset(sim, h)
    neurons = _create_levels(sim)
    rng = np.random.default_rng(20250102)
    exc = _concat([_spike_source(sim, poisson_times(rng, 3500.0, 0.0, 150.0, h)) for _ in range(5)])
    inh = _spike_source(sim, poisson_times(rng, 800.0, 0.0, 150.0, h))
    cg = sim.Create(
        "step_current_generator",
        params={"amplitude_times": [40.0, 110.0], "amplitude_values": [250.0, 0.0]},
    )
    sim.Connect(
        exc,
        neurons,
        "one_to_one",
        syn_spec={
            "weight": np.array([2.6, 2.7, 2.8, 2.9, 3.0]),
            "delay": np.array([1.5, 3.7, 2.2, 5.0, 7.3]),
            "receptor_type": 1,
        },
    )
    sim.Connect(
        inh,
        neurons,
        "all_to_all",
        syn_spec={
            "weight": np.full((5, 1), 2.0),
            "delay": np.array([[1.5], [2.0], [3.7], [4.4], [6.1]]),
            "receptor_type": 2,
        },
    )
    sim.Connect(cg, neurons, "all_to_all", syn_spec={"weight": 1.0, "delay": 2.5})
    rec = _record(sim, neurons, recordables(2))
    sim.Simulate(150.0)
    return _result(sim, "long_delays", neurons, rec, 150.0)


_THREE_ASC = {
    "asc_init": [10.0, -20.0, 30.0],
    "asc_decay": [0.003, 0.1, 0.05],
    "asc_amps": [-9.18, -198.94, 60.0],
    "asc_r": [1.0, 0.5, 0.0],
    "t_ref": 2.0,
}


def three_asc(sim):
    """Three after-spike currents with custom decay, amplitude and ``asc_r``.

    Levels lif_asc, lif_r_asc and lif_r_asc_a, twice each: neurons 1-3 set
    only the ``asc_*`` parameters (NEST then keeps its 2-element initial
    ``ASCurrents`` state, so only the first two currents ever act), neurons
    4-6 also set ``ASCurrents = asc_init`` explicitly (all three act, from
    the given initial values).  A step current (300 pA from 10 ms, 550 pA
    from 80 ms, off at 150 ms, delay 0.05 ms) makes them fire repeatedly.
    Resolution 0.05 ms, 200 ms.
    """
    h = 0.05
    _reset(sim, h)
    levels = ("lif_asc", "lif_r_asc", "lif_r_asc_a")
    implicit = _create_levels(sim, levels, **_THREE_ASC)
    explicit = _create_levels(sim, levels, ASCurrents=_THREE_ASC["asc_init"], **_THREE_ASC)
    neurons = implicit + explicit
    cg = sim.Create(
        "step_current_generator",
        params={"amplitude_times": [10.0, 80.0, 150.0], "amplitude_values": [300.0, 550.0, 0.0]},
    )
    sim.Connect(cg, neurons, "all_to_all", syn_spec={"delay": h})
    rec = _record(sim, neurons, recordables(2))
    sim.Simulate(200.0)
    return _result(sim, "three_asc", neurons, rec, 200.0)


def long_refractory(sim):
    """Long and off-grid refractory periods under strong current.

    All five levels with ``t_ref = 12.33`` ms, plus lif neurons with
    ``t_ref`` 12.25 and 0.04 ms (shorter than one step) and a lif_r_asc_a
    neuron with 0.15 ms.  NEST rounds ``t_ref`` up to whole steps (124, 123,
    1 and 2 steps here) for holding V, but decays the threshold and
    after-spike currents over the exact ``t_ref`` at a reset.  An 800 pA
    step current (10-140 ms, delay 0.1 ms) and a weak excitatory train drive
    them.  Resolution 0.1 ms, 150 ms.
    """
    h = 0.1
    _reset(sim, h)
    neurons = _concat(
        [
            _create_levels(sim, t_ref=12.33),
            sim.Create("glif_cond", params=level_params("lif", t_ref=12.25)),
            sim.Create("glif_cond", params=level_params("lif", t_ref=0.04)),
            sim.Create("glif_cond", params=level_params("lif_r_asc_a", t_ref=0.15)),
        ]
    )
    rng = np.random.default_rng(20250104)
    sg = _spike_source(sim, poisson_times(rng, 1000.0, 0.0, 150.0, h))
    cg = sim.Create(
        "step_current_generator",
        params={"amplitude_times": [10.0, 140.0], "amplitude_values": [800.0, 0.0]},
    )
    sim.Connect(cg, neurons, "all_to_all", syn_spec={"delay": h})
    sim.Connect(sg, neurons, "all_to_all", syn_spec={"weight": 1.0, "delay": 0.2, "receptor_type": 1})
    rec = _record(sim, neurons, recordables(2))
    sim.Simulate(150.0)
    return _result(sim, "long_refractory", neurons, rec, 150.0)


def strong_inhibition(sim):
    """Large conductances on receptor 2 drive V far below E_L.

    All five levels with ``E_rev = [0, -110]`` mV and ``tau_syn = [0.2, 3]``
    ms, firing under a 350 pA step current (10-190 ms) plus an excitatory
    Poisson train.  Inhibitory volleys (spike_weights up to 2000, i.e. 2000
    nS peak conductance) at 50-54 ms and 100 ms, and an inhibitory Poisson
    train active in (120, 160] ms, silence them and pull V towards -110 mV.
    Resolution 0.1 ms, 200 ms.
    """
    h = 0.1
    _reset(sim, h)
    neurons = _create_levels(sim, E_rev=[0.0, -110.0], tau_syn=[0.2, 3.0])
    rng = np.random.default_rng(20250105)
    exc = _spike_source(sim, poisson_times(rng, 2000.0, 0.0, 200.0, h))
    volley = _spike_source(
        sim,
        [50.0, 52.0, 54.0, 100.0],
        spike_weights=[200.0, 400.0, 300.0, 2000.0],
    )
    inh = _spike_source(sim, poisson_times(rng, 600.0, 0.0, 200.0, h), start=120.0, stop=160.0)
    cg = sim.Create(
        "step_current_generator",
        params={"amplitude_times": [10.0, 190.0], "amplitude_values": [350.0, 0.0]},
    )
    sim.Connect(cg, neurons, "all_to_all", syn_spec={"delay": h})
    sim.Connect(exc, neurons, "all_to_all", syn_spec={"weight": 1.0, "delay": h, "receptor_type": 1})
    sim.Connect(volley, neurons, "all_to_all", syn_spec={"weight": 1.0, "delay": 0.5, "receptor_type": 2})
    sim.Connect(inh, neurons, "all_to_all", syn_spec={"weight": 25.0, "delay": 0.3, "receptor_type": 2})
    rec = _record(sim, neurons, recordables(2))
    sim.Simulate(200.0)
    return _result(sim, "strong_inhibition", neurons, rec, 200.0)


def multiplicities(sim):
    """Spike multiplicities, repeated spike times and spike weights.

    Generator A (receptor 1, connection weight 1.5, delay 0.2 ms) has
    repeated times with ``spike_multiplicities`` > 1 and ``spike_weights``;
    NEST delivers weight x spike_weight x multiplicity.  Generator B sends
    repeated times with multiplicities through a parrot_neuron, which
    re-emits them (multiplicity kept) to receptor 2 and receptor 1 of the
    neurons.  The spike recorder also records the parrot, so every
    multiplicity shows as repeated entries.  Resolution 0.1 ms, 100 ms.
    """
    h = 0.1
    _reset(sim, h)
    neurons = _create_levels(sim)
    gen_a = _spike_source(
        sim,
        [5.0, 5.0, 10.0, 20.0, 20.0, 20.0, 30.0, 45.5, 60.0, 60.0, 75.0, 90.0],
        spike_multiplicities=[10, 5, 30, 2, 3, 20, 40, 1, 25, 25, 60, 3],
        spike_weights=[1.0, 0.5, 1.2, 2.0, 1.0, 0.8, 1.1, 30.0, 0.9, 1.3, 1.0, 12.0],
    )
    gen_b = _spike_source(
        sim,
        [15.0, 15.0, 40.0, 40.0, 70.0, 85.0],
        spike_multiplicities=[3, 2, 1, 4, 5, 30],
    )
    parrot = sim.Create("parrot_neuron")
    sim.Connect(gen_a, neurons, "all_to_all", syn_spec={"weight": 1.5, "delay": 0.2, "receptor_type": 1})
    sim.Connect(gen_b, parrot, syn_spec={"delay": h})
    sim.Connect(parrot, neurons, "all_to_all", syn_spec={"weight": 3.0, "delay": 0.3, "receptor_type": 2})
    sim.Connect(parrot, neurons, "all_to_all", syn_spec={"weight": 1.2, "delay": 1.1, "receptor_type": 1})
    rec = _record(sim, neurons, recordables(2))
    sim.Connect(parrot, rec["spike_recorder"])
    sim.Simulate(100.0)
    return _result(sim, "multiplicities", neurons, rec, 100.0)


def _recurrent_matrices():
    """Return the recurrent weight and delay matrices (fixed numpy seed).

    Returns
    -------
    dict
        ``w_exc``/``d_exc`` of shape (10, 7) (targets x sources, neurons 0-6
        excitatory), ``w_inh``/``d_inh`` of shape (10, 3) (neurons 7-9
        inhibitory), ``w_in``/``d_in`` of shape (10, 3) for the input parrots,
        ``w_chain``/``d_chain`` of length 9 for the chain ``i -> i + 1``.
        Absent connections have weight 0.0; delays are multiples of 0.1 ms
        between 0.1 and 3.0 ms.
    """
    rng = np.random.default_rng(20250107)

    def delays(shape):
        return np.round(rng.integers(1, 31, size=shape) * 0.1, 6)

    w_exc = np.round(rng.uniform(2.0, 6.0, size=(10, 7)) * (rng.random((10, 7)) < 0.4), 3)
    w_inh = np.round(rng.uniform(5.0, 15.0, size=(10, 3)) * (rng.random((10, 3)) < 0.6), 3)
    return {
        "w_exc": w_exc,
        "d_exc": delays((10, 7)),
        "w_inh": w_inh,
        "d_inh": delays((10, 3)),
        "w_in": np.round(rng.uniform(0.9, 1.5, size=(10, 3)), 3),
        "d_in": np.full((10, 3), 0.5),
        "w_chain": np.round(rng.uniform(3.0, 8.0, size=9), 3),
        "d_chain": delays(9),
    }


def recurrent(sim):
    """A recurrent network of ten glif_cond neurons of mixed levels.

    One ``Create`` call with per-node parameter lists makes neurons of levels
    lif, lif_r, lif_asc, lif_r_asc, lif_r_asc_a, twice over, with staggered
    initial ``V_m``.  Neurons 0-6 excite (receptor 1) and 7-9 inhibit
    (receptor 2) through ``all_to_all`` connections with explicit 2-D weight
    and delay arrays (zero weights where there is no synapse, autapses
    included); a ``one_to_one`` chain adds ``i -> i + 1``.  Three pre-drawn
    Poisson trains pass through three parrot neurons (``one_to_one``) that
    reach every neuron.  Resolution 0.1 ms, 200 ms.
    """
    h = 0.1
    _reset(sim, h)
    order = list(LEVELS) * 2
    per_node = {name: [LEVELS[lv][k] for lv in order] for k, name in enumerate(_MECHANISMS)}
    per_node["V_m"] = [-78.85 + 2.0 * i for i in range(10)]
    neurons = sim.Create("glif_cond", 10, params=per_node)
    rng = np.random.default_rng(20250106)
    gens = _concat([_spike_source(sim, poisson_times(rng, 2500.0, 0.0, 200.0, h)) for _ in range(3)])
    parrots = sim.Create("parrot_neuron", 3)
    m = _recurrent_matrices()
    sim.Connect(gens, parrots, "one_to_one", syn_spec={"delay": h})
    # (sources, key of the weight/delay matrices, receptor port)
    blocks = ((parrots, "in", 1), (neurons[0:7], "exc", 1), (neurons[7:10], "inh", 2))
    for sources, key, port in blocks:
        syn_spec = {"weight": m[f"w_{key}"], "delay": m[f"d_{key}"], "receptor_type": port}
        sim.Connect(sources, neurons, "all_to_all", syn_spec=syn_spec)
    sim.Connect(
        neurons[0:9],
        neurons[1:10],
        "one_to_one",
        syn_spec={"weight": m["w_chain"], "delay": m["d_chain"], "receptor_type": 1},
    )
    rec = _record(sim, neurons, recordables(2))
    sim.Simulate(200.0)
    return _result(sim, "recurrent", neurons, rec, 200.0)


def vm_set_before_run(sim):
    """Initial V_m and E_L set before the run, through Create and ``.set``.

    Three groups of all five levels:

    1. ``Create`` with ``E_L = -70`` and ``V_m = -60`` mV (above E_L).
    2. Default ``Create``, then ``.set(E_L=-72.0)`` (V_m keeps its absolute
       -78.85 mV, now below E_L) and ``.set(V_reset=-74.0)``.
    3. Default ``Create``, then ``.set(E_L=-75.0)`` and ``.set(V_m=[...])``
       with per-node values above V_th (-51.68 mV): each fires in the first
       step.

    A weak Poisson train and a 200 pA step current (50-120 ms) drive all.
    Resolution 0.1 ms, 150 ms.
    """
    h = 0.1
    _reset(sim, h)
    group1 = _create_levels(sim, E_L=-70.0, V_m=-60.0)
    group2 = _create_levels(sim)
    group2.set(E_L=-72.0)
    group2.set(V_reset=-74.0)
    group3 = _create_levels(sim)
    group3.set({"E_L": -75.0})
    group3.set(V_m=[-45.0, -40.0, -51.0, -30.0, -48.0])
    neurons = _concat([group1, group2, group3])
    rng = np.random.default_rng(20250108)
    sg = _spike_source(sim, poisson_times(rng, 1500.0, 0.0, 150.0, h))
    cg = sim.Create(
        "step_current_generator",
        params={"amplitude_times": [50.0, 120.0], "amplitude_values": [200.0, 0.0]},
    )
    sim.Connect(sg, neurons, "all_to_all", syn_spec={"weight": 1.0, "delay": h, "receptor_type": 1})
    sim.Connect(cg, neurons, "all_to_all", syn_spec={"delay": h})
    rec = _record(sim, neurons, recordables(2))
    sim.Simulate(150.0)
    return _result(sim, "vm_set_before_run", neurons, rec, 150.0)


def multimeter_settings(sim):
    """A multimeter with interval 1 ms, start/stop/origin and a subset.

    ``interval = 1.0``, ``origin = 10``, ``start = 20``, ``stop = 150`` ms:
    NEST samples at multiples of the interval in (origin + start,
    origin + stop] = (30, 160] ms, i.e. 31, 32, ..., 160 ms.  ``record_from``
    is ``["threshold", "V_m", "g_1", "ASCurrents_sum"]`` (not NEST's order).
    All five levels under a 300 pA step current and a Poisson train.
    Resolution 0.1 ms, 200 ms.
    """
    h = 0.1
    _reset(sim, h)
    neurons = _create_levels(sim)
    rng = np.random.default_rng(20250110)
    sg = _spike_source(sim, poisson_times(rng, 1500.0, 0.0, 200.0, h))
    cg = sim.Create(
        "step_current_generator",
        params={"amplitude_times": [20.0, 180.0], "amplitude_values": [300.0, 0.0]},
    )
    sim.Connect(sg, neurons, "all_to_all", syn_spec={"weight": 1.0, "delay": h, "receptor_type": 1})
    sim.Connect(cg, neurons, "all_to_all", syn_spec={"delay": h})
    rec = _record(
        sim,
        neurons,
        ["threshold", "V_m", "g_1", "ASCurrents_sum"],
        interval=1.0,
        origin=10.0,
        start=20.0,
        stop=150.0,
    )
    sim.Simulate(200.0)
    return _result(sim, "multimeter_settings", neurons, rec, 200.0)


# ---------------------------------------------------------------------------
# Paradigms of the current-based models (glif_psc, glif_psc_double_alpha)
# ---------------------------------------------------------------------------

PSC_RECORDABLES = ["V_m", "I", "I_syn", "threshold", "threshold_spike", "threshold_voltage", "ASCurrents_sum"]
"""Every recordable of glif_psc and glif_psc_double_alpha."""

_DOUBLE_ALPHA = {"tau_syn_fast": [2.0, 1.0], "tau_syn_slow": [6.0, 4.0], "amp_slow": [0.3, 0.5]}


def _psc_seed(sim, name, model, synapses):
    """NEST's glif_psc example with the Poisson train pre-drawn; see :func:`psc_seed`."""
    h = 0.05
    _reset(sim, h)
    neurons = _create_levels(sim, model=model, **synapses)
    es = _spike_source(sim, [10.0, 100.0, 150.0], spike_weights=[20.0] * 3)
    ins = _spike_source(sim, [15.0, 99.0, 150.0], spike_weights=[-20.0] * 3)
    cg = sim.Create(
        "step_current_generator",
        params={"amplitude_values": [400.0], "amplitude_times": [200.0], "start": 200.0, "stop": 500.0},
    )
    rng = np.random.default_rng(20250111)
    # the parrot relays at arrival: a train leaving the generator at t - h leaves the parrot at t
    times, counts = np.unique(poisson_times(rng, 150000.0, 600.0, 900.0, h), return_counts=True)
    train = _spike_source(sim, np.round(times - h, 6), spike_multiplicities=counts.tolist())
    pn = sim.Create("parrot_neuron")
    sim.Connect(cg, neurons, syn_spec={"delay": h})
    sim.Connect(es, neurons, syn_spec={"delay": h, "receptor_type": 1})
    sim.Connect(ins, neurons, syn_spec={"delay": h, "receptor_type": 1})
    sim.Connect(train, pn, syn_spec={"delay": h})
    sim.Connect(pn, neurons, syn_spec={"delay": h, "receptor_type": 2})
    rec = _record(sim, neurons, PSC_RECORDABLES, interval=1.0)
    sim.Simulate(1000.0)
    return _result(sim, name, neurons, rec, 1000.0)


def psc_seed(sim):
    """NEST's example glif_psc_neuron.py, the five levels of glif_psc.

    ``tau_syn = [2, 1]`` ms; three excitatory and three inhibitory spikes of
    weight +-20 pA on receptor 1 (0-200 ms), a 400 pA step current (200-500
    ms) and a 150 kHz Poisson-like train (pre-drawn, through a parrot neuron)
    on receptor 2 (600-900 ms).  Resolution 0.05 ms, 1000 ms; the multimeter
    samples every recordable each 1 ms (spikes are recorded on every step).
    """
    return _psc_seed(sim, "psc_seed", "glif_psc", {"tau_syn": [2.0, 1.0]})


def psc_double_alpha_seed(sim):
    """The :func:`psc_seed` paradigm with glif_psc_double_alpha neurons.

    ``tau_syn_fast = [2, 1]``, ``tau_syn_slow = [6, 4]`` ms,
    ``amp_slow = [0.3, 0.5]``; otherwise as psc_seed.
    """
    return _psc_seed(sim, "psc_double_alpha_seed", "glif_psc_double_alpha", _DOUBLE_ALPHA)


def psc_double_alpha_kernels(sim):
    """NEST's example glif_psc_double_alpha_neuron.py, plus a volley that makes them fire.

    A glif_psc (``tau_syn = [2, 2, 2]``) and two glif_psc_double_alpha
    neurons (slow time constants 4, 6, 8 ms with amp_slow 0.5; slow 6 ms
    with amp_slow 0.2, 0.5, 0.8) get one 20 pA spike on receptor 1, 2 and 3
    at 10, 110 and 210 ms; a volley of 40 spikes of 20 pA on receptor 3 at
    250 ms makes them fire.  Resolution 0.05 ms, 300 ms, samples every 0.5 ms.
    """
    h = 0.05
    _reset(sim, h)
    lif = level_params("lif")
    neurons = _concat([
        sim.Create("glif_psc", params={**lif, "tau_syn": [2.0, 2.0, 2.0]}),
        sim.Create("glif_psc_double_alpha", params={**lif, "tau_syn_fast": [2.0, 2.0, 2.0],
                                                     "tau_syn_slow": [4.0, 6.0, 8.0], "amp_slow": [0.5, 0.5, 0.5]}),
        sim.Create("glif_psc_double_alpha", params={**lif, "tau_syn_fast": [2.0, 2.0, 2.0],
                                                     "tau_syn_slow": [6.0, 6.0, 6.0], "amp_slow": [0.2, 0.5, 0.8]}),
    ])
    for port, t in ((1, 10.0), (2, 110.0), (3, 210.0)):
        sg = _spike_source(sim, [t], spike_weights=[20.0])
        sim.Connect(sg, neurons, syn_spec={"delay": h, "receptor_type": port})
    volley = _spike_source(sim, [250.0], spike_multiplicities=[40], spike_weights=[20.0])
    sim.Connect(volley, neurons, syn_spec={"delay": h, "receptor_type": 3})
    rec = _record(sim, neurons, ["V_m", "I_syn"], interval=0.5)
    sim.Simulate(300.0)
    return _result(sim, "psc_double_alpha_kernels", neurons, rec, 300.0)


# (rate in Hz, weight in pA, delay in ms, spike_generator start/stop or {})
_PSC_RECEPTOR_INPUTS = (
    (4000.0, 30.0, 0.1, {}),
    (1500.0, -40.0, 0.3, {}),
    (2000.0, 25.0, 0.5, {"start": 50.0, "stop": 150.0}),
    (600.0, 60.0, 1.0, {}),
)


def psc_levels_receptors(sim):
    """All five levels of both current-based models with four receptor ports.

    glif_psc with ``tau_syn = [0.5, 2, tau_m, 8]`` ms, where tau_m = C_m / g
    is the membrane time constant (NEST's singular propagator), and
    glif_psc_double_alpha with fast ``[0.5, 2, 1, 3]``, slow
    ``[3, 8, tau_m, 12]`` ms and ``amp_slow = [0.3, 1, 0.5, 2]``.  Port i
    receives its own pre-drawn Poisson-like train (weights 30, -40, 25, 60 pA;
    delays 0.1, 0.3, 0.5, 1.0 ms; port 3 only in (50, 150] ms), and a step
    current (150 pA from 20 ms, 300 pA from 120 ms) drives all.
    Resolution 0.1 ms, 200 ms, samples every 0.5 ms.
    """
    h = 0.1
    _reset(sim, h)
    tau_m = 58.72 / 9.43
    psc = _create_levels(sim, model="glif_psc", tau_syn=[0.5, 2.0, tau_m, 8.0])
    alpha2 = _create_levels(sim, model="glif_psc_double_alpha", tau_syn_fast=[0.5, 2.0, 1.0, 3.0],
                            tau_syn_slow=[3.0, 8.0, tau_m, 12.0], amp_slow=[0.3, 1.0, 0.5, 2.0])
    neurons = psc + alpha2
    rng = np.random.default_rng(20250112)
    for port, (rate, weight, delay, window) in enumerate(_PSC_RECEPTOR_INPUTS, start=1):
        sg = _spike_source(sim, poisson_times(rng, rate, 0.0, 200.0, h), **window)
        sim.Connect(sg, neurons, "all_to_all", syn_spec={"weight": weight, "delay": delay, "receptor_type": port})
    cg = sim.Create("step_current_generator",
                    params={"amplitude_times": [20.0, 120.0], "amplitude_values": [150.0, 300.0]})
    sim.Connect(cg, neurons, "all_to_all", syn_spec={"delay": h})
    rec = _record(sim, neurons, PSC_RECORDABLES, interval=0.5)
    sim.Simulate(200.0)
    return _result(sim, "psc_levels_receptors", neurons, rec, 200.0)


def psc_recurrent(sim):
    """A recurrent network of six glif_psc and four glif_psc_double_alpha neurons of mixed levels.

    The glif_psc neurons come from one ``Create`` with per-node parameter
    lists (levels lif ... lif_r_asc_a, lif; staggered initial V_m), the
    double-alpha ones from another (lif_r, lif_asc, lif_r_asc, lif_r_asc_a).
    The weights and delays of :func:`recurrent` (times 25 pA per nS),
    excitatory on receptor 1, inhibitory on receptor 2, a chain i -> i + 1,
    three pre-drawn trains through parrot neurons.  Simulated as 60 + 140 ms.
    Resolution 0.1 ms, samples every 0.5 ms.
    """
    h = 0.1
    _reset(sim, h)
    order = list(LEVELS) + ["lif"]
    per_node = {name: [LEVELS[lv][k] for lv in order] for k, name in enumerate(_MECHANISMS)}
    per_node["V_m"] = [-78.85 + 2.0 * i for i in range(6)]
    psc = sim.Create("glif_psc", 6, params={**per_node, "tau_syn": [[2.0, 4.0]] * 6})
    order = ["lif_r", "lif_asc", "lif_r_asc", "lif_r_asc_a"]
    per_node = {name: [LEVELS[lv][k] for lv in order] for k, name in enumerate(_MECHANISMS)}
    alpha2 = sim.Create("glif_psc_double_alpha", 4, params={**per_node, "tau_syn_fast": [[1.0, 3.0]] * 4,
                                                          "tau_syn_slow": [[5.0, 9.0]] * 4,
                                                          "amp_slow": [[0.4, 0.6]] * 4})
    neurons = psc + alpha2
    rng = np.random.default_rng(20250113)
    gens = _concat([_spike_source(sim, poisson_times(rng, 2500.0, 0.0, 200.0, h)) for _ in range(3)])
    parrots = sim.Create("parrot_neuron", 3)
    m = _recurrent_matrices()
    sim.Connect(gens, parrots, "one_to_one", syn_spec={"delay": h})
    blocks = ((parrots, "in", 1, 25.0), (neurons[0:7], "exc", 1, 25.0), (neurons[7:10], "inh", 2, -25.0))
    for sources, key, port, unit in blocks:
        syn_spec = {"weight": m[f"w_{key}"] * unit, "delay": m[f"d_{key}"], "receptor_type": port}
        sim.Connect(sources, neurons, "all_to_all", syn_spec=syn_spec)
    sim.Connect(neurons[0:9], neurons[1:10], "one_to_one",
                syn_spec={"weight": m["w_chain"] * 25.0, "delay": m["d_chain"], "receptor_type": 1})
    rec = _record(sim, neurons, PSC_RECORDABLES, interval=0.5)
    sim.Simulate(60.0)
    sim.Simulate(140.0)
    return _result(sim, "psc_recurrent", neurons, rec, 200.0)


def psc_state_and_refractory(sim):
    """State set before the run, long and off-grid refractory periods, E_L changed, Simulate in pieces.

    glif_psc levels with ``t_ref`` 12.33 ms (lif, lif_r_asc_a), 0.04 ms
    (lif_r) and 0.15 ms (lif_asc); a lif_r_asc with ``threshold_spike = 3``,
    ``ASCurrents = [5, -20]`` and three after-spike currents set through
    ``asc_*``; a lif_r_asc_a with ``threshold_voltage = -2``, ``E_L = -70``
    set after Create and ``V_m = -60``; glif_psc_double_alpha lif_r_asc_a with
    ``ASCurrents = [40, -10]``.  An 800 pA step current (10-140 ms) and an
    excitatory train drive them.  Simulated as 33.3 + 66.7 + 50 ms.
    Resolution 0.1 ms, samples every 0.5 ms.
    """
    h = 0.1
    _reset(sim, h)
    three = {"asc_init": [0.0, 0.0, 0.0], "asc_decay": [0.003, 0.1, 0.05], "asc_amps": [-9.18, -198.94, 60.0],
             "asc_r": [1.0, 0.5, 0.0]}
    a = _concat([
        sim.Create("glif_psc", params=level_params("lif", t_ref=12.33)),
        sim.Create("glif_psc", params=level_params("lif_r", t_ref=0.04)),
        sim.Create("glif_psc", params=level_params("lif_asc", t_ref=0.15)),
        sim.Create("glif_psc", params=level_params("lif_r_asc_a", t_ref=12.33)),
        sim.Create("glif_psc", params=level_params("lif_r_asc", threshold_spike=3.0, **three)),
    ])
    a[4].set(ASCurrents=[5.0, -20.0, 7.0])
    b = sim.Create("glif_psc", params=level_params("lif_r_asc_a", threshold_voltage=-2.0))
    b.set(E_L=-70.0)
    b.set(V_m=-60.0)
    c = sim.Create("glif_psc_double_alpha", params=level_params("lif_r_asc_a", ASCurrents=[40.0, -10.0]))
    neurons = a + b + c
    rng = np.random.default_rng(20250114)
    sg = _spike_source(sim, poisson_times(rng, 1000.0, 0.0, 150.0, h))
    cg = sim.Create("step_current_generator",
                    params={"amplitude_times": [10.0, 140.0], "amplitude_values": [800.0, 0.0]})
    sim.Connect(cg, neurons, "all_to_all", syn_spec={"delay": h})
    sim.Connect(sg, neurons, "all_to_all", syn_spec={"weight": 40.0, "delay": 0.2, "receptor_type": 1})
    rec = _record(sim, neurons, PSC_RECORDABLES, interval=0.5)
    for piece in (33.3, 66.7, 50.0):
        sim.Simulate(piece)
    return _result(sim, "psc_state_and_refractory", neurons, rec, 150.0)


PARADIGMS = {
    f.__name__: f
    for f in (
        multi_receptor,
        long_delays,
        three_asc,
        long_refractory,
        strong_inhibition,
        multiplicities,
        recurrent,
        vm_set_before_run,
        simulate_in_pieces,
        multimeter_settings,
        psc_seed,
        psc_double_alpha_seed,
        psc_double_alpha_kernels,
        psc_levels_receptors,
        psc_recurrent,
        psc_state_and_refractory,
    )
}
"""Paradigm name -> paradigm function ``f(sim) -> result dict``."""

EXACT_PARADIGMS = frozenset(name for name in PARADIGMS if name.startswith("psc_"))
"""Paradigms of the current-based models, which NEST integrates exactly: every
recorded variable must match to 1e-6 (mV or pA)."""


# ---------------------------------------------------------------------------
# Conversion to the reference layout
# ---------------------------------------------------------------------------


def to_dataset(result, sim_name, version):
    """Convert a paradigm's recordings into the reference ``xr.Dataset``.

    Parameters
    ----------
    result : dict
        What a paradigm function returned.
    sim_name : str
        Simulator name for the ``source`` attribute, e.g. ``"NEST"``.
    version : str
        Simulator version, e.g. ``"3.10.0"``.

    Returns
    -------
    xarray.Dataset
        Dimensions ``time`` x ``sender`` for every recorded variable (units
        in ``attrs["units"]``) and ``spike`` for ``spike_time`` (ms) and
        ``spike_sender`` (int32), spikes sorted by (time, sender).
        Coordinates: ``time`` (float64, ms, rounded to 1e-9 ms) and
        ``sender`` (int32 global ids, in the order of ``result["neurons"]``).
        Attributes: ``source`` (``"<sim_name> <version>"``), ``simulator``,
        ``simulator_version``, ``paradigm``, ``resolution_ms``,
        ``simulated_ms``.

    Raises
    ------
    ValueError
        If the multimeter did not sample every neuron at the same times, or
        recorded a sender that is not one of ``result["neurons"]``, or lacks
        a variable of ``result["record_from"]``.

    Examples
    --------
    >>> import nest                                    # doctest: +SKIP
    >>> ds = to_dataset(multi_receptor(nest), "NEST", nest.__version__)  # doctest: +SKIP
    """
    events = result["multimeter"].events
    senders = np.asarray(events["senders"], dtype=np.int64)
    times = np.round(np.asarray(events["times"], dtype=np.float64), _TIME_DECIMALS)
    gids = np.asarray(result["neurons"].tolist(), dtype=np.int64)

    stray = np.setdiff1d(senders, gids)
    if stray.size:
        raise ValueError(f"multimeter recorded senders {stray.tolist()} that are not among the neurons")
    missing = [v for v in result["record_from"] if v not in events]
    if missing:
        raise ValueError(f"multimeter events lack the recorded variables {missing}")

    rows = []
    for gid in gids:
        idx = np.flatnonzero(senders == gid)
        rows.append(idx[np.argsort(times[idx], kind="stable")])
    grid = times[rows[0]] if rows else np.empty(0)
    for gid, idx in zip(gids, rows):
        if not np.array_equal(times[idx], grid):
            raise ValueError(
                f"multimeter sampled sender {gid} at {idx.size} times, sender {gids[0]} at "
                f"{grid.size}: samples are not on one common time grid"
            )

    data_vars = {}
    for var in result["record_from"]:
        values = np.asarray(events[var], dtype=np.float64)
        table = np.stack([values[idx] for idx in rows], axis=1) if rows else np.empty((0, 0))
        data_vars[var] = (("time", "sender"), table, {"units": units_of(var)})

    spikes = result["spike_recorder"].events
    s_times = np.round(np.asarray(spikes["times"], dtype=np.float64), _TIME_DECIMALS)
    s_senders = np.asarray(spikes["senders"], dtype=np.int64)
    order = np.lexsort((s_senders, s_times))
    data_vars["spike_time"] = (("spike",), s_times[order], {"units": "ms"})
    data_vars["spike_sender"] = (("spike",), s_senders[order].astype(np.int32))

    return xr.Dataset(
        data_vars,
        coords={
            "time": ("time", grid, {"units": "ms"}),
            "sender": ("sender", gids.astype(np.int32)),
        },
        attrs={
            "source": f"{sim_name} {version}",
            "simulator": str(sim_name),
            "simulator_version": str(version),
            "paradigm": result["paradigm"],
            "resolution_ms": float(result["resolution_ms"]),
            "simulated_ms": float(result["simulated_ms"]),
        },
    )
