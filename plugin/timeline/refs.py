"""Media references as local files: the one reading of a reference's URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

__all__ = ["media_path_of"]


def media_path_of(ref: Any) -> Path | None:
    """The local file an ExternalReference points at (``file://`` URL or a path)."""
    url = getattr(ref, "target_url", None)
    if not url:
        return None
    if "://" in url:
        parsed = urlparse(url)
        if parsed.scheme != "file":
            return None
        path = unquote(parsed.path)
        if parsed.netloc and parsed.netloc != "localhost":
            path = f"//{parsed.netloc}{path}"
        return Path(path)
    return Path(url)
