"""Editor bridges: DaVinci Resolve through its scripting API, file hand-offs for the rest.

``pickup.hosts.resolve`` talks to a running Resolve (export the current timeline,
send a filled one back as a new timeline or as takes); ``pickup.hosts.handoff``
turns a filled timeline into what Avid, Premiere or Final Cut Pro imports.  Nothing
here imports Qt: opening the panel goes through a lazy import of ``pickup.ui``.
"""

from __future__ import annotations

__all__ = ["filled", "handoff", "resolve"]
