"""The controller: runs the core off the GUI thread and turns its callbacks into Qt signals.

It owns the open :class:`~pickup.ui.services.Session`, the :class:`PanelModel`, the
job list, the worker pool and the engine host.  Widgets call its methods (``open``,
``generate``, ``cancel``, ``retry``, ``send_back``...) and listen to its signals;
nothing here blocks the GUI thread.

Reading files runs on a QThreadPool.  A large ``.otio`` file is first sketched in a
separate process (:mod:`pickup.ui.quickread`, while the window is built, on another
core): the strip draws that sketch, and the full read starts once it has been drawn
(``continue_read``), so the read's long GIL hold does not delay the first paint.
Everything the engine does (plans, takes, resumes) runs in a separate process, the
:class:`~pickup.ui.engine_host.EngineHost`, so its CPU work never competes with the
GUI thread for the GIL.  The host's events arrive in batches (at most every 50 ms)
through a queued signal; a batch updates each job it touches once, so every model
change happens on the GUI thread and the GUI thread does a few small updates per
second however many jobs run.
"""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage

from pickup.engine import JobEvent, PlannedJob, TakeResult
from pickup.errors import PickupError
from pickup.ui import services
from pickup.ui.engine_host import EngineHost, HostError
from pickup.ui.model import PanelModel
from pickup.ui.services import SendReport, Session, Sketch, TakeAsk, TakeRecord
from pickup.ui.workers import Task, run

__all__ = ["Controller", "JobView", "plain_error", "to_qimage"]

_KEEP = Qt.AspectRatioMode.KeepAspectRatio
_SMOOTH = Qt.TransformationMode.SmoothTransformation

#: states after which a job does no more work
FINAL = ("conformed", "cached", "failed", "cancelled", "refused")


def plain_error(exc: BaseException) -> str:
    """A message for a person: PickupErrors as written, anything else with its type."""
    if isinstance(exc, PickupError):
        return str(exc)
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def to_qimage(rgb: np.ndarray) -> QImage:
    """An RGB ``uint8`` array as a QImage that owns its pixels."""
    h, w = rgb.shape[:2]
    data = np.ascontiguousarray(rgb)
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


@dataclass
class JobView:
    """One take's job as the jobs dock shows it."""

    key: int
    slot_id: str
    take: int
    provider: str
    state: str = "queued"
    progress: float | None = None
    #: the job's place in the provider's queue when the provider says (1 = next)
    queue_position: int | None = None
    message: str = ""
    cost: float = 0.0
    est_cost: float = 0.0
    job_id: int | None = None
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    ask: TakeAsk | None = None
    planned: PlannedJob | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    task: int | None = None  # the engine host request making it
    resumed: bool = False

    @property
    def final(self) -> bool:
        """True once the job's worker has returned (an engine event saying "conformed"
        arrives a moment before that)."""
        return self.ended is not None

    @property
    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started


