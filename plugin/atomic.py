"""Atomic file writes: temp file in the same folder, fsync, rename; optional backup.

A crash at any moment leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from pickup.errors import WriteError

__all__ = ["atomic_path", "atomic_write_bytes", "backup_path"]


def backup_path(path: Path) -> Path:
    """``<name>.bak`` beside ``path``."""
    return path.with_name(path.name + ".bak")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every OS lets you fsync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _explain(exc: OSError, dest: Path) -> WriteError:
    if exc.errno == errno.ENOSPC:
        msg = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        msg = "no permission to write here"
    else:
        msg = exc.strerror or str(exc)
    return WriteError(f"cannot write: {msg}", where=str(dest),
                      hint="nothing was changed; free space or choose another output with -o")


@contextlib.contextmanager
def atomic_path(dest: Path | str, *, backup: bool = False, suffix: str | None = None
                ) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; on success fsync it and rename it over ``dest``.

    With ``backup`` an existing ``dest`` is first copied to ``<name>.bak``.  On any
    exception the temp file is removed and ``dest`` is untouched.
    """
    dest = Path(dest)
    folder = dest.parent if str(dest.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=suffix or dest.suffix,
                                        dir=folder)
        os.close(fd)
    except OSError as exc:
        raise _explain(exc, dest) from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        if backup and dest.exists():
            bak = backup_path(dest)
            with atomic_path(bak) as bak_tmp:
                shutil.copy2(dest, bak_tmp)
        if dest.exists():
            with contextlib.suppress(OSError):
                shutil.copymode(dest, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, dest)
        _fsync_dir(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _explain(exc, dest) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(dest: Path | str, data: bytes | Callable[[], bytes], *,
                       backup: bool = False) -> Path:
    """Write ``data`` to ``dest`` atomically; returns ``dest``."""
    dest = Path(dest)
    with atomic_path(dest, backup=backup) as tmp:
        tmp.write_bytes(data() if callable(data) else data)
    return dest
