"""Recorders connected to parts of populations, compared between eventsim and NEST 3.10.

Every case builds its network with a PyNEST-compatible module (``nest`` or
``eventsim``) the way users combine things: recorders on slices and strided
parts of a population, on nodes of several ``Create`` calls (which eventsim
keeps in one population), connected in several unsorted calls, twice to the
same node, over several ``Simulate`` calls.  A case returns, after each
``Simulate`` call, the ``events`` of its recorders as JSON-ready lists, or
the name of the exception it raised.  Run as a script it imports NEST and
prints all cases as JSON on one line; the tests run it in a subprocess.
"""

import json

__all__ = ["CASES", "MARKER", "run"]

#: Prefix of the line with the JSON results when run under NEST.
MARKER = "@@CASES "

#: A current that makes glif_cond fire regularly (first spike at 6.5 ms, then every 8.3 ms).
DRIVE = {"amplitude_times": [1.0], "amplitude_values": [500.0]}
#: A weaker current for a second group of neurons, so that their spike times differ.
WEAK_DRIVE = {"amplitude_times": [2.0], "amplitude_values": [350.0]}


def _events(recorder, keys):
    ev = recorder.events
    return {k: [int(x) for x in ev[k]] if k == "senders" else [round(float(x), 9) for x in ev[k]] for k in keys}


def _driven_glif(nest, n, drive=DRIVE):
    neurons = nest.Create("glif_cond", n)
    current = nest.Create("step_current_generator", params=drive)
    nest.Connect(current, neurons)
    return neurons


def two_create_calls(nest):
    """Two Create calls of glif_cond, both driven; the recorder sees the first only."""
    a = _driven_glif(nest, 1)
    b = nest.Create("glif_cond")
    nest.Connect(nest.Create("step_current_generator", params=DRIVE), b)
    sr = nest.Create("spike_recorder")
    nest.Connect(a, sr)
    return [sr], [100.0]


def slice_of_population(nest):
    """A recorder on a[1:3] of four driven neurons, and a later Create of the same model."""
    a = nest.Create("glif_cond", 4)
    b = nest.Create("glif_cond", 2)
    nest.Connect(nest.Create("step_current_generator", params=DRIVE), a + b)
    sr = nest.Create("spike_recorder")
    nest.Connect(a[1:3], sr)
    return [sr], [50.0]


def strided_parrots(nest):
    """parrots[::2] of five parrots fed by one spike generator."""
    parrots = nest.Create("parrot_neuron", 5)
    generator = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0, 2.5]})
    nest.Connect(generator, parrots)
    sr = nest.Create("spike_recorder")
    nest.Connect(parrots[::2], sr)
    return [sr], [10.0]


def unsorted_calls_across_creates(nest):
    """Nodes of three Create calls connected to one recorder in unsorted single-node calls."""
    a = _driven_glif(nest, 3)
    b = _driven_glif(nest, 2, WEAK_DRIVE)
    c = _driven_glif(nest, 2)
    sr = nest.Create("spike_recorder")
    for node in (c[1], a[2], b[0], a[0]):
        nest.Connect(node, sr)
    return [sr], [60.0]


def repeated_connection(nest):
    """A node connected twice to one recorder records each spike twice, as NEST does."""
    a = _driven_glif(nest, 3)
    sr = nest.Create("spike_recorder")
    nest.Connect(a[1], sr)
    nest.Connect(a[0:2], sr)
    return [sr], [40.0]


def overlapping_recorders_in_pieces(nest):
    """Two recorders on overlapping parts, with a window, over three Simulate calls."""
    a = _driven_glif(nest, 3)
    b = _driven_glif(nest, 3, WEAK_DRIVE)
    early = nest.Create("spike_recorder", params={"stop": 45.0})
    late = nest.Create("spike_recorder", params={"start": 20.0})
    nest.Connect(a[0] + b[1:3], early)
    nest.Connect(a[1:3] + b[2], late)
    return [early, late], [17.3, 30.0, 25.0]


def generators_into_recorder(nest):
    """Two of four spike generators connected straight to the recorder."""
    generators = nest.Create("spike_generator", 4, params={"spike_times": [1.0, 3.0]})
    sr = nest.Create("spike_recorder")
    nest.Connect(generators[3], sr)
    nest.Connect(generators[1], sr)
    return [sr], [5.0]


def multimeter_on_parts(nest):
    """A multimeter on a slice of one Create call and one node of another, connected in unsorted calls."""
    a = _driven_glif(nest, 4)
    b = _driven_glif(nest, 2, WEAK_DRIVE)
    mm = nest.Create("multimeter", params={"interval": 2.5, "record_from": ["V_m", "threshold"]})
    nest.Connect(mm, b[1])
    nest.Connect(mm, a[1:3])
    return [mm], [20.0, 12.5]


def multimeters_on_strided_nodes(nest):
    """Two multimeters, one on a[::2], one on a[3] + b[0], with different intervals."""
    a = _driven_glif(nest, 5)
    b = _driven_glif(nest, 2, WEAK_DRIVE)
    even = nest.Create("multimeter", params={"interval": 1.0, "record_from": ["V_m"]})
    mixed = nest.Create("multimeter", params={"interval": 0.7, "record_from": ["V_m"], "start": 3.0})
    nest.Connect(even, a[::2])
    nest.Connect(mixed, a[3] + b[0])
    return [even, mixed], [15.0]


def multimeter_connected_twice(nest):
    """NEST allows one connection per multimeter and node."""
    a = nest.Create("glif_cond", 3)
    mm = nest.Create("multimeter", params={"record_from": ["V_m"]})
    nest.Connect(mm, a[2])
    nest.Connect(mm, a[0:3])
    return [mm], [5.0]


CASES = {f.__name__: f for f in (two_create_calls, slice_of_population, strided_parrots,
                                 unsorted_calls_across_creates, repeated_connection,
                                 overlapping_recorders_in_pieces, generators_into_recorder,
                                 multimeter_on_parts, multimeters_on_strided_nodes, multimeter_connected_twice)}


def run(nest, case):
    """Build and simulate case `case` with the module `nest`.

    Returns
    -------
    dict
        ``{"calls": [[events of each recorder] per Simulate call]}``, where a
        multimeter's events hold ``senders``, ``times`` (ms) and its recorded
        variables; or ``{"error": name of the exception class}``.
    """
    nest.ResetKernel()
    try:
        recorders, durations = CASES[case](nest)
        calls = []
        for t in durations:
            nest.Simulate(t)
            calls.append([_events(r, ["senders", "times", *r.get("record_from")])
                          if r.get("model") == "multimeter" else _events(r, ["senders", "times"])
                          for r in recorders])
    except Exception as err:  # the exception's class is the result NEST is compared on
        return {"error": type(err).__name__}
    return {"calls": calls}


if __name__ == "__main__":
    import nest as nest_simulator

    nest_simulator.set_verbosity("M_ERROR")
    print(MARKER + json.dumps({case: run(nest_simulator, case) for case in CASES}))
