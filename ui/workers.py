"""Run blocking work on a QThreadPool and get the answer back on the main thread.

``run(pool, fn, *args, on_done=..., on_error=...)`` wraps ``fn`` in a QRunnable whose
result or exception comes back through a queued Qt signal, so callbacks always run
on the thread that owns the receiver (the GUI thread).  Nothing here blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

__all__ = ["Task", "forget", "run"]

_log = logging.getLogger(__name__)
_LIVE: set[Task] = set()  # tasks in flight are kept alive until they report


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """``fn(*args, **kwargs)`` on a pool thread; ``signals.done``/``signals.failed``."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = _Signals()
        self.started = False

    def run(self) -> None:
        self.started = True
        try:
            result = self.fn(*self.args, **self.kwargs)
        except Exception as exc:  # reported to the caller as a plain message
            _log.debug("task %s failed", getattr(self.fn, "__name__", self.fn), exc_info=True)
            self._report(self.signals.failed, exc)
        else:
            self._report(self.signals.done, result)

    def _report(self, signal: Any, value: object) -> None:
        # The app may be quitting (a panel that closed on a load error) and have deleted
        # the signal object already: nobody is listening, so the answer is dropped
        # instead of printing a traceback from the pool thread.
        try:
            signal.emit(value)
        except RuntimeError:
            _log.debug("task %s finished after its receiver was deleted",
                       getattr(self.fn, "__name__", self.fn))


def run(pool: QThreadPool, fn: Callable[..., Any], *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None, **kwargs: Any) -> Task:
    """Start ``fn`` on ``pool``; ``on_done(result)`` / ``on_error(exc)`` run on the calling
    thread (the task's signal object lives there, so the connection is queued).

    With ``owner``, the callbacks are skipped once ``owner`` has been deleted (a panel
    closed while its work was still in flight).
    """
    task = Task(fn, *args, **kwargs)
    _LIVE.add(task)
    if owner is not None:
        on_done = _guarded(owner, on_done)
        on_error = _guarded(owner, on_error)

    def finish(_: object = None) -> None:
        _LIVE.discard(task)

    if on_done is not None:
        task.signals.done.connect(on_done)
    if on_error is not None:
        task.signals.failed.connect(on_error)
    task.signals.done.connect(finish)
    task.signals.failed.connect(finish)
    pool.start(task)
    return task


def _guarded(owner: QObject, callback: Callable[[Any], None] | None
             ) -> Callable[[Any], None] | None:
    if callback is None:
        return None
    import shiboken6

    def call(value: Any) -> None:
        if shiboken6.isValid(owner):
            callback(value)

    return call


def forget(task: Task) -> None:
    """Drop a task that was taken back from its pool before it ran."""
    _LIVE.discard(task)
