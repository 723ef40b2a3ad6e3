"""Write a timeline through an OTIO adapter with every byte checked.

OTIO's JSON writer is C++ and does not report a full disk or a file-size limit: it
leaves a short or empty file and returns normally.  Here the JSON is made in memory
and written with :func:`pickup.atomic.write_all`, so a failed write raises; other
adapters (Python) raise on their own, and :func:`pickup.atomic.atomic_path` checks the
result is not empty before it is renamed into place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.atomic import write_all

__all__ = ["otio_json_bytes", "write_otio"]


def otio_json_bytes(timeline: otio.core.SerializableObject, **kwargs: Any) -> bytes:
    """The OTIO JSON of ``timeline`` (``target_schema_versions`` etc. passed on)."""
    return otio.adapters.write_to_string(timeline, adapter_name="otio_json",
                                         **kwargs).encode("utf-8")


def write_otio(timeline: otio.core.SerializableObject, path: Path | str,
               adapter: str = "otio_json", **kwargs: Any) -> int:
    """Write ``timeline`` to ``path`` with ``adapter``; returns the bytes written for
    JSON (pass it to ``atomic_path(expect_size=)``), or the file's size otherwise."""
    path = Path(path)
    if adapter == "otio_json":
        data = otio_json_bytes(timeline, **kwargs)
        write_all(path, data)
        return len(data)
    otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter, **kwargs)
    return path.stat().st_size
