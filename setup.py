"""Map the design card's folders onto one import package, ``pickup``.

``plugin/`` -> ``pickup``, ``ui/`` -> ``pickup.ui``, ``otio_adapters/`` ->
``pickup.otio_adapters``.  Sub-packages are discovered so new ones need no edit here.
Everything else lives in pyproject.toml.
"""

from __future__ import annotations

import os

from setuptools import setup

_ROOTS = {"pickup": "plugin", "pickup.ui": "ui", "pickup.otio_adapters": "otio_adapters"}


def _packages() -> list[str]:
    found: list[str] = []
    for name, folder in _ROOTS.items():
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            if "__init__.py" in filenames:
                rel = os.path.relpath(dirpath, folder)
                found.append(name if rel == "." else name + "." + rel.replace(os.sep, "."))
    return sorted(found)


setup(packages=_packages(), package_dir=dict(_ROOTS))
