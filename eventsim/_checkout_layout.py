"""Import ``eventsim.nodes`` and ``eventsim.recorders`` from a source checkout.

The repository keeps the models and recorders in the top-level folders
``nodes/`` and ``recorders/``; installed (wheel or editable), they are the
subpackages ``eventsim.nodes`` and ``eventsim.recorders``.  When ``eventsim``
is imported straight from a checkout (for example by ``python -m pytest`` at
its root), this finder maps those two names to the folders beside the
package, so that a checkout imports exactly as an installation does.
"""

import importlib.abc
import importlib.machinery
import sys
from pathlib import Path

SUBPACKAGES = ("nodes", "recorders")


class CheckoutLayoutFinder(importlib.abc.MetaPathFinder):
    """Finds ``eventsim.<name>`` for the names in :data:`SUBPACKAGES` in the folder `root`."""

    def __init__(self, root):
        self.root = str(root)

    def find_spec(self, fullname, path=None, target=None):
        """Spec of ``eventsim.nodes``/``eventsim.recorders`` from `root`; None for every other name."""
        package, _, name = fullname.rpartition(".")
        if package != "eventsim" or name not in SUBPACKAGES:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, [self.root])


def install(package_dir):
    """Add the finder if `package_dir` (the ``eventsim`` folder) lacks the subpackages and its parent has them."""
    package_dir = Path(package_dir)
    root = package_dir.parent
    if all((package_dir / name).is_dir() for name in SUBPACKAGES):
        return
    if not all((root / name / "__init__.py").is_file() for name in SUBPACKAGES):
        return
    if not any(isinstance(f, CheckoutLayoutFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, CheckoutLayoutFinder(root))
