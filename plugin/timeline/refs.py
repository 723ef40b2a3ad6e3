"""Media references as local files: the one reading of a reference's URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

__all__ = ["media_path_of", "path_of_url"]


def path_of_url(url: str | None) -> Path | None:
    """The local file a media URL (``file://`` URL or plain path) names; None for other
    schemes and for no URL.  ``file://server/share/x`` keeps its host as a UNC path,
    ``file:///C:/x`` is the Windows path ``C:/x``."""
    if not url:
        return None
    if "://" not in url and not url.startswith("file:"):
        return Path(url)
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if parsed.netloc and parsed.netloc != "localhost":
        path = f"//{parsed.netloc}{path}"
    if len(path) > 2 and path[0] == "/" and path[2] == ":":  # file:///C:/...
        path = path[1:]
    return Path(path)


def media_path_of(ref: Any) -> Path | None:
    """The local file an ExternalReference points at (``file://`` URL or a path)."""
    return path_of_url(getattr(ref, "target_url", None))
