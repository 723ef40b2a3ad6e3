"""Reach a running DaVinci Resolve through Blackmagic's ``DaVinciResolveScript`` module.

Blackmagic documents three settings for scripts that run outside Resolve:
``RESOLVE_SCRIPT_API`` (the Developer/Scripting folder), ``RESOLVE_SCRIPT_LIB``
(the ``fusionscript`` library) and the ``Modules`` folder on the Python path.  This
module fills in the documented default for the current OS when a setting is not
in the environment, imports the module and asks it for the ``Resolve`` app.  When
either step fails it raises :class:`ResolveUnavailable` (exit 2) naming what is
missing and offering file mode.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from pickup.errors import InputError

__all__ = ["FILE_MODE_HINT", "ResolveSession", "ResolveUnavailable", "ScriptPaths",
           "connect", "load_module", "script_paths"]

MODULE_NAME = "DaVinciResolveScript"

#: What to do when Resolve cannot be scripted: the file round trip always works.
FILE_MODE_HINT = ("or use file mode: in Resolve choose File > Export > Timeline... (OTIO, or "
                  "FCP 7 XML), run `pickup fill FILE`, then File > Import > Timeline... the "
                  "<name>.pickup file it writes")


class ResolveUnavailable(InputError):
    """Resolve cannot be reached: the scripting module is missing or Resolve is not running."""


@dataclass(frozen=True)
class ScriptPaths:
    """Where Blackmagic installs the scripting API on one OS."""

    api: Path
    lib: Path
    modules: Path


def _windows(env: Mapping[str, str]) -> ScriptPaths:
    program_data = env.get("PROGRAMDATA", r"C:\ProgramData")
    api = Path(program_data, "Blackmagic Design", "DaVinci Resolve", "Support", "Developer",
               "Scripting")
    program_files = env.get("PROGRAMFILES", r"C:\Program Files")
    lib = Path(program_files, "Blackmagic Design", "DaVinci Resolve", "fusionscript.dll")
    return ScriptPaths(api, lib, api / "Modules")


def _defaults(platform: str, env: Mapping[str, str]) -> ScriptPaths:
    if platform == "darwin":
        api = Path("/Library/Application Support/Blackmagic Design/DaVinci Resolve/Developer/"
                   "Scripting")
        lib = Path("/Applications/DaVinci Resolve/DaVinci Resolve.app/Contents/Libraries/"
                   "Fusion/fusionscript.so")
        return ScriptPaths(api, lib, api / "Modules")
    if platform.startswith(("win", "cygwin")):
        return _windows(env)
    # Linux: /opt/resolve, or /home/resolve for the ISO (Resolve Studio box) install.
    root = Path("/opt/resolve")
    if not root.exists() and Path("/home/resolve/Developer").exists():
        root = Path("/home/resolve")
    api = root / "Developer" / "Scripting"
    return ScriptPaths(api, root / "libs" / "Fusion" / "fusionscript.so", api / "Modules")


def script_paths(platform: str | None = None, env: Mapping[str, str] | None = None
                 ) -> ScriptPaths:
    """The API folder, library and Modules folder: the environment's, else the OS default."""
    platform = platform or sys.platform
    env = os.environ if env is None else env
    default = _defaults(platform, env)
    api = Path(env["RESOLVE_SCRIPT_API"]) if env.get("RESOLVE_SCRIPT_API") else default.api
    lib = Path(env["RESOLVE_SCRIPT_LIB"]) if env.get("RESOLVE_SCRIPT_LIB") else default.lib
    return ScriptPaths(api, lib, api / "Modules")


def load_module(platform: str | None = None,
                env: MutableMapping[str, str] | None = None) -> ModuleType:
    """Import ``DaVinciResolveScript`` the way Blackmagic documents it.

    Sets ``RESOLVE_SCRIPT_API`` and ``RESOLVE_SCRIPT_LIB`` in ``env`` (the process
    environment by default) when they are unset, and puts the Modules folder on
    ``sys.path``.  A module already importable (or already imported) is used as is.
    """
    env = os.environ if env is None else env
    paths = script_paths(platform, env)
    env.setdefault("RESOLVE_SCRIPT_API", str(paths.api))
    env.setdefault("RESOLVE_SCRIPT_LIB", str(paths.lib))
    if MODULE_NAME in sys.modules:
        return sys.modules[MODULE_NAME]
    modules = str(paths.modules)
    if modules not in sys.path:
        sys.path.append(modules)
    try:
        return importlib.import_module(MODULE_NAME)
    except ImportError as exc:
        found = (paths.modules / f"{MODULE_NAME}.py").is_file()
        what = (f"the {MODULE_NAME} module could not load Resolve's scripting library "
                f"({exc})" if found else f"the {MODULE_NAME} module was not found")
        raise ResolveUnavailable(
            what, where=str(paths.lib if found else paths.modules),
            hint="install DaVinci Resolve, or set RESOLVE_SCRIPT_API and RESOLVE_SCRIPT_LIB "
            f"as Blackmagic's Developer/Scripting README shows; {FILE_MODE_HINT}") from None


@dataclass
class ResolveSession:
    """A connection to a running Resolve: the app object and its scripting module."""

    resolve: Any
    module: ModuleType | None = None

    def project(self) -> Any:
        """The open project; :class:`ResolveUnavailable` when none is open."""
        manager = self.resolve.GetProjectManager()
        project = manager.GetCurrentProject() if manager is not None else None
        if project is None:
            raise ResolveUnavailable("Resolve has no project open",
                                     hint="open the project in Resolve and try again")
        return project

    def current_timeline(self) -> Any:
        timeline = self.project().GetCurrentTimeline()
        if timeline is None:
            raise ResolveUnavailable("the Resolve project has no current timeline",
                                     hint="open a timeline on the Edit page and try again")
        return timeline

    def version(self) -> str:
        try:
            return str(self.resolve.GetVersionString())
        except Exception:  # a very old Resolve has no GetVersionString
            return "unknown"


def connect(module: ModuleType | None = None) -> ResolveSession:
    """Connect to the running Resolve; :class:`ResolveUnavailable` (exit 2) if it cannot."""
    module = module or load_module()
    try:
        resolve = module.scriptapp("Resolve")
    except Exception as exc:  # the native module raises its own errors
        resolve = None
        detail = f" ({type(exc).__name__}: {exc})"
    else:
        detail = ""
    if resolve is None:
        raise ResolveUnavailable(
            f"DaVinci Resolve cannot be reached: it is not running, or external scripting "
            f"is off{detail}",
            hint="start Resolve and open the project; in Preferences > System > General set "
            f"'External scripting using' to Local; {FILE_MODE_HINT}")
    return ResolveSession(resolve=resolve, module=module)
