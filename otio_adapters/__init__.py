"""Pickup's OpenTimelineIO adapter plugins: from script to timeline.

* ``fountain`` reads Fountain screenplays (.fountain, .spmd),
* ``fdx`` reads Final Draft screenplays (.fdx),
* ``shotlist`` reads and writes shot lists (.csv).

Each screenplay becomes a timeline of marked slots: one gap per scene (or per
shot), carrying a ``GEN kind: prompt`` marker and ``metadata["pickup"]``.  OTIO
finds the adapters through ``plugin_manifest.json`` beside this file (the
``opentimelineio.plugins`` entry point names this package), so after install
``otio.adapters.read_from_file("film.fountain")`` and ``otioconvert`` just work.
The modules with a leading underscore are the shared machinery: parsers produce
a neutral :class:`~pickup.otio_adapters._script.Script`, and ``_build`` turns
any script into a timeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pickup.otio_adapters import fdx, fountain, shotlist

__all__ = ["fdx", "fountain", "shotlist"]


def __getattr__(name: str) -> object:
    """Import an adapter module on first use (OTIO imports this package to find the manifest,
    and should not pay for, or fail on, an adapter it does not use)."""
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
