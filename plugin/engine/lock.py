"""One run at a time per project: the lock that owns a project's pending jobs.

Two ``pickup fill`` runs (or the CLI and the panel) working on the same project at once
would each create the jobs the other is creating and pay twice.  A run holds an
exclusive ``flock`` on ``<project>/run.lock`` while it submits, waits and fetches; a
second process is refused with who holds it, or waits with ``--wait``.  Threads of one
process share the lock (the panel runs several jobs at once in one engine host).  The
kernel drops the lock when the holder dies, so a ``kill -9`` never leaves it stuck.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pickup.errors import InputError

__all__ = ["ProjectBusyError", "project_lock"]

try:  # POSIX; elsewhere the lock is a no-op (documented)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_held: dict[str, tuple[int, int]] = {}  # path -> (fd, holders in this process)
_gates: dict[str, threading.Lock] = {}  # path -> who of this process takes the file lock
_guard = threading.Lock()


class ProjectBusyError(InputError):
    """Another process is running jobs of this project."""


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 200).decode("utf-8", "replace").strip()
        if text:
            return text
    return "another pickup process"


def _take(root: Path, path: str, *, wait: bool, poll_s: float,
          on_wait: Callable[[str], None] | None,
          cancelled: Callable[[], bool] | None) -> int:
    """Open ``path`` and take its exclusive flock (waiting if ``wait``); the fd."""
    assert fcntl is not None  # project_lock does not call this without it
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            who = _holder(fd)
            if not wait:
                os.close(fd)
                raise ProjectBusyError(
                    f"{who} is running jobs of this project", where=str(root),
                    hint="wait for it to finish (or pass --wait); two runs at once "
                    "would create the same jobs twice") from None
            if cancelled is not None and cancelled():
                os.close(fd)
                raise ProjectBusyError("stopped waiting for the project",
                                       where=str(root)) from None
            if on_wait is not None and not told:
                on_wait(f"waiting for {who} to finish with this project")
                told = True
            time.sleep(poll_s)
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"pickup process {os.getpid()}".encode())
    return fd


@contextlib.contextmanager
def project_lock(root: Path, *, wait: bool = False, poll_s: float = 0.5,
                 on_wait: Callable[[str], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> Iterator[None]:
    """Hold the project's run lock for the ``with`` block (see the module docstring)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    path = str(root / "run.lock")
    with _guard:
        gate = _gates.setdefault(path, threading.Lock())
    # One thread of this process takes the file lock at a time; the others then share
    # it (two threads each opening and flocking the file would refuse each other).
    with gate:
        with _guard:
            acquired = path in _held
            if acquired:
                fd, count = _held[path]
                _held[path] = (fd, count + 1)
        if not acquired:
            fd = _take(root, path, wait=wait, poll_s=poll_s, on_wait=on_wait,
                       cancelled=cancelled)
            with _guard:
                _held[path] = (fd, 1)
    try:
        yield
    finally:
        with _guard:
            fd, count = _held[path]
            if count > 1:
                _held[path] = (fd, count - 1)
            else:
                del _held[path]
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
