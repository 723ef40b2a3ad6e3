"""Atomic file writes: temp file in the same folder, fsync, rename; optional backup.

A crash at any moment leaves either the old file or the new one, never a mix.  A write
whose bytes did not all reach the disk (a short write, ENOSPC, EFBIG under a file-size
limit, EIO on write, fsync or close) raises :class:`~pickup.errors.WriteError` and
leaves the old file exactly as it was.  Writers that do not report their own errors
(OTIO's C++ JSON writer, for one) are caught by the checks made before the rename: the
temp file must not be empty, and must hold exactly the bytes expected when the caller
knows how many.

Temp files are named ``.<name>.pickup-<pid>-XXXXXXXX<suffix>`` so that a later run can
recognise its own leftovers after a ``kill -9`` (:func:`sweep_stale_temps`).  A
destination that is a symbolic link is written through: the link stays, its target is
replaced (and backed up beside the target).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pickup.errors import WriteError

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "backup_path",
    "backups",
    "sweep_stale_temps",
    "temp_prefix",
    "write_all",
]

#: Backups kept beside a file: ``.bak`` (newest), then ``.bak.1`` ... ``.bak.4``.
KEEP_BACKUPS = 5

_HINT = "nothing was changed; free space or choose another output with -o"
_TEMP_RE = re.compile(r"^\..+\.pickup-(?P<pid>\d+)-[A-Za-z0-9_]+")


def backup_path(path: Path) -> Path:
    """``<name>.bak`` beside ``path`` (the newest backup)."""
    return path.with_name(path.name + ".bak")


def backups(path: Path) -> list[Path]:
    """The backups of ``path`` that exist, newest first."""
    names = [backup_path(path)] + [path.with_name(f"{path.name}.bak.{n}")
                                   for n in range(1, KEEP_BACKUPS)]
    return [p for p in names if p.exists()]


def _rotate_backups(path: Path) -> None:
    """Shift ``.bak`` -> ``.bak.1`` -> ... so an earlier backup is never overwritten."""
    oldest = path.with_name(f"{path.name}.bak.{KEEP_BACKUPS - 1}")
    with contextlib.suppress(FileNotFoundError):
        oldest.unlink()
    for n in range(KEEP_BACKUPS - 2, 0, -1):
        src = path.with_name(f"{path.name}.bak.{n}")
        if src.exists():
            os.replace(src, path.with_name(f"{path.name}.bak.{n + 1}"))
    bak = backup_path(path)
    if bak.exists():
        os.replace(bak, path.with_name(f"{path.name}.bak.1"))


def temp_prefix(dest: Path) -> str:
    """The prefix of Pickup's temp files beside ``dest`` (pid included)."""
    return f".{dest.name}.pickup-{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale_temps(folders: Iterable[Path], *, recursive: bool = False) -> list[Path]:
    """Remove Pickup's temp files left by processes that no longer run; returns them.

    Only names Pickup makes (``.<name>.pickup-<pid>-…``) are considered, and only when
    the process ``<pid>`` is gone, so a run in progress is never disturbed.
    """
    removed: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        try:
            entries = folder.rglob(".*") if recursive else folder.glob(".*")
            for path in entries:
                match = _TEMP_RE.match(path.name)
                if not match or _pid_alive(int(match.group("pid"))):
                    continue
                with contextlib.suppress(OSError):
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
                    removed.append(path)
        except OSError:
            continue
    return removed


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every OS lets you fsync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _explain(exc: OSError, dest: Path) -> WriteError:
    if exc.errno == errno.ENOSPC or exc.errno == getattr(errno, "EDQUOT", -1):
        msg = "the disk is full"
    elif exc.errno == errno.EFBIG:
        msg = "the file would pass the size limit of this system or account"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        msg = "no permission to write here"
    elif exc.errno == errno.EIO:
        msg = "the disk reported an input/output error"
    elif exc.errno == errno.EISDIR:
        msg = "a folder has this name"
    else:
        msg = exc.strerror or str(exc)
    return WriteError(f"cannot write: {msg}", where=str(dest), hint=_HINT)


def write_all(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (truncating), every byte checked, then fsync."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            if written <= 0:
                raise OSError(errno.EIO, "short write")
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _resolve_target(dest: Path) -> Path:
    """A symbolic link is written through to the file it names."""
    if dest.is_symlink():
        return Path(os.path.realpath(dest))
    return dest


@contextlib.contextmanager
def atomic_path(dest: Path | str, *, backup: bool = False, suffix: str | None = None,
                expect_size: int | None = None, allow_empty: bool = False
                ) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; on success fsync it and rename it over ``dest``.

    With ``backup`` an existing ``dest`` is first kept as ``<name>.bak`` (earlier backups
    move to ``.bak.1`` … ``.bak.4``).  Before the rename the temp file must be non-empty
    (unless ``allow_empty``) and, with ``expect_size``, exactly that long: a writer that
    swallowed a full disk is caught here.  On any exception the temp file is removed and
    ``dest`` is untouched.
    """
    dest = _resolve_target(Path(dest))
    folder = dest.parent if str(dest.parent) else Path(".")
    if dest.is_dir():
        raise WriteError("cannot write: a folder has this name", where=str(dest),
                         hint="nothing was changed; choose a file name with -o")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(dest),
                                        suffix=suffix or dest.suffix, dir=folder)
        os.close(fd)
    except OSError as exc:
        raise _explain(exc, dest) from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            handle.flush()
            os.fsync(handle.fileno())
            size = os.fstat(handle.fileno()).st_size
        if expect_size is not None and size != expect_size:
            raise WriteError(f"cannot write: only {size} of {expect_size} bytes reached "
                             "the disk", where=str(dest), hint=_HINT)
        if size == 0 and not allow_empty:
            raise WriteError("cannot write: nothing reached the disk (is it full?)",
                             where=str(dest), hint=_HINT)
        if backup and dest.exists():
            _rotate_backups(dest)
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
    """Write ``data`` to ``dest`` atomically, every byte checked; returns ``dest``."""
    dest = Path(dest)
    payload = data() if callable(data) else data
    with atomic_path(dest, backup=backup, expect_size=len(payload),
                     allow_empty=not payload) as tmp:
        write_all(tmp, payload)
    return dest
