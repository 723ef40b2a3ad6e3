"""The engine in its own process, so its work never holds the panel's GIL.  Qt-free.

Previz rendering, conforming, hashing and journal writes are CPU work in Python and
in C extensions that keep taking the GIL back; run on threads of the panel's process,
they starve the GUI thread (every Qt call from Python has to win the GIL back).  So
the panel runs them in one ``spawn``-ed worker process, the *engine host*:

* the panel sends ``(kind, key, args)`` requests: ``plan`` (an engine plan),
  ``take`` (one planned take), ``resume`` (unfinished journal jobs) and ``thumb``
  (one decoded thumbnail); each runs on its own thread in the host, at most
  ``workers`` takes/resumes at a time;
* the host streams back ``("event", JobEvent)``, then ``("done", key, value)``,
  ``("failed", key, message)`` or ``("cancelled", key)`` (cancelled before it
  started); a reader thread in the panel hands them over in batches, at most every
  ``interval`` seconds (finished requests at once), so the GUI thread sees a
  handful of coalesced updates per second however chatty the engine is;
* ``cancel(key)`` is a message: the host sets that request's cancel event, and the
  engine stops the job as it would in a thread (cancelled at the provider, marked
  cancelled in the journal, downloads kept resumable);
* ``close()`` cancels everything, waits for the host's engines to leave the journal
  consistent, and ends the process.

The host process owns every engine and so every journal write; the panel only
reads the journal (when a timeline is opened).  It runs at a lower CPU priority
(``nice 10``), so on a busy machine the editor's GUI thread is scheduled first.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.popen_spawn_posix  # imported now, not on the GUI thread at start()
import multiprocessing.queues
import multiprocessing.synchronize
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from pickup.errors import PickupError

__all__ = ["EngineHost", "HostError"]

#: request kinds that wait for one of the ``workers`` engine slots
_ENGINE_KINDS = ("take", "resume")


class HostError(PickupError):
    """A request failed in the engine host; the message is the host's, for a person."""


def describe(exc: BaseException) -> str:
    """A message for a person: PickupErrors as written, anything else with its type."""
    if isinstance(exc, PickupError):
        return str(exc)
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# ------------------------------------------------------------------ the host process
def _serve(kind: str, args: tuple[Any, ...], cancel: threading.Event,
           send: Callable[..., None]) -> Any:
    from pickup.ui import services

    def event(e: Any) -> None:
        send("event", e)

    if kind == "take":
        project, ask, planned = args
        result = services.run_take(project, ask, planned, on_event=event, cancel=cancel)
        return result, services.finished_take(project, result)
    if kind == "resume":
        project, rows = args
        results = services.resume_jobs(project, rows, on_event=event, cancel=cancel)
        return [(r, services.finished_take(project, r)) for r in results]
    if kind == "plan":
        return services.plan_for(*args)
    if kind == "thumb":
        return services.thumbnail(*args)
    raise ValueError(f"unknown engine host request {kind!r}")


