"""Run the CF checker (``cfchecks`` of the cfchecker package) on our netCDF files, group by group.

cfchecker checks only the root group of a file, so :func:`cf_problems` also
copies every group into a flat file of its own (dimensions, variables and
attributes as stored) and checks that.  The CF tables come from the stubs in
``tests/cf_tables`` and are never downloaded.
"""

from pathlib import Path

import netCDF4
import pytest

CF_TABLES = Path(__file__).resolve().parent / "cf_tables"

#: Message categories that fail the check.
FAILING = ("FATAL", "ERROR", "WARN")


def cf_checker():
    """A silent :class:`cfchecker.cfchecks.CFChecker` using the stub tables; skips the test if unavailable.

    cfchecker needs the udunits2 C library (Debian: ``libudunits2-0``), which
    ``.ci/run`` installs.
    """
    try:
        from cfchecker import cfchecks
    except (ImportError, OSError) as err:
        pytest.skip(f"cfchecker (extra 'test') or the udunits2 library is not installed: {err}")
    return cfchecks.CFChecker(cfStandardNamesXML=str(CF_TABLES / "cf-standard-name-table.xml"),
                              cfAreaTypesXML=str(CF_TABLES / "area-type-table.xml"),
                              cfRegionNamesXML=str(CF_TABLES / "standardized-region-list.xml"),
                              version=cfchecks.CFVersion((1, 8)), silent=True)


def group_paths(path):
    """Paths ("/" and "/a/b") of every group of the netCDF file `path`."""
    out = []

    def walk(group, prefix):
        out.append(prefix or "/")
        for name, child in group.groups.items():
            walk(child, f"{prefix}/{name}")

    with netCDF4.Dataset(path) as nc:
        walk(nc, "")
    return out


def flatten_group(path, group, target):
    """Copy group `group` of `path` (with the dimensions it sees) to the root of a new file `target`."""
    with netCDF4.Dataset(path) as src, netCDF4.Dataset(target, "w") as dst:
        g = src[group] if group != "/" else src
        dims = {}
        scope = g
        while scope is not None:
            for name, dim in scope.dimensions.items():
                dims.setdefault(name, dim)
            scope = scope.parent
        for name, dim in dims.items():
            dst.createDimension(name, None if dim.isunlimited() else len(dim))
        dst.setncatts({k: g.getncattr(k) for k in g.ncattrs()})
        for name, var in g.variables.items():
            var.set_auto_maskandscale(False)
            fill = var.getncattr("_FillValue") if "_FillValue" in var.ncattrs() else None
            out = dst.createVariable(name, var.datatype, var.dimensions, fill_value=fill)
            out.set_auto_maskandscale(False)
            out.setncatts({k: var.getncattr(k) for k in var.ncattrs() if k != "_FillValue"})
            if var.size:
                out[...] = var[...]


def cf_problems(path, tmp_path):
    """Errors and warnings of cfchecks for the root and every group of `path`, as ``{group: [message]}``.

    Groups without problems are left out, so an empty dict means the file
    is CF-1.8 compliant throughout.  Also fails if the root lacks
    ``Conventions``.
    """
    problems = {}
    with netCDF4.Dataset(path) as nc:
        if getattr(nc, "Conventions", None) != "CF-1.8":
            problems["/"] = ["root group has no Conventions = 'CF-1.8'"]
    for group in group_paths(path):
        flat = tmp_path / f"cf_{group.strip('/').replace('/', '.') or 'root'}.nc"
        if group == "/":
            flat = Path(path)
        else:
            flatten_group(path, group, flat)
        checker = cf_checker()
        checker.checker(str(flat))
        bad = [m for m in checker.all_messages if m.split(":", 1)[0] in FAILING]
        if bad:
            problems.setdefault(group, []).extend(bad)
    return problems
