"""Recordings of a network split over MPI ranks, gathered into what one process would have recorded.

Each rank records its own neurons (:mod:`eventsim.distributed`); :func:`gather_groups` collects
every rank's dataset of each recorder and merges them: a spike recorder's spikes sorted by
time, then sender (the order of one process), its senders and counts joined; a multimeter's
columns joined and sorted by global id.  :func:`gather_statuses` does the same for the
parameters stored on the root of :func:`eventsim.recordings`.  Every rank receives the merged
result, so these calls are collective: all ranks must make them.
"""

import numpy as np

from eventsim.lazy import lazy_module

from .recording import spike_dataset, with_char_strings

xr = lazy_module("xarray")

__all__ = ["gather_groups", "gather_statuses", "merge_spike_datasets", "merge_multimeter_datasets"]


def gather_groups(distribution, groups):
    """Merge ``{group name: dataset}`` of every rank (a dict in creation order) into one dict.

    Parameters
    ----------
    distribution : eventsim.distributed.MPIDistribution
    groups : dict of str to xarray.Dataset
        This rank's datasets.
    """
    every = distribution.allgather(groups)
    merged = {}
    for name, ds in groups.items():
        parts = [rank_groups[name] for rank_groups in every]
        if "spike_time" in ds:
            merged[name] = merge_spike_datasets(parts)
        else:
            merged[name] = merge_multimeter_datasets(parts)
    return merged


def merge_spike_datasets(parts):
    """One spike recorder's datasets of all ranks (list of xarray.Dataset) as one dataset.

    Spikes are ordered by time, then sender, as a spike recorder of one process orders them.
    """
    times = np.concatenate([ds["spike_time"].values for ds in parts])
    senders = np.concatenate([ds["spike_sender"].values for ds in parts]).astype(np.int64)
    sources = np.unique(np.concatenate([ds["sender"].values for ds in parts]).astype(np.int64))
    order = np.lexsort((senders, times))
    return spike_dataset(times[order], senders[order], sources, attrs=dict(parts[0].attrs))


def merge_multimeter_datasets(parts):
    """One multimeter's datasets of all ranks (list of xarray.Dataset) as one, senders ascending.

    Ranks whose neurons the multimeter does not record contribute nothing.
    """
    recording = [ds for ds in parts if ds.sizes.get("sender", 0) > 0]
    if len(recording) <= 1:
        return (recording or parts)[0]
    merged = xr.concat(recording, dim="sender", data_vars="minimal", coords="minimal", compat="override",
                       join="override", combine_attrs="override").sortby("sender")
    return with_char_strings(merged)


def gather_statuses(distribution, by_model):
    """Every rank's ``{model: [(first_gid, statuses), ...]}`` merged: ``{model: statuses in global id order}``.

    Replicated devices appear on every rank under the same first global id and are counted once.
    """
    every = distribution.allgather(by_model)
    merged = {}
    for rank_models in every:
        for model, parts in rank_models.items():
            merged.setdefault(model, {}).update(dict(parts))
    return {model: [s for first in sorted(parts) for s in parts[first]] for model, parts in merged.items()}
