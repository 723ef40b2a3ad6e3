"""Moved to :mod:`pickup.timeline.patch.restore` (each format's patcher owns both
directions); kept so existing imports work."""

from __future__ import annotations

from pickup.timeline.patch.restore import *  # noqa: F403
from pickup.timeline.patch.restore import __all__  # noqa: F401
