"""The three Resolve round trips as one call each: open in Pickup, send back, fill headless.

Also where exports go (``~/Documents/Pickup/Resolve/<project>/``, or
``PICKUP_RESOLVE_DIR``) and how the panel is opened: through a lazy import of
``pickup.ui.app``, so this module never imports Qt.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

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
    exported: ExportResult
    filled: Path | None
    fill_code: int
    sent: SendResult | None


def fill_and_send(session: ResolveSession, fill_args: Sequence[str], *,
                  run_fill: Callable[[list[str]], int],
                  root: Path | None = None, name: str | None = None) -> FillResult:
    """Export the current timeline, ``pickup fill`` it, send it back as a new timeline.

    ``fill_args`` are extra ``pickup fill`` options (``--provider``, ``--takes`` ...);
    ``run_fill`` runs a ``pickup`` command line (the CLI passes its own ``main``: hosts
    sit below the CLI and do not import it).
    The send happens when fill wrote a timeline (exit 0, or 1 when only some slots
    failed); otherwise nothing in Resolve changes.
    """
    exported = open_in_pickup(session, root=root, panel=False)
    filled = default_output(exported.path)
    args = list(fill_args)
    size = timeline_size(session)
    if size and "--size" not in args:
        args += ["--size", f"{size[0]}x{size[1]}"]
    code = int(run_fill(["fill", str(exported.path), *args, "-o", str(filled)]) or 0)
    if code not in (0, 1) or not filled.is_file():
        return FillResult(exported, None, code, None)
    sent = send_timeline(session, filled, name=name or exported.timeline_name)
    return FillResult(exported, filled, code, sent)
