"""What a report callback may do during a run: read the network, not change it."""

import pytest

import eventsim as nest
from fault_network import build

CHANGES = {
    "SetStatus": lambda n, mm: nest.SetStatus(n, {"V_th": -40.0}),
    "set": lambda n, mm: n.set(tau_syn=[1.0]),
    "Create": lambda n, mm: nest.Create("glif_cond"),
    "Connect": lambda n, mm: nest.Connect(n, n),
    "Simulate": lambda n, mm: nest.Simulate(1.0),
    "SetDefaults": lambda n, mm: nest.SetDefaults("glif_cond", {"C_m": 50.0}),
    "SetKernelStatus": lambda n, mm: nest.SetKernelStatus({"rng_seed": 3}),
    "resolution": lambda n, mm: setattr(nest, "resolution", 0.2),
    "ResetKernel": lambda n, mm: nest.ResetKernel(),
    "clear a recorder": lambda n, mm: setattr(mm, "n_events", 0),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_changes_during_a_run_raise_and_the_run_can_continue(change):
    """Each change raises KernelException naming it; nothing changed; the kernel continues from the stop."""
    mm, sr = build()
    neurons = nest.NodeCollection(list(range(1, 5)))
    before = (neurons.get("V_th"), nest.GetKernelStatus("network_size"), nest.GetDefaults("glif_cond", "C_m"))
    raised = []

    def report(elapsed, completed, start, duration):
        if completed >= 0.5 and not raised:
            try:
                CHANGES[change](neurons, mm)
            except nest.KernelException as err:
                raised.append(err)
                raise

    nest.report = report
    nest.get_kernel().report_period = 0.0
    with pytest.raises(nest.KernelException, match="not allowed while Simulate is running"):
        nest.Simulate(20.0)
    assert len(raised) == 1
    assert (neurons.get("V_th"), nest.GetKernelStatus("network_size"),
            nest.GetDefaults("glif_cond", "C_m")) == before
    stopped = nest.biological_time
    nest.report = None
    nest.Simulate(5.0)
    assert nest.biological_time == pytest.approx(stopped + 5.0)


def test_reading_during_a_run_is_allowed():
    """GetStatus, GetKernelStatus and a recorder's n_events work from a report callback."""
    mm, sr = build()
    seen = []

    def report(elapsed, completed, start, duration):
        seen.append((nest.GetStatus(nest.NodeCollection([1]), "V_m")[0], nest.GetKernelStatus("biological_time"),
                     mm.n_events, sr.get("n_events")))

    nest.report = report
    nest.get_kernel().report_period = 0.0
    nest.Simulate(20.0)
    assert len(seen) > 10 and nest.biological_time == 20.0
