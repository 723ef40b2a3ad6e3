"""Write a timeline through an OTIO adapter with every byte checked.

OTIO's JSON writer is C++ and does not report a full disk or a file-size limit: it
leaves a short or empty file and returns normally.  Here the JSON is made in memory
and written with :func:`pickup.atomic.write_all`, so a failed write raises; other
adapters (Python) raise on their own, and :func:`pickup.atomic.atomic_path` checks the
result is not empty before it is renamed into place.
"""

from __future__ import annotations

import contextlib
import errno
import zipfile
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
    if adapter == "otioz":
        # The otioz adapter refuses an existing file, and the temp file of
        # atomic_path already exists (empty): without this every .otioz output failed.
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size == 0:
                path.unlink()
        # Bundle the local media, as an .otioz is meant to (OTIO's AllMissing policy
        # fails on generator references and would unlink every clip's media).
        kwargs["media_policy"] = \
            otio.adapters.file_bundle_utils.MediaReferencePolicy.MissingIfNotFile
        otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter, **kwargs)
        _check_zip(path)
        return path.stat().st_size
    otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter, **kwargs)
    return path.stat().st_size


def _check_zip(path: Path) -> None:
    """An otioz bundle must read back whole (zipfile's CRCs), or the write failed."""
    try:
        with zipfile.ZipFile(path) as bundle:
            bad = bundle.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise OSError(errno.EIO, f"the bundle written is not whole: {exc}") from None
    if bad is not None:
        raise OSError(errno.EIO, f"the bundle written is not whole ({bad})")
