"""Regenerate the NEST reference recordings in tests/reference/.

Runs every paradigm of ``tests/paradigms.py`` (or those named) in NEST,
converts the recordings with ``paradigms.to_dataset`` and writes one netCDF
file per paradigm, ``<output-dir>/<name>.nc``, replacing any older file
atomically.  The files record the NEST version that made them (attributes
``source``, ``simulator`` and ``simulator_version``).

Needs NEST 3.10 (``pip install .[nest]``) plus xarray and netCDF4.  Run from
anywhere, e.g. from the repository root::

    python tools/make_nest_references.py                  # all paradigms
    python tools/make_nest_references.py three_asc recurrent
    python tools/make_nest_references.py --list
    python tools/make_nest_references.py --output-dir /tmp/refs multi_receptor
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PARADIGMS_FILE = REPO_ROOT / "tests" / "paradigms.py"
DEFAULT_OUTPUT = REPO_ROOT / "tests" / "reference"
EXPECTED_NEST = "3.10"
"""Major.minor NEST version the references are meant to come from."""


def load_paradigms(path=PARADIGMS_FILE):
    """Import ``tests/paradigms.py`` by path (``tests`` is not a package).

    Parameters
    ----------
    path : path-like
        Location of the paradigms module.

    Returns
    -------
    module
        The imported module.
    """
    spec = importlib.util.spec_from_file_location("glif_cond_paradigms", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def write_atomically(ds, target):
    """Write ``ds`` to ``target`` via a temporary file and ``os.replace``.

    Data variables are stored zlib-compressed (float64 kept).

    Parameters
    ----------
    ds : xarray.Dataset
        The dataset to store.
    target : pathlib.Path
        Final file name.
    """
    encoding = {name: {"zlib": True, "complevel": 6} for name in ds.data_vars}
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        ds.to_netcdf(tmp, engine="netcdf4", encoding=encoding)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_args(argv, names):
    """Parse the command line.

    Parameters
    ----------
    argv : list of str or None
        Arguments (``None``: ``sys.argv[1:]``).
    names : list of str
        Valid paradigm names.

    Returns
    -------
    argparse.Namespace
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paradigms", nargs="*", metavar="NAME", help=f"paradigms to run (default: all of {names})")
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where to write NAME.nc (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument("--list", action="store_true", help="list the paradigm names and exit")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.paradigms) - set(names))
    if unknown:
        parser.error(f"unknown paradigm(s) {unknown}; valid names: {names}")
    return args


def main(argv=None):
    """Run the chosen paradigms in NEST and store their references.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status (0 on success).
    """
    paradigms = load_paradigms()
    names = list(paradigms.PARADIGMS)
    args = parse_args(argv, names)
    if args.list:
        print("\n".join(names))
        return 0

    import nest

    if not nest.__version__.startswith(EXPECTED_NEST + "."):
        print(f"warning: NEST {nest.__version__} is not NEST {EXPECTED_NEST}", file=sys.stderr)
    nest.verbosity = nest.VerbosityLevel.ERROR

    args.output_dir.mkdir(parents=True, exist_ok=True)
    for name in args.paradigms or names:
        function = paradigms.PARADIGMS[name]
        ds = paradigms.to_dataset(function(nest), "NEST", nest.__version__)
        ds.attrs["description"] = " ".join(function.__doc__.split("\n\n")[0].split())
        ds.attrs["generated_by"] = "tools/make_nest_references.py"
        target = args.output_dir / f"{name}.nc"
        write_atomically(ds, target)
        size_mb = target.stat().st_size / 1e6
        shape = f"{ds.sizes['time']} samples x {ds.sizes['sender']} neurons, {ds.sizes['spike']} spikes"
        print(f"{target}: {shape}, {size_mb:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
