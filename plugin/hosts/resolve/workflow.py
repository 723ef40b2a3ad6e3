"""The three Resolve round trips as one call each: open in Pickup, send back, fill headless
(through the workflow's :func:`~pickup.workflow.fill_timeline`, as ``pickup fill`` does).

Also where exports go (``~/Documents/Pickup/Resolve/<project>/``, or
``PICKUP_RESOLVE_DIR``) and how the panel is opened: through a lazy import of
``pickup.ui.app``, so this module never imports Qt.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pickup.config import Config
from pickup.engine import EventCallback, Plan
from pickup.errors import InputError
from pickup.hosts.resolve.bridge import (
    ExportResult,
    SendResult,
    add_takes,
    export_current_timeline,
    send_timeline,
)
from pickup.hosts.resolve.connect import ResolveSession
from pickup.timeline import default_output
from pickup.workflow import Fill, FillOptions, FillOutcome, fill_timeline
from pickup.workflow.edl_rate import read_cut

__all__ = ["ENV_DIR", "FillResult", "default_handoff_root", "fill_and_send", "handoff_folder",
           "open_in_pickup", "open_panel", "send", "timeline_size"]

#: Environment override for the folder exports go into.
ENV_DIR = "PICKUP_RESOLVE_DIR"


def default_handoff_root() -> Path:
    """``$PICKUP_RESOLVE_DIR``, else ``<Documents>/Pickup/Resolve``."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "Pickup" / "Resolve"


def handoff_folder(project_name: str, root: Path | None = None) -> Path:
    """The folder for one Resolve project's exports (and Pickup's project folders)."""
    safe = re.sub(r"[^\w.+-]+", "_", project_name).strip("._")[:80] or "project"
    return (root or default_handoff_root()) / safe


def open_panel(timeline: Path) -> int:
    """Open the Pickup panel on ``timeline`` and wait until it is closed."""
    import importlib

    try:
        # Looked up at run time only: the core and the CLI never import Qt or the UI.
        app = importlib.import_module("pickup.ui.app")
    except ImportError as exc:
        raise InputError(f"the Pickup panel is not available in this install ({exc})",
                         hint=f"fill from the command line: pickup fill {timeline}") from None
    return int(app.main([str(timeline)]) or 0)


def open_in_pickup(session: ResolveSession, *, root: Path | None = None,
                   panel: bool = True) -> ExportResult:
    """Export Resolve's current timeline and (with ``panel``) open the panel on it."""
    project = session.project()
    folder = handoff_folder(str(project.GetName()), root)
    result = export_current_timeline(session, folder)
    if panel:
        open_panel(result.path)
    return result


def send(session: ResolveSession, filled: Path, *, as_takes: bool = False,
         name: str | None = None, timeline: str | None = None, finalize: bool = False,
         open_timeline: bool = True) -> SendResult:
    """Send a filled timeline back: a new timeline (default) or takes on placeholders."""
    if as_takes:
        return add_takes(session, filled, timeline_name=timeline, finalize=finalize)
    if finalize:
        raise InputError("--finalize goes with --as-takes", hint="add --as-takes")
    return send_timeline(session, filled, name=name, open_timeline=open_timeline)


def timeline_size(session: ResolveSession) -> tuple[int, int] | None:
    """The current timeline's resolution from Resolve's settings, if it says."""
    try:
        timeline = session.current_timeline()
        width = int(timeline.GetSetting("timelineResolutionWidth") or 0)
        height = int(timeline.GetSetting("timelineResolutionHeight") or 0)
    except (ValueError, TypeError):
        return None
    return (width, height) if width >= 16 and height >= 16 else None


@dataclass(frozen=True)
class FillResult:
    """``fill_and_send``: the export, the filled timeline (None when the fill was
    cancelled or no slot got a take), the fill's exit code (0; 1 when some take failed
    or nothing was written; 130 when cancelled), what was sent to Resolve (None when
    nothing was), and the fill's :class:`~pickup.workflow.FillOutcome`."""

    exported: ExportResult
    filled: Path | None
    fill_code: int
    sent: SendResult | None
    outcome: FillOutcome | None = None


def fill_and_send(session: ResolveSession, options: FillOptions, *,
                  root: Path | None = None, name: str | None = None,
                  config: Config | None = None,
                  on_plan: Callable[[Fill, Plan], None] | None = None,
                  on_event: EventCallback | None = None,
                  cancel: threading.Event | None = None,
                  say: Callable[[str], None] | None = None) -> FillResult:
    """Export the current timeline, fill it through the workflow
    (:func:`~pickup.workflow.fill_timeline`, as ``pickup fill`` does), send it back as
    a new timeline.

    Takes are sized from the Resolve timeline's resolution unless ``options.size``
    says.  The send happens when the fill wrote a timeline (every take made, or only
    some failed); otherwise nothing in Resolve changes.  Bad input raises
    :class:`pickup.errors.InputError` before anything is paid for.
    """
    exported = open_in_pickup(session, root=root, panel=False)
    size = timeline_size(session)
    if size and options.size is None:
        options = replace(options, size=size,
                          size_source="the Resolve timeline's resolution")
    dest = default_output(exported.path)
    loaded, note = read_cut(exported.path, project=options.project)
    if note and say is not None:
        say(f"{loaded.path.name}: {note}")
    outcome = fill_timeline(loaded, dest, options, config=config,
                            backup=dest.exists(), on_plan=on_plan, on_event=on_event,
                            cancel=cancel, say=say)
    written = outcome.written
    if written is None:
        return FillResult(exported, None, outcome.code, None, outcome)
    sent = send_timeline(session, written, name=name or exported.timeline_name)
    return FillResult(exported, written, outcome.code, sent, outcome)