class Controller(QObject):
    """See the module docstring."""

    timelineSketched = Signal(object)  # Sketch: the tracks, before the full read
    timelineRead = Signal(object)  # Session without slots: the strip can draw it
    sessionLoaded = Signal(object)  # Session
    loadFailed = Signal(str)
    slotChanged = Signal(str)  # slot id: status, takes or settings changed
    stateRefreshed = Signal(object)  # list of slot ids the project state changed
    #: the slots were found again after a mark changed: (slot id to show or None,
    #: what happened in words)
    slotsChanged = Signal(object, str)
    jobAdded = Signal(object)  # JobView
    jobChanged = Signal(object)  # JobView
    takeReady = Signal(str, object)  # slot id, TakeRecord
    budgetChanged = Signal()
    sentBack = Signal(object)  # SendReport
    sendFailed = Signal(str)
    reverted = Signal(object)  # Reverted: the slot's placeholder is back in the file
    prunePlanned = Signal(object)  # PrunePlan: what a prune would remove
    pruned = Signal(object)  # list of Pruned: the takes removed
    takeVerbFailed = Signal(str)
    message = Signal(str)
    thumbnailReady = Signal(str, QImage)  # key, image
    _batch = Signal(object)  # list of engine host messages, from its reader thread

    def __init__(self, parent: QObject | None = None, *, job_threads: int = 2,
                 io_threads: int = 2) -> None:
        super().__init__(parent)
        #: takes made at once (the engine host's worker count; set before the first)
        self.job_workers = job_threads
        self._host: EngineHost | None = None
        self._calls: dict[int, tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}
        self._call_keys = itertools.count(1)
        self.io_pool = QThreadPool(self)
        self.io_pool.setMaxThreadCount(io_threads)
        self.session: Session | None = None
        self.model: PanelModel | None = None
        self.jobs: dict[int, JobView] = {}
        self.budget: float | None = None
        self.spent_now = 0.0
        self.provider = "previz"
        self.provider_options: dict[str, dict[str, Any]] = {}
        #: asked before queueing work past the budget: (estimate, committed, budget) -> go?
        self.confirm_budget: Callable[[float, float, float], bool] = lambda *_: True
        self._next_key = 1
        self._planning: set[str] = set()
        self._waiting: dict[str, deque[TakeAsk]] = {}
        self._by_take: dict[tuple[str, int], int] = {}
        self._thumbs: set[str] = set()
        self._batch.connect(self._on_batch)
        # The panel state: what is on disk (as opened, or confirmed by a save), the last
        # version handed to a save, the newest confirmed, and per project folder the
        # newest written (read and set under the lock, from pool threads too).
        self._state_saved: dict[str, Any] | None = None
        self._state_version = 0
        self._state_confirmed = 0
        self._state_written: dict[str, int] = {}
        self._state_lock = threading.Lock()
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(400)
        self._save_timer.timeout.connect(self.save_state)
        self.load_seconds = 0.0
        self._closed = False
        #: files at least this large are sketched in a separate process first
        self.sketch_min_bytes: int | None = None  # None: services.SKETCH_MIN_BYTES
        #: give up on a sketch after this long and read the usual way
        self.sketch_timeout_ms = 5000
        #: start the full read this long after a sketch even if nobody calls
        #: :meth:`continue_read` (the strip is hidden)
        self.sketch_grace_ms = 300
        self.sketch: Sketch | None = None
        self._sketcher: subprocess.Popen[bytes] | None = None
        self._pending_read: Callable[[], object] | None = None
        self._opening = 0

    # -- opening -------------------------------------------------------------------------
    def open(self, path: Path | str, *, rate: float | None = None,
             size: tuple[int, int] | None = None, profile: str | None = None,
             sketcher: subprocess.Popen[bytes] | None = None) -> Task | None:
        """Read ``path``: ``timelineSketched`` (large ``.otio`` files), ``timelineRead``,
        then ``sessionLoaded`` or ``loadFailed``.  The read's task, or None while the
        file is being sketched first (the read follows).  ``sketcher``: a sketch of
        ``path`` already started (:func:`~pickup.ui.services.start_sketch`)."""
        path = Path(path)
        started = time.perf_counter()
        self._opening += 1
        token = self._opening
        self._stop_sketch()
        self.sketch = None

        def done(session: Session) -> None:
            if token != self._opening:
                return  # another file was opened meanwhile
            self.load_seconds = time.perf_counter() - started
            self.session = session
            self.model = PanelModel(session, provider=self.provider)
            # The state as opened: the project folder is written only when it changes
            # (opening and closing a file leaves nothing beside it).
            self._state_saved = self.model.to_json()
            self.spent_now = 0.0
            self.jobs.clear()
            self._by_take.clear()
            self.sessionLoaded.emit(session)
            self.budgetChanged.emit()
            if session.slots:  # warm the engine's process while the editor looks around
                QTimer.singleShot(250, self, self._warm_host)
            if session.unfinished:
                self.message.emit(f"{len(session.unfinished)} job(s) were left unfinished "
                                  "last time: Resume in the Jobs dock finishes them")
                for row in session.unfinished:
                    job = self._new_job(row.slot_id, row.take, row.provider)
                    job.state, job.job_id, job.resumed = "interrupted", row.id, True
                    job.est_cost = row.est_cost
                    job.ended = job.started
                    self.jobAdded.emit(job)

        def find(session: Session) -> None:
            run(self.io_pool, services.find_session_slots, session, owner=self, on_done=done,
                on_error=lambda exc: self.loadFailed.emit(plain_error(exc)))

        def read(session: Session) -> None:
            if token != self._opening:
                return
            self.timelineRead.emit(session)
            # Finding slots starts once the strip is drawn, so it does not compete with
            # that first paint for the GIL.
            QTimer.singleShot(0, self, lambda: find(session))

        def start_read() -> Task:
            return run(self.io_pool, services.read_session, path, rate=rate, size=size,
                       profile=profile, owner=self, on_done=read,
                       on_error=lambda exc: self.loadFailed.emit(plain_error(exc)))

        proc = sketcher if sketcher is not None else services.start_sketch(
            path, rate, min_bytes=self.sketch_min_bytes)
        if proc is None:
            return start_read()
        self._sketcher = proc

        def sketched(sketch: Sketch | None) -> None:
            if self._sketcher is proc:
                self._sketcher = None
            if token != self._opening or self._closed:
                return
            if sketch is None:  # a file quickread does not cover: the usual read
                start_read()
                return
            self.sketch = sketch
            self._pending_read = start_read
            self.timelineSketched.emit(sketch)
            QTimer.singleShot(self.sketch_grace_ms, self, self.continue_read)

        run(self.io_pool, services.wait_sketch, proc, path, self.sketch_timeout_ms / 1000,
            owner=self, on_done=sketched, on_error=lambda exc: sketched(None))
        return None

    # -- sketching ---------------------------------------------------------------------
    def continue_read(self) -> None:
        """Start the full read of a sketched file (the panel calls it once the strip
        has drawn the sketch; a timer calls it otherwise).  Idempotent."""
        start, self._pending_read = self._pending_read, None
        if start is not None and not self._closed:
            start()

    def _stop_sketch(self) -> None:
        """End a sketching process still running (a new file opened, the panel closing);
        the worker waiting for it reaps it."""
        self._pending_read = None
        proc, self._sketcher = self._sketcher, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.kill()

    # -- model changes ---------------------------------------------------------------------
    def touch(self, slot_id: str) -> None:
        """A slot's state changed (undo command, inspector): redraw it and save soon."""
        self.slotChanged.emit(slot_id)
        self._save_timer.start()

    def _changed_state(self) -> tuple[Any, int, dict[str, Any]] | None:
        """(project, version, state) to save, or None when the state is what was opened
        or what a save has confirmed.  Versions only grow; see :meth:`_write_state`."""
        if self.session is None or self.model is None:
            return None
        data = self.model.to_json()
        if data == self._state_saved:
            return None
        self._state_version += 1
        return self.session.project, self._state_version, data

    def _write_state(self, project: Any, version: int, data: dict[str, Any],
                     previous: dict[str, Any] | None = None) -> int:
        """Write one state (on a pool thread, or the GUI thread when closing): the
        panel's settings, and the take statuses and notes changed since ``previous``
        into the project state.  A write older than one already on disk for the
        project is skipped, so two saves that finish out of order never put back an
        older state."""
        key = str(project.root)
        with self._state_lock:
            if version > self._state_written.get(key, 0):
                services.save_panel_state(project, data, previous)
                self._state_written[key] = version
        return version

    def refresh_state(self) -> Task | None:
        """Read the project state again (another face, e.g. ``pickup approve`` or
        ``pickup use``, may have changed it) and show what changed.  Called when the
        window regains focus."""
        if self.session is None or self.model is None or self._closed:
            return None
        session = self.session

        def done(decisions: Any) -> None:
            if self.session is not session or self.model is None:
                return
            before = self.model.to_json()
            pending = before != self._state_saved  # edits not saved yet: keep them
            seen = {sid: d.active for sid, d in session.decisions.items()}
            changed = services.apply_decisions(session, decisions)
            for slot_id in changed:
                state = self.model.slots.get(slot_id)
                if state is None:
                    continue
                active = decisions[slot_id].active if slot_id in decisions else None
                if active is not None and active != seen.get(slot_id) and \
                        state.take(active) is not None:
                    state.chosen = active  # another face made it the active take
                self.slotChanged.emit(slot_id)
            if changed and not pending:
                self._state_saved = self.model.to_json()
            self.stateRefreshed.emit(changed)

        return run(self.io_pool, services.project_state, session.project, owner=self,
                   on_done=done, on_error=lambda exc: self.message.emit(
                       f"could not read the project state: {plain_error(exc)}"))

    def _confirm_state(self, project: Any, version: int, data: dict[str, Any]) -> None:
        """A save reached the disk: the state it wrote is no longer unsaved (unless
        another file has been opened since)."""
        current = self.session.project.root if self.session is not None else None
        if version > self._state_confirmed and project.root == current:
            self._state_confirmed = version
            self._state_saved = data

    def save_state(self) -> Task | None:
        change = self._changed_state()
        if change is None:
            return None
        project, version, data = change
        previous = self._state_saved
        # Confirmed only when written: a failed save leaves the state unsaved, so the
        # next change or closing the panel tries again.
        return run(self.io_pool, self._write_state, project, version, data, previous,
                   owner=self,
                   on_done=lambda _: self._confirm_state(project, version, data),
                   on_error=lambda exc: self.message.emit(
                       f"could not save the panel state: {plain_error(exc)}"))

    # -- slots marked in Pickup ---------------------------------------------------------------
    def mark(self, target: Any, kind: str | None, prompt: str | None, *,
             on_done: Callable[[Any], None] | None = None) -> Task | None:
        """Mark ``target`` (:class:`~pickup.workflow.marks.Target`) as a slot in the project
        state, off the GUI thread; the slots are then found again (``slotsChanged``) and
        ``on_done(slot)`` is called.  A refusal comes back as ``message``."""
        session = self.session
        if session is None:
            return None

        def done(out: tuple[Any, list[Any], list[str]]) -> None:
            slot, slots, warnings = out
            if self.session is not session:
                return
            self._new_slots(slots, warnings)
            self.slotsChanged.emit(slot.id, f"marked slot {slot.id} in Pickup (the "
                                   f"timeline file is not changed)")
            if on_done is not None:
                on_done(slot)

        return run(self.io_pool, services.mark_item, session, target, kind, prompt,
                   owner=self, on_done=done,
                   on_error=lambda exc: self.message.emit(
                       f"could not mark the slot: {plain_error(exc)}"))

    def unmark(self, target: Any, *, on_done: Callable[[Any], None] | None = None
               ) -> Task | None:
        """Drop ``target``'s mark from the project state, off the GUI thread; the slots
        are then found again (``slotsChanged``) and ``on_done(saved mark)`` is called."""
        session = self.session
        if session is None:
            return None

        def done(out: tuple[Any, list[Any], list[str]]) -> None:
            gone, slots, warnings = out
            if self.session is not session:
                return
            self._new_slots(slots, warnings)
            self.slotsChanged.emit(None, f"unmarked the {gone.where()}")
            if on_done is not None:
                on_done(gone)

        return run(self.io_pool, services.unmark_item, session, target, owner=self,
                   on_done=done, on_error=lambda exc: self.message.emit(
                       f"could not unmark the slot: {plain_error(exc)}"))

    def _new_slots(self, slots: list[Any], warnings: list[str]) -> None:
        """Take the slots found again into the session and the model: a new slot gets
        its state (and any takes the project has for it), a gone one is dropped, a kept
        one keeps the editor's settings and takes with its new kind and prompt."""
        from pickup.ui.model import SlotState

        session, model = self.session, self.model
        assert session is not None and model is not None
        before = {s.id: s for s in session.slots}
        states: dict[str, SlotState] = {}
        for slot in slots:
            state = model.slots.get(slot.id)
            if state is None:
                state = SlotState(slot=slot, prompt=slot.prompt or "", kind=slot.kind,
                                  provider=self.provider)
                for take in session.takes.get(slot.id, []):
                    state.add_take(take)
                state.chosen = session.active_takes.get(slot.id)
            else:
                old = before.get(slot.id)
                if old is not None and (old.kind, old.prompt) != (slot.kind, slot.prompt):
                    state.kind, state.prompt = slot.kind, slot.prompt or ""
                state.slot = slot
            states[slot.id] = state
        model.slots = states
        session.slots, session.warnings = list(slots), warnings

    # -- money -------------------------------------------------------------------------------
    @property
    def spent(self) -> float:
        base = self.session.spent if self.session else 0.0
        return round(base + self.spent_now, 4)

    @property
    def queued_cost(self) -> float:
        return round(sum(j.est_cost for j in self.jobs.values()
                         if not j.final and j.state != "interrupted"), 4)

    def set_budget(self, value: float | None) -> None:
        self.budget = value
        self.budgetChanged.emit()

    # -- generation ----------------------------------------------------------------------------
    def running(self) -> list[JobView]:
        return [j for j in self.jobs.values() if not j.final and j.state != "interrupted"]

    def busy(self, slot_id: str) -> bool:
        return slot_id in self._planning or any(j.slot_id == slot_id for j in self.running())

    def generate(self, slot_id: str, ask: TakeAsk | None = None) -> None:
        """Plan and start the takes the inspector asks for (queued if the slot is busy)."""
        assert self.model is not None and self.session is not None
        ask = ask or self.model.ask(slot_id)
        opts = self.provider_options.get(ask.provider)
        if opts:
            ask = _with_options(ask, opts)
        if self.busy(slot_id):
            self._waiting.setdefault(slot_id, deque()).append(ask)
            self.message.emit(f"{slot_id}: queued after the takes being made")
            return
        self._plan(ask)

    def _plan(self, ask: TakeAsk) -> None:
        assert self.session is not None and self.model is not None
        slot_id = ask.slot.id
        self._planning.add(slot_id)
        self.model[slot_id].running += 1
        self.touch(slot_id)

        def planned(plan: Any) -> None:
            self._planning.discard(slot_id)
            self.model[slot_id].running -= 1  # type: ignore[index]
            cost = float(plan.cost)
            committed = self.spent + self.queued_cost
            if (self.budget is not None and cost > 0
                    and committed + cost > self.budget + 1e-9
                    and not self.confirm_budget(cost, committed, self.budget)):
                self.message.emit(f"{slot_id}: not started (${cost:.2f} would pass the budget "
                                  f"of ${self.budget:.2f})")
                self.touch(slot_id)
                self._next_for(slot_id)
                return
            for pj in plan.jobs:
                self._start(ask, pj)
            self.touch(slot_id)
            self.budgetChanged.emit()
            if not plan.jobs:
                self._next_for(slot_id)

        def failed(exc: BaseException) -> None:
            self._planning.discard(slot_id)
            self.model[slot_id].running -= 1  # type: ignore[index]
            self.message.emit(f"{slot_id}: cannot generate: {plain_error(exc)}")
            self.touch(slot_id)
            self._next_for(slot_id)

        session = self.session

        def neighbours_found(frames: tuple[Path | None, Path | None]) -> None:
            self._call("plan", session.project, ask, *frames, on_done=planned,
                       on_error=failed)

        run(self.io_pool, services.ask_neighbours, session, ask, owner=self,
            on_done=neighbours_found, on_error=failed)

    def _new_job(self, slot_id: str, take: int, provider: str) -> JobView:
        job = JobView(key=self._next_key, slot_id=slot_id, take=take, provider=provider)
        self._next_key += 1
        self.jobs[job.key] = job
        self._by_take[(slot_id, take)] = job.key
        return job

    def _start(self, ask: TakeAsk, pj: PlannedJob, job: JobView | None = None) -> JobView:
        assert self.session is not None and self.model is not None
        if job is None:
            job = self._new_job(pj.slot_id, pj.take, ask.provider)
            self.jobAdded.emit(job)
        else:
            self._by_take[(pj.slot_id, pj.take)] = job.key
        job.ask, job.planned, job.take = ask, pj, pj.take
        job.est_cost = pj.est_cost if pj.spends else 0.0
        job.state, job.progress, job.message = "queued", None, pj.action
        job.started, job.ended, job.cancel = time.monotonic(), None, threading.Event()
        self.model[pj.slot_id].running += 1
        key = job.key

        def done(out: tuple[TakeResult, TakeRecord | None] | None) -> None:
            if out is None:
                self._finish(self.jobs[key], "cancelled", "cancelled before it started")
            else:
                self._job_done(key, *out)

        job.task = self._call("take", self.session.project, ask, pj, on_done=done,
                              on_error=lambda exc: self._job_crashed(key, exc))
        self.jobChanged.emit(job)
        return job

    # -- the engine host -----------------------------------------------------------------
    @property
    def host(self) -> EngineHost:
        """The engine's process (started on the first request)."""
        if self._host is None:
            self._host = EngineHost(self._batch.emit, workers=self.job_workers)
        return self._host

    def _warm_host(self) -> None:
        if self.model is not None and not self._closed:
            self.host.start()

    def _call(self, kind: str, *args: Any, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> int:
        """Send request ``kind`` to the engine host; ``on_done(value)`` (None: cancelled
        before it started) or ``on_error(exc)`` run on the GUI thread."""
        key = next(self._call_keys)
        self._calls[key] = (on_done, on_error)
        self.host.submit(key, kind, *args)
        return key

    def _on_batch(self, messages: list[tuple[Any, ...]]) -> None:
        """The engine host's news since the last batch: each job touched is updated once."""
        changed: dict[int, JobView] = {}
        for message in messages:
            what = message[0]
            if what == "event":
                job = self._apply(message[1])
                if job is not None:
                    changed[job.key] = job
                continue
            for job in changed.values():
                self.jobChanged.emit(job)
            changed.clear()
            if what == "lost":
                self._host_lost(message[1])
                continue
            callbacks = self._calls.pop(message[1], None)
            if callbacks is None:
                continue
            on_done, on_error = callbacks
            if what == "done":
                on_done(message[2])
            elif what == "cancelled":
                on_done(None)
            else:
                on_error(HostError(message[2]))
        for job in changed.values():
            self.jobChanged.emit(job)

    def _apply(self, event: JobEvent) -> JobView | None:
        key = self._by_take.get((event.slot_id, event.take))
        job = self.jobs.get(key) if key is not None else None
        if job is None or job.final:
            return None
        job.state = event.state
        if event.progress is not None:
            job.progress = event.progress
        job.queue_position = getattr(event, "queue_position", None)
        if event.message:
            job.message = event.message
        if event.job_id is not None:
            job.job_id = event.job_id
        return job

    def _host_lost(self, code: object) -> None:
        calls, self._calls = self._calls, {}
        error = HostError(f"the engine process stopped (exit code {code}); finished takes "
                          "are kept, and unfinished ones can be resumed")
        for _, on_error in calls.values():
            on_error(error)

    def _finish(self, job: JobView, state: str, message: str = "") -> None:
        job.state, job.ended = state, time.monotonic()
        if message:
            job.message = message
        if self.model is not None and job.slot_id in self.model.slots and not job.resumed:
            self.model[job.slot_id].running = max(0, self.model[job.slot_id].running - 1)
        self.jobChanged.emit(job)
        self.budgetChanged.emit()
        self.touch(job.slot_id)
        if not any(j.slot_id == job.slot_id for j in self.running()):
            self._next_for(job.slot_id)

    def _job_done(self, key: int, result: TakeResult, record: TakeRecord | None) -> None:
        job = self.jobs[key]
        if job.final:  # shown cancelled already; a take it made anyway is kept
            if result.ok and record is not None and self.model is not None and \
                    result.slot_id in self.model.slots:
                self.model[result.slot_id].add_take(record)
                self.takeReady.emit(result.slot_id, record)
            return
        job.job_id = result.job_id or job.job_id
        state = "cached" if result.cached else result.state
        if result.ok and record is not None and self.model is not None:
            record.cost = 0.0 if result.cached else result.cost
            if not result.cached:
                self.spent_now += result.cost
            job.cost = record.cost
            slot = self.model.slots.get(result.slot_id)
            if slot is not None:
                slot.add_take(record)
                self.takeReady.emit(result.slot_id, record)
        job.progress = 1.0 if result.ok else job.progress
        self._finish(job, state, result.error or (record.path.name if record else ""))

    def _job_crashed(self, key: int, exc: BaseException) -> None:
        self._finish(self.jobs[key], "failed", plain_error(exc))

    def _next_for(self, slot_id: str) -> None:
        queue = self._waiting.get(slot_id)
        if queue and not self.busy(slot_id):
            self._plan(queue.popleft())

    def cancel(self, key: int) -> None:
        """Stop one job (it is cancelled at the provider when it was submitted)."""
        job = self.jobs.get(key)
        if job is None or job.final:
            return
        job.cancel.set()
        if job.task is not None and self._host is not None:
            self._host.cancel(job.task)
        job.message = "cancelling…"
        self.jobChanged.emit(job)
        if self.session is None or job.job_id is None:
            return  # not journalled yet: the engine stops it before it starts
        # Durable at once: the journal says cancelled (and the provider is asked to
        # cancel) whatever the engine is blocked in; the job shows cancelled then.
        project, job_id = self.session.project, job.job_id

        def cancelled(ids: list[int]) -> None:
            if job_id in ids and not job.final:
                self._finish(job, "cancelled", "cancelled")

        run(self.io_pool, services.cancel_jobs, project, [job_id], owner=self,
            on_done=cancelled, on_error=lambda exc: self.message.emit(
                f"could not cancel: {plain_error(exc)}"))

    def cancel_all(self) -> None:
        for key in list(self.jobs):
            self.cancel(key)
        self._waiting.clear()

    def retry(self, key: int) -> None:
        """Run a failed or cancelled take again (same request, same take when journalled);
        for a job left unfinished by an earlier session, finish it."""
        job = self.jobs.get(key)
        if job is None or self.session is None or self.model is None:
            return
        if job.resumed and job.state == "interrupted":
            self.resume([key])
            return
        if not job.final or job.state in ("conformed", "cached") or job.ask is None:
            return
        seed = job.planned.request.seed if job.planned is not None else None
        ask = _replace_ask(job.ask, takes=1, seed=seed)
        job.state, job.message = "queued", "retrying"
        self.jobChanged.emit(job)
        self.jobs.pop(key)
        self.generate(job.slot_id, ask)

    def resume(self, keys: list[int] | None = None) -> None:
        """Finish the jobs an earlier session left unfinished (all, or ``keys``)."""
        if self.session is None:
            return
        jobs = [j for j in self.jobs.values() if j.resumed and j.state == "interrupted"
                and (keys is None or j.key in keys)]
        if not jobs:
            return
        ids = {j.job_id for j in jobs}
        rows = [r for r in self.session.unfinished if r.id in ids]
        cancel = threading.Event()
        for job in jobs:
            job.state, job.started, job.ended, job.cancel = "queued", time.monotonic(), None, \
                cancel
            if self.model is not None and job.slot_id in self.model.slots:
                self.model[job.slot_id].running += 1
            job.resumed = False
            self.jobChanged.emit(job)

        def done(out: list[tuple[TakeResult, TakeRecord | None]] | None) -> None:
            for result, record in out or ():
                key = self._by_take.get((result.slot_id, result.take))
                if key is not None and not self.jobs[key].final:
                    self._job_done(key, result, record)
            for job in jobs:
                if not job.final:
                    self._finish(job, "cancelled" if cancel.is_set() else "failed")

        def failed(exc: BaseException) -> None:
            for job in jobs:
                if not job.final:
                    self._finish(job, "failed", plain_error(exc))

        task = self._call("resume", self.session.project, rows, on_done=done, on_error=failed)
        for job in jobs:
            job.task = task

    # -- thumbnails --------------------------------------------------------------------------
    def request_thumbnail(self, key: str, path: Path, index: int, max_w: int = 192,
                          max_h: int = 108) -> None:
        """Decode frame ``index`` of ``path`` off the GUI thread; ``thumbnailReady(key)``."""
        if key in self._thumbs:
            return
        self._thumbs.add(key)

        def failed(exc: BaseException) -> None:
            self._thumbs.discard(key)

        if self._host is not None and self._host.alive:
            # The engine's process decodes it: no decoding in this process while it works.
            def decoded(rgb: np.ndarray | None) -> None:
                if rgb is None:
                    self._thumbs.discard(key)
                else:
                    self.thumbnailReady.emit(key, to_qimage(rgb))

            self._call("thumb", path, index, max_w, max_h, on_done=decoded, on_error=failed)
            return

        def work() -> QImage:
            return to_qimage(services.thumbnail(path, index, max_w, max_h))

        run(self.io_pool, work, owner=self, on_done=lambda img: self.thumbnailReady.emit(key, img),
            on_error=failed)

    def request_neighbours(self, slot_id: str) -> None:
        """The neighbour frames of a slot as thumbnails ``<slot>:prev`` / ``<slot>:next``."""
        if self.session is None or self.model is None:
            return
        key = f"{slot_id}:neighbours"
        if key in self._thumbs:
            return
        self._thumbs.add(key)
        session, slot = self.session, self.model[slot_id].slot

        def work() -> list[tuple[str, QImage]]:
            folder = session.project.ensure("neighbours")
            first, last = services.neighbour_images(session, slot, folder)
            out = []
            for name, path in (("prev", first), ("next", last)):
                if path is not None:
                    img = QImage(str(path))
                    if not img.isNull():
                        out.append((f"{slot_id}:{name}", img.scaled(
                            192, 108, aspectMode=_KEEP, mode=_SMOOTH)))
            return out

        def done(out: list[tuple[str, QImage]]) -> None:
            for k, img in out:
                self.thumbnailReady.emit(k, img)

        run(self.io_pool, work, owner=self, on_done=done,
            on_error=lambda exc: self._thumbs.discard(key))

    # -- send back ---------------------------------------------------------------------------
    def send_back(self, dest: Path | None = None) -> Task | None:
        if self.session is None or self.model is None:
            return None
        choices = self.model.choices()
        if not choices:
            self.sendFailed.emit("no slot has a take chosen: choose one with Use take first")
            return None

        def done(report: SendReport) -> None:
            self.save_state()  # the panel's settings now point at what was sent
            self.sentBack.emit(report)

        self.save_state()
        return run(self.io_pool, services.send_back, self.session, choices, dest,
                   owner=self, on_done=done,
                   on_error=lambda exc: self.sendFailed.emit(plain_error(exc)))

    # -- revert and prune (the workflow's take verbs, as the CLI runs them) ----------------
    def _after_saving(self, fn: Callable[..., Any], *args: Any,
                      on_done: Callable[[Any], None]) -> Task | None:
        """Run ``fn(*args)`` on a pool thread once the panel's unsaved decisions are
        written, in the same task (so the verb sees every reject and note the editor
        made); None while jobs run: the file and the take store are not changed under
        them."""
        if self.session is None or self.model is None:
            return None
        if self.running() or self._planning:
            self.takeVerbFailed.emit("takes are being made: wait for them, or cancel them "
                                     "in the Jobs dock, then try again")
            return None
        change = self._changed_state()
        previous = self._state_saved

        def work() -> Any:
            if change is not None:
                self._write_state(*change, previous)
            return fn(*args)

        def done(result: Any) -> None:
            if change is not None:
                self._confirm_state(*change)
            on_done(result)

        return run(self.io_pool, work, owner=self, on_done=done,
                   on_error=lambda exc: self.takeVerbFailed.emit(plain_error(exc)))

    def revert(self, slot_id: str) -> Task | None:
        """``pickup revert FILE SLOT`` on the open file: ``reverted`` or
        ``takeVerbFailed``."""
        if self.session is None:
            return None
        return self._after_saving(services.revert_slot, self.session, slot_id,
                                  on_done=self.reverted.emit)

    def plan_prune(self) -> Task | None:
        """What ``pickup prune`` would remove, both ways: ``prunePlanned``."""
        if self.session is None:
            return None
        return self._after_saving(services.plan_prune, self.session,
                                  on_done=self.prunePlanned.emit)

    def prune(self, keep: str = "approved") -> Task | None:
        """``pickup prune FILE --keep KEEP``: ``pruned`` or ``takeVerbFailed``."""
        if self.session is None:
            return None
        return self._after_saving(services.prune_takes, self.session, keep,
                                  on_done=self.pruned.emit)

    # -- closing -------------------------------------------------------------------------------
    def shutdown(self, wait_ms: int = 1500, *, leave_jobs: bool = False) -> bool:
        """Cancel every job and wait for the workers; True if all stopped in time.

        Running jobs are marked cancelled in the journal at once (jobs whose download
        is already there are left resumable), the providers are asked to cancel, and
        the engine's process gets ``wait_ms`` to leave before it is ended, so closing
        never waits on a provider.  With ``leave_jobs`` nothing is cancelled: the
        engine's process ends at once, the journal keeps the jobs unfinished (a hosted
        provider goes on making them) and the next open offers to resume them.
        """
        self._closed = True
        self._stop_sketch()
        journalled = [j.job_id for j in self.jobs.values()
                      if not j.final and j.job_id is not None]
        if leave_jobs:
            journalled = []
            self._waiting.clear()
        else:
            self.cancel_all()
        if self.session is not None and journalled:
            with contextlib.suppress(PickupError, OSError):
                services.cancel_jobs(self.session.project, journalled, call_provider=False)
            # The providers' cancels go out on a thread that does not hold up closing.
            threading.Thread(target=services.cancel_at_providers, daemon=True,
                             args=(self.session.project, journalled)).start()
        self._save_timer.stop()
        change = self._changed_state()
        if change is not None:  # unsaved, or a save still queued or failed: write it now
            with contextlib.suppress(PickupError, OSError):
                self._write_state(*change, self._state_saved)
                self._confirm_state(*change)
        ok = (self._host.close(wait_ms / 1000, leave=leave_jobs) if self._host is not None
              else True)
        return self.io_pool.waitForDone(max(500, wait_ms // 5)) and ok


def _replace_ask(ask: TakeAsk, **changes: Any) -> TakeAsk:
    from dataclasses import replace

    return replace(ask, **changes)


def _with_options(ask: TakeAsk, options: dict[str, Any]) -> TakeAsk:
    return _replace_ask(ask, provider_options=tuple(sorted(options.items())))

