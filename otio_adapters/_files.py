"""Read and write the adapters' files, turning OS errors into messages a person can act on."""

from __future__ import annotations

import os
from pathlib import Path

from pickup.atomic import atomic_write_bytes
from pickup.errors import WriteError
from pickup.otio_adapters._errors import AdapterError, AdapterWriteError

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
    """Write ``data`` through Pickup's one atomic-write path (temp beside ``filepath``,
    every byte checked, fsync, rename)."""
    try:
        atomic_write_bytes(Path(filepath), data)
    except WriteError as exc:
        raise AdapterWriteError(exc.message, where=exc.where, hint=exc.hint) from None
