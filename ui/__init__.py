"""The Pickup panel (PySide6): see the slots, generate, compare takes in context, send back.

``pickup-panel [TIMELINE]`` opens it in a window (:func:`pickup.ui.app.main`); an editor
bridge docks :class:`pickup.ui.panel.PickupPanel`.  Only this package imports Qt.
"""

from __future__ import annotations

__all__ = ["PickupPanel", "main"]


def __getattr__(name: str) -> object:
    # Lazy, so `import pickup.ui.services` does not pull in every widget.
    if name == "PickupPanel":
        from pickup.ui.panel import PickupPanel

        return PickupPanel
    if name == "main":
        from pickup.ui.app import main

        return main
    raise AttributeError(name)
