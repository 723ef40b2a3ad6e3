"""Pickup: fill the placeholder shots of an edit with generated footage.

The Qt-free core.  Layers (dependencies point down): hosts, engine, providers,
media, timeline.  The PySide6 panel lives in ``pickup.ui``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
