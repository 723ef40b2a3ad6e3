"""Format patchers: write a filled timeline by patching the editor's own file.

One module per format (``fcp7xml``, ``fcpxml``, ``edl``, ``aaf``); each has a
Patcher class registered in :data:`pickup.timeline.writeback.PATCHERS`.
"""

from __future__ import annotations

__all__ = ["aaf", "edl", "fcp7xml", "fcpxml"]
