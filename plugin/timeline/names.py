"""Names that come from files (slot ids, marker text, provider and server output names)
made safe before they touch a path.

A timeline is input from someone else: ``metadata.pickup.slot_id`` may say
``../../x``, an absolute path, hold a NUL, a backslash or be 10,000 characters long.
:func:`is_safe_id` decides whether an id may be used as it is; :func:`safe_component`
turns any text into one path component that stays in its folder on every OS;
:func:`confined` checks that a path built from such parts is still inside its root.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from pickup.errors import InputError

__all__ = ["MAX_COMPONENT", "confined", "is_safe_id", "safe_component", "safe_suffix"]

#: Longest path component Pickup makes from a name (file systems allow 255 bytes; the
#: rest of a file name — take, attempt, suffix — needs room too).
MAX_COMPONENT = 80

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+=@-]*")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9_.+=@-]+")
#: Names Windows will not create, whatever the suffix (CON.mov is the console).
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
             *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))}


def _reserved(text: str) -> bool:
    return text.split(".")[0].upper() in _RESERVED


def is_safe_id(text: object) -> bool:
    """True when ``text`` can be a path component as it is: letters, digits and
    ``_ . + = @ -``, starting with a letter or digit, no ``..``, not a reserved
    device name, at most :data:`MAX_COMPONENT` characters."""
    return (isinstance(text, str) and 0 < len(text) <= MAX_COMPONENT
            and _SAFE_ID.fullmatch(text) is not None and ".." not in text
            and not _reserved(text))


def safe_component(text: object, *, fallback: str = "item") -> str:
    """``text`` as one safe path component (see :func:`is_safe_id`); a text that already
    is one comes back unchanged."""
    if is_safe_id(text):
        return str(text)
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE_CHARS.sub("_", folded).replace("..", "_").strip("._-")
    cleaned = cleaned[:MAX_COMPONENT].rstrip("._-")
    if not cleaned:
        cleaned = fallback
    if _reserved(cleaned):
        head, dot, rest = cleaned.partition(".")
        cleaned = f"{head}_{dot}{rest}"
    return cleaned[:MAX_COMPONENT]


def safe_suffix(text: object, default: str = "") -> str:
    """A file suffix from a server's file name: ``.mp4``; anything else is ``default``."""
    suffix = os.path.splitext(str(text).replace("\\", "/").rsplit("/", 1)[-1])[1].lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else default


def confined(root: Path, path: Path, *, what: str = "a file") -> Path:
    """``path`` if it resolves inside ``root``; else an InputError (nothing written)."""
    base = Path(os.path.realpath(root))
    real = Path(os.path.realpath(path))
    if real != base and base not in real.parents:
        raise InputError(f"refusing to write {what} outside the project folder",
                         where=str(path), hint=f"the project folder is {root}")
    return path
