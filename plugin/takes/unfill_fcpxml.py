"""Moved to :mod:`pickup.timeline.patch.unfill_fcpxml` (each format's patcher owns both
directions); kept so existing imports work."""

from __future__ import annotations

from pickup.timeline.patch.unfill_fcpxml import *  # noqa: F403
from pickup.timeline.patch.unfill_fcpxml import __all__  # noqa: F401
