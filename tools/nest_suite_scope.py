"""Static scope rules for NEST's test suite: which tests need features eventsim does not claim.

Used by ``tools/nest_suite.py`` to classify failing tests as ``out_of_scope`` rather than
``fail``.  Three kinds of evidence, all found without running the test:

* the directory: :data:`OUT_OF_SCOPE_DIRS` (spatial networks, MPI, structural plasticity);
* markers that require MPI, threads or other build features (:data:`OUT_OF_SCOPE_MARKERS`);
* names in the test's code: a NEST node model or synapse model that eventsim does not
  provide, or ``spatial``.  The code read is the test function (with its class's set-up
  methods and class attributes, those of its base classes in the same file included, and the
  fixtures it requests from the same file), every module-level function,
  class or constant it refers to (transitively), and the parameter id of a parametrised test.
"""

import ast
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["OUT_OF_SCOPE_DIRS", "OUT_OF_SCOPE_MARKERS", "directory_reason", "marker_reason", "code_reason"]

#: Top-level directories of the suite whose every test needs a feature eventsim does not claim.
OUT_OF_SCOPE_DIRS = {
    "spatial": "spatial networks (nest.spatial)",
    "mpi_direct": "MPI",
    "mpi_indirect": "MPI",
    "structural_plasticity": "structural plasticity",
}

#: Marker names (NEST's conftest) meaning the test needs MPI, threads or an optional library.
OUT_OF_SCOPE_MARKERS = {
    "skipif_missing_mpi": "MPI",
    "skipif_incompatible_mpi": "MPI",
    "skipif_missing_mpi4py": "MPI",
    "skipif_missing_threads": "threads",
    "requires_many_cores": "threads",
    "skipif_missing_music": "MUSIC",
    "skipif_missing_hdf5": "HDF5",
}

_SETUP_METHODS = ("setUp", "setUpClass", "setup_method", "setup_class", "setup", "setUpModule")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def directory_reason(nodeid):
    """Reason string if the test's top-level directory is out of scope, else None."""
    top = nodeid.split("/", 1)[0]
    return OUT_OF_SCOPE_DIRS.get(top)


def marker_reason(markers):
    """Reason string if one of the marker names requires an unclaimed feature, else None."""
    for name in sorted(markers):
        if name in OUT_OF_SCOPE_MARKERS:
            return f"marker {name} ({OUT_OF_SCOPE_MARKERS[name]})"
    return None


def code_reason(suite_dir, nodeid, missing_nodes, missing_synapses):
    """Reason string if the test's code names something eventsim lacks, else None.

    `missing_nodes` and `missing_synapses` are the NEST model names eventsim does not provide.
    Markers written on the test, its class or its module count as well.
    """
    path, _, rest = nodeid.partition("::")
    parts = rest.split("::") if rest else []
    if not parts:
        return None
    name, _, param_id = parts[-1].partition("[")
    module = _parse(str(Path(suite_dir) / path))
    if module is None:
        return None
    tokens, markers = _test_tokens(module, parts[:-1], name)
    tokens |= set(_IDENT.findall(param_id))
    reason = marker_reason(markers)
    if reason:
        return reason
    if "spatial" in tokens:
        return "spatial networks (nest.spatial)"
    for kind, missing in (("model", missing_nodes), ("synapse model", missing_synapses)):
        found = sorted(tokens & set(missing))
        if found:
            return f"{kind} {', '.join(found)}"
    return None


@lru_cache(maxsize=None)
def _parse(path):
    """Module AST and a table of its top-level definitions by name (None if unreadable)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    defs = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        defs[leaf.id] = node
    return tree, defs


def _test_tokens(module, class_path, name):
    """Identifiers in string constants and names of the test's code, and the marker names on it."""
    tree, defs = module
    markers = set(_marker_names(defs.get("pytestmark")))
    roots = []
    scope = defs
    owner = None
    for cls_name in class_path:
        owner = scope.get(cls_name)
        if not isinstance(owner, ast.ClassDef):
            return set(), markers
        markers |= _decorator_markers(owner)
        scope, attributes = _class_members(owner, defs)
        for stmt in attributes:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark"
                                                    for t in stmt.targets):
                markers |= set(_marker_names(stmt))
        roots += [scope[m] for m in _SETUP_METHODS if m in scope]
        roots += attributes  # class attributes (e.g. a dict naming the synapse model), read as self.x
    func = scope.get(name)
    if func is None:
        return set(), markers
    markers |= _decorator_markers(func)
    roots.append(func)
    roots += [defs[n] for n in _SETUP_METHODS if n in defs]
    roots += [defs[a.arg] for a in func.args.args if a.arg in defs]  # fixtures of the same file
    methods = scope if owner is not None else {}
    tokens, seen, todo = set(), set(), list(roots)
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        body = node.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else [node]
        for stmt in body:
            for leaf in ast.walk(stmt):
                if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str):
                    tokens |= set(_IDENT.findall(leaf.value))
                elif isinstance(leaf, ast.Name):
                    tokens.add(leaf.id)
                    if leaf.id in defs:
                        todo.append(defs[leaf.id])
                elif isinstance(leaf, ast.Attribute):
                    tokens.add(leaf.attr)
                    if isinstance(leaf.value, ast.Name) and leaf.value.id in ("self", "cls") and leaf.attr in methods:
                        todo.append(methods[leaf.attr])
    return tokens, markers


def _class_members(cls, defs, seen=None):
    """Methods (name -> node; the class's own override its bases') and class-level statements of class
    `cls` and of its base classes defined in the same module: a test inherited from a base class runs
    with the set-up methods and attributes of the class it is collected in."""
    seen = set() if seen is None else seen
    seen.add(cls.name)
    methods, attributes = {}, []
    for base in cls.bases:
        if isinstance(base, ast.Name) and isinstance(defs.get(base.id), ast.ClassDef) and base.id not in seen:
            base_methods, base_attributes = _class_members(defs[base.id], defs, seen)
            methods.update(base_methods)
            attributes += base_attributes
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            attributes.append(node)
    return methods, attributes


def _decorator_markers(node):
    """Names of ``pytest.mark.<name>`` decorators on a function or class."""
    names = set()
    for dec in node.decorator_list:
        names |= set(_marker_names(dec))
    return names


def _marker_names(node):
    """Names ``x`` of every ``pytest.mark.x`` / ``mark.x`` inside `node` (None gives none)."""
    if node is None:
        return []
    return [leaf.attr for leaf in ast.walk(node)
            if isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Attribute) and leaf.value.attr == "mark"]