def _host_main(inbox: Any, outbox: Any, workers: int) -> None:
    """The host process: one thread per request, ``workers`` engine runs at a time."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)  # background work: the editor's GUI thread comes first for the CPU
    slots = threading.BoundedSemaphore(max(1, workers))
    cancels: dict[int, threading.Event] = {}
    threads: list[threading.Thread] = []

    def send(*message: Any) -> None:
        outbox.put(message)

    parent = multiprocessing.parent_process()
    if parent is not None:  # the panel's process died without closing us: stop too
        def orphaned() -> None:
            multiprocessing.connection.wait([parent.sentinel])
            inbox.put(("stop",))

        threading.Thread(target=orphaned, name="pickup-host-parent", daemon=True).start()

    def work(key: int, kind: str, args: tuple[Any, ...], cancel: threading.Event) -> None:
        held = False
        try:
            if kind in _ENGINE_KINDS:
                while not cancel.is_set() and not slots.acquire(timeout=0.05):
                    pass
                held = not cancel.is_set()
                if not held:
                    send("cancelled", key)
                    return
            value = _serve(kind, args, cancel, send)
        except Exception as exc:  # reported to the panel as a plain message
            send("failed", key, describe(exc))
        else:
            send("done", key, value)
        finally:
            if held:
                slots.release()
            cancels.pop(key, None)

    while True:
        message = inbox.get()
        if message[0] == "stop":
            break
        if message[0] == "cancel":
            event = cancels.get(message[1])
            if event is not None:
                event.set()
            continue
        kind, key, args = message
        cancel = cancels[key] = threading.Event()
        thread = threading.Thread(target=work, args=(key, kind, args, cancel),
                                  name=f"pickup-host-{kind}-{key}", daemon=True)
        thread.start()
        threads = [t for t in threads if t.is_alive()] + [thread]
    for event in list(cancels.values()):
        event.set()
    for thread in threads:
        thread.join()
    send("stopped")
    outbox.close()
    outbox.join_thread()


# ---------------------------------------------------------------------- the panel side
class EngineHost:
    """The panel's handle on the host process (started on first use).

    ``deliver(messages)`` is called on a reader thread with a list of the host's
    messages (see the module docstring); it must be quick and thread-safe (the
    controller re-emits it as a queued Qt signal).  A host that dies is reported as
    one ``("lost", exit code)`` message and started again on the next request.
    """

    def __init__(self, deliver: Callable[[list[tuple[Any, ...]]], None], *,
                 workers: int = 2, interval: float = 0.05) -> None:
        self.deliver = deliver
        self.workers = workers
        self.interval = interval
        self._lock = threading.Lock()
        self._process: Any = None
        self._inbox: Any = None
        self._reader: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self) -> None:
        with self._lock:
            if self._process is not None and self._process.is_alive():
                return
            ctx = multiprocessing.get_context("spawn")
            inbox, outbox = ctx.Queue(), ctx.Queue()
            process = ctx.Process(target=_host_main, args=(inbox, outbox, self.workers),
                                  name="pickup-engine-host", daemon=True)
            process.start()
            self._process, self._inbox = process, inbox
            self._reader = threading.Thread(target=self._read, args=(process, outbox),
                                            name="pickup-engine-host-reader", daemon=True)
            self._reader.start()

    def submit(self, key: int, kind: str, *args: Any) -> None:
        """Run request ``kind`` with ``args`` in the host; answers carry ``key``."""
        self.start()
        self._inbox.put((kind, key, args))

    def cancel(self, key: int) -> None:
        if self.alive:
            self._inbox.put(("cancel", key))

    def close(self, timeout: float = 15.0, *, leave: bool = False) -> bool:
        """Cancel everything, let the host finish its journal writes, end it.
        True if it ended by itself within ``timeout`` seconds.  With ``leave`` the
        jobs are not cancelled: the process is ended at once, the journal keeps them
        unfinished and the next open resumes them (a hosted provider goes on making
        them meanwhile)."""
        with self._lock:
            process, inbox, reader = self._process, self._inbox, self._reader
            self._process = self._inbox = self._reader = None
        if process is None:
            return True
        if leave:
            timeout = 0.0
        else:
            with contextlib.suppress(OSError, ValueError):
                inbox.put(("stop",))
        process.join(timeout)
        clean = not process.is_alive()
        if not clean:
            process.terminate()
            process.join(2.0)
        if reader is not None:
            reader.join(2.0)
        with contextlib.suppress(OSError, ValueError):
            inbox.close()
            inbox.join_thread()
        return clean

    def _read(self, process: Any, outbox: Any) -> None:
        pending: list[tuple[Any, ...]] = []
        last = 0.0
        while True:
            wait = max(0.001, self.interval - (time.monotonic() - last)) if pending else 0.5
            message: tuple[Any, ...] | None
            try:
                message = outbox.get(timeout=wait)
            except queue.Empty:
                message = None
            except (EOFError, OSError, ValueError):
                message = ("lost", process.exitcode)
            if message is None and not process.is_alive():
                with contextlib.suppress(queue.Empty, EOFError, OSError, ValueError):
                    message = outbox.get(timeout=0.2)
                if message is None:
                    message = ("lost", process.exitcode)
            if message is not None and message[0] != "stopped":
                pending.append(message)
            end = message is not None and message[0] in ("stopped", "lost")
            now = time.monotonic()
            if pending and (end or now - last >= self.interval
                            or pending[-1][0] in ("done", "failed", "cancelled")):
                with contextlib.suppress(RuntimeError):  # the receiver is already gone
                    self.deliver(pending)
                pending, last = [], now
            if end:
                with contextlib.suppress(OSError, ValueError):
                    outbox.close()
                return
