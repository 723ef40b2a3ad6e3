"""DaVinci Resolve bridge: reach Resolve through ``DaVinciResolveScript``, round-trip timelines.

``connect()`` finds Blackmagic's scripting module (``RESOLVE_SCRIPT_API``,
``RESOLVE_SCRIPT_LIB``, the Modules folder per OS) and the running app;
``export_current_timeline`` / ``send_timeline`` / ``add_takes`` move timelines;
``install`` puts the Workspace > Scripts launcher in place.  Run
``python -m pickup.hosts.resolve install|uninstall [--user|--system]``.
"""

from __future__ import annotations

from pickup.hosts.resolve.bridge import (
    BIN_NAME,
    ExportResult,
    ResolveStepError,
    SendResult,
    add_takes,
    export_current_timeline,
    next_version_name,
    send_timeline,
)
from pickup.hosts.resolve.connect import (
    ResolveSession,
    ResolveUnavailable,
    connect,
    load_module,
    script_paths,
)
from pickup.hosts.resolve.install import install, scripts_dir, uninstall
from pickup.hosts.resolve.workflow import fill_and_send, open_in_pickup, open_panel, send

__all__ = [
    "BIN_NAME",
    "ExportResult",
    "ResolveSession",
    "ResolveStepError",
    "ResolveUnavailable",
    "SendResult",
    "add_takes",
    "connect",
    "export_current_timeline",
    "fill_and_send",
    "install",
    "load_module",
    "next_version_name",
    "open_in_pickup",
    "open_panel",
    "script_paths",
    "scripts_dir",
    "send",
    "send_timeline",
    "uninstall",
]
