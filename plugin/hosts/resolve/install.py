"""Put the "Pickup" launcher where Resolve lists scripts (Workspace > Scripts), or remove it.

Resolve scans ``Fusion/Scripts`` (per user, or for all users) at start-up; a
script under its ``Utility`` folder is listed on every page.  The launcher is
rendered from ``Pickup.py.in`` with the path of this Python interpreter, so that
Resolve's own Python only has to start it: everything else runs in Pickup's
environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pickup import __version__
from pickup.atomic import atomic_write_bytes
from pickup.errors import InputError, WriteError

__all__ = ["LAUNCHER_NAME", "InstallResult", "install", "launcher_text", "scripts_dir",
           "uninstall"]

LAUNCHER_NAME = "Pickup.py"
#: Environment override for the Scripts folder (tests, unusual installs).
ENV_DIR = "PICKUP_RESOLVE_SCRIPTS_DIR"


@dataclass(frozen=True)
class InstallResult:
    path: Path
    action: str  # "installed", "updated", "removed", "absent"


def scripts_dir(scope: str = "user", platform: str | None = None,
                env: Mapping[str, str] | None = None) -> Path:
    """The ``Fusion/Scripts/Utility`` folder for ``scope`` ("user" or "system")."""
    platform = platform or sys.platform
    env = os.environ if env is None else env
    if env.get(ENV_DIR):
        return Path(env[ENV_DIR])
    if scope not in ("user", "system"):
        raise InputError(f"unknown scope {scope!r}", hint="use --user or --system")
    home = Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    if platform == "darwin":
        base = Path("/Library") if scope == "system" else home / "Library"
        root = base / "Application Support" / "Blackmagic Design" / "DaVinci Resolve"
        scripts = root / "Fusion" / "Scripts"
    elif platform.startswith(("win", "cygwin")):
        if scope == "system":
            data = env.get("PROGRAMDATA", r"C:\ProgramData")
            scripts = Path(data, "Blackmagic Design", "DaVinci Resolve", "Fusion", "Scripts")
        else:
            data = env.get("APPDATA") or str(home / "AppData" / "Roaming")
            scripts = Path(data, "Blackmagic Design", "DaVinci Resolve", "Support", "Fusion",
                           "Scripts")
    else:
        if scope == "system":
            root = Path("/opt/resolve")
            if not root.exists() and Path("/home/resolve").exists():
                root = Path("/home/resolve")
            scripts = root / "Fusion" / "Scripts"
        else:
            scripts = home / ".local" / "share" / "DaVinciResolve" / "Fusion" / "Scripts"
    return scripts / "Utility"


def launcher_text(python: str | None = None, handoff: Path | None = None) -> str:
    """The launcher script, bound to ``python`` (this interpreter by default)."""
    from pickup.hosts.resolve.workflow import default_handoff_root

    template = resources.files("pickup.hosts.resolve").joinpath("Pickup.py.in").read_text(
        encoding="utf-8")
    return (template.replace("@PYTHON@", repr(python or sys.executable))
            .replace("@HANDOFF@", repr(str(handoff or default_handoff_root())))
            .replace("@VERSION@", __version__))


def install(scope: str = "user", dest: Path | None = None) -> InstallResult:
    """Write the launcher into the Scripts/Utility folder; returns where."""
    folder = Path(dest) if dest else scripts_dir(scope)
    path = folder / LAUNCHER_NAME
    existed = path.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the Resolve scripts folder: {exc.strerror}",
                         where=str(folder),
                         hint="run with --user, or as an administrator for --system") from None
    atomic_write_bytes(path, launcher_text().encode("utf-8"))
    return InstallResult(path, "updated" if existed else "installed")


def uninstall(scope: str = "user", dest: Path | None = None) -> InstallResult:
    """Remove the launcher (only Pickup's own file); returns where it was."""
    folder = Path(dest) if dest else scripts_dir(scope)
    path = folder / LAUNCHER_NAME
    if not path.exists():
        return InstallResult(path, "absent")
    if "pickup.hosts.resolve" not in path.read_text(encoding="utf-8", errors="replace"):
        raise InputError("that file was not written by Pickup; left it alone",
                         where=str(path), hint="remove it by hand if you mean to")
    try:
        path.unlink()
    except OSError as exc:
        raise WriteError(f"cannot remove the launcher: {exc.strerror}", where=str(path),
                         hint="run as the user who installed it") from None
    return InstallResult(path, "removed")
