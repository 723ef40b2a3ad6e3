"""Read and write the adapters' files, turning OS errors into messages a person can act on."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from pickup.otio_adapters._errors import AdapterError

__all__ = ["read_bytes", "write_bytes_atomically"]


def read_bytes(filepath: str | os.PathLike[str], what: str) -> bytes:
    """The bytes of ``filepath``; a missing, unreadable or empty file is an AdapterError."""
    path = Path(filepath)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AdapterError("no such file", where=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise AdapterError("is a folder, not a file", where=str(path)) from None
    except OSError as exc:
        raise AdapterError(f"cannot be read: {exc.strerror or exc}", where=str(path)) from None
    if not data.strip():
        raise AdapterError("the file is empty", where=str(path),
                           hint=f"write or export the {what} again")
    return data


def write_bytes_atomically(filepath: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``filepath``, sync it, then rename it over."""
    path = Path(filepath)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise AdapterError(f"cannot write here: {exc.strerror or exc}", where=str(path)) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise AdapterError(f"cannot be written: {exc.strerror or exc}", where=str(path)) from None
