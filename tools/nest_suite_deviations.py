"""Tests of NEST's suite that fail under eventsim by a deliberate deviation from NEST.

Used by ``tools/nest_suite.py``: a failing in-scope test listed here is classified
``deviation`` (not ``fail``, and never ``pass``), with the reason below.  Each reason is
documented in ``docs/pynest_api.md``; a listed test that passes is simply ``pass``.
Patterns are matched against the test's node id with :func:`fnmatch.fnmatchcase`.
"""

from fnmatch import fnmatchcase

__all__ = ["DEVIATIONS", "deviation_reason"]

#: (node id pattern, reason) pairs.
DEVIATIONS = (
    ("neurons/test_glif_psc.py::GLIFPSCTestCase::test_lif_*asc*",
     "random streams: a Kolmogorov-Smirnov check against spike times from NEST's own Poisson draws "
     "(eventsim's streams are other numbers; fed NEST's input train the spikes are identical)"),
    ("neurons/test_glif_psc_double_alpha.py::GLIFPSCTestCase::test_lif_*asc*",
     "random streams: a Kolmogorov-Smirnov check against spike times from NEST's own Poisson draws "
     "(eventsim's streams are other numbers; fed NEST's input train the spikes are identical)"),
    ("other/test_set_tics.py::*", "time base: tics_per_ms is fixed at NEST's default 1000"),
    ("neurons/test_iaf_psc_alpha_mindelay.py::test_kernel_precision",
     "time base: tics_per_ms is fixed at NEST's default 1000"),
    ("connect/test_delay_after_res_change.py::test_change_tics_per_ms",
     "time base: tics_per_ms is fixed at NEST's default 1000"),
    ("recording/test_recording_backends.py::*",
     "recording backends: recorders write to memory or, streaming, to netCDF (record_to); NEST's ascii, "
     "screen and sionlib backends and their properties (file_extension, ...) are not provided"),
    ("other/test_visualization.py::TestVisualization::test_raster_plot",
     "recording backends: the test reads a spike_recorder's record_to='ascii' text file back with "
     "raster_plot.from_file; recorders write to memory or netCDF (plots from_device work as NEST's)"),
    ("regressions/test_ticket_573.py::*",
     "synapse models: no limit on their number (NEST's max_num_syn_models, 511, comes from its 9-bit "
     "synapse ids)"),
    ("neurons/test_calcium.py::test_at_least_one_model",
     "structural plasticity (out of scope): neurons carry no calcium trace Ca"),
    ("other/test_flush_event_filtering.py::*",
     "e-prop (out of scope): neurons have no flush_event_send_interval"),
    ("other/test_nest_set_get.py::test_nest_get",
     "module internals: kernel properties read as nest.<key> and nest.get(key) with NEST's values (checked), but "
     "are not PyNEST's KernelAttribute descriptor objects; the test reads their private field "
     "type(nest).<key>._default"),
    ("regressions/test_ticket_754.py::*",
     "random numbers: every stream is PCG64; NEST's generator names (mt19937, ...) are refused"),
)


def deviation_reason(nodeid):
    """The documented reason why test `nodeid` deviates from NEST on purpose, or None."""
    for pattern, reason in DEVIATIONS:
        if fnmatchcase(nodeid, pattern):
            return reason
    return None
