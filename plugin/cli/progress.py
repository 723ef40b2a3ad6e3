"""What a running fill shows: one row per take's job, and a total with the cost so far.

:class:`FillProgress` consumes the engine's :class:`~pickup.engine.JobEvent` stream (it
is the ``on_event`` callback, called from the engine's worker threads).  On a terminal
it draws a live rich display::

    V1-01000200 T01  ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 0:00:12 done
    V1-01000500 T01  ━━━━━━━━━━━━╸━━━━━━━━━━━━━━━━━ 0:00:12 running 42%
    V1-01000900 T01  ━╸━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 0:00:12 queued #3
    total            ━━━━━━━━━━╸━━━━━━━━━━━━━━━━━━━         1/3 takes, $0.40 of ~$1.20

and plain lines (one per change of a job's state, with its elapsed time and the total
when it finishes) when stderr is not a terminal or ``--json`` is given, so logs and
pipes stay readable.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from pickup.engine import JobEvent

__all__ = ["FillProgress", "JobView", "describe"]

#: how far along the bar each state puts a job (the provider's progress moves it
#: between "submitted" and "succeeded")
_FRACTION = {"planned": 0.0, "submitting": 0.02, "submitted": 0.05, "running": 0.05,
             "succeeded": 0.9, "fetched": 0.95, "conformed": 1.0, "cached": 1.0}
_FINAL = ("conformed", "cached", "failed", "cancelled", "refused")


@dataclass
class JobView:
    """What the display knows of one take's job."""

    slot_id: str
    take: int
    state: str = "planned"
    progress: float | None = None
    queue_position: int | None = None
    message: str = ""
    cost: float = 0.0
    started: float | None = None  # when it was submitted (monotonic clock)
    ended: float | None = None

    @property
    def label(self) -> str:
        return f"{self.slot_id} T{self.take:02d}"

    @property
    def finished(self) -> bool:
        return self.state in _FINAL

    @property
    def fraction(self) -> float:
        base = _FRACTION.get(self.state, 0.0)
        if self.state == "running" and self.progress is not None:
            return 0.05 + 0.85 * max(0.0, min(1.0, self.progress))
        return base

    def elapsed(self, now: float) -> float:
        if self.started is None:
            return 0.0
        return (self.ended if self.ended is not None else now) - self.started


def describe(job: JobView) -> str:
    """A job's state in an editor's words (``queued #3``, ``running 42%``, ``done``)."""
    state = job.state
    if state in ("submitted", "running") and job.queue_position is not None:
        return f"queued #{job.queue_position}"
    if state == "running":
        return f"running {job.progress * 100:.0f}%" if job.progress is not None else "running"
    text = {"planned": "waiting", "submitting": "submitting", "submitted": "submitted",
            "succeeded": "downloading", "fetched": "conforming", "conformed": "done",
            "cached": "reused (same request)", "cancelled": "cancelled"}.get(state, state)
    if state in ("failed", "retrying", "refused") and job.message:
        text += f": {job.message}"
    return text


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class FillProgress:
    """The ``on_event`` callback of a fill: a live display or plain lines.

    ``live`` None picks the live display when ``stream`` is a terminal.  ``estimate``
    is the plan's estimated cost (shown beside the cost so far)."""

    def __init__(self, *, total: int = 0, estimate: float | None = None,
                 live: bool | None = None, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 console: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = (self.stream.isatty() if live is None else live) or console is not None
        self.total = total
        self.estimate = estimate
        self.jobs: dict[tuple[str, int], JobView] = {}
        self._clock = clock
        self._lock = threading.Lock()
        self._console = console
        self._progress: Any = None  # the job rows
        self._totals: Any = None  # the total row, always last
        self._live: Any = None
        self._tasks: dict[tuple[str, int], Any] = {}
        self._total_task: Any = None
        self._hidden = False  # some job rows are hidden for lack of lines
        self._logging: list[tuple[logging.StreamHandler[Any], Any]] = []

    # -- totals ------------------------------------------------------------------------
    @property
    def done(self) -> int:
        return sum(j.finished for j in self.jobs.values())

    @property
    def spent(self) -> float:
        return sum(j.cost for j in self.jobs.values())

    def summary(self) -> str:
        """``2/5 takes, $0.80 of ~$2.00`` (the estimate only when there is one)."""
        total = max(self.total, len(self.jobs))
        text = f"{self.done}/{total} takes, ${self.spent:.2f}"
        if self.estimate:
            text += f" of ~${self.estimate:.2f}"
        return text

    # -- the live display ----------------------------------------------------------------
    def __enter__(self) -> FillProgress:
        if self.live:
            from rich.console import Console
            from rich.live import Live
            from rich.progress import BarColumn, Progress, TextColumn

            console = self._console or Console(file=self.stream)

            from rich.progress import ProgressColumn
            from rich.text import Text

            clock = self._clock

            class Elapsed(ProgressColumn):
                """A job's time since it was submitted, ticking between events."""

                def render(self, task: Any) -> Text:
                    started, ended = task.fields.get("started"), task.fields.get("ended")
                    if started is None:
                        return Text(" " * 7)
                    return Text(f"{_clock((ended or clock()) - started):>7}")

            def rows() -> Any:
                return Progress(TextColumn("{task.description:<16}"), BarColumn(bar_width=30),
                                Elapsed(), TextColumn("{task.fields[status]}"),
                                console=console)

            self._progress, self._totals = rows(), rows()
            self._total_task = self._totals.add_task(
                "total", total=max(self.total, 1), status=self.summary(), started=None,
                ended=None)
            self._live = Live(self.display(), console=console, refresh_per_second=4,
                              transient=False)
            self._live.start()
            self._route_logging()
        return self

    def _route_logging(self) -> None:
        """Log lines written while the display is live go above it (through the
        stderr Live redirects), not into the middle of its rows."""
        for handler in logging.getLogger().handlers:
            if (isinstance(handler, logging.StreamHandler) and
                    handler.stream is self.stream and sys.stderr is not self.stream):
                self._logging.append((handler, handler.setStream(sys.stderr)))

    def display(self) -> Any:
        """The live display's renderable: the job rows, then the total."""
        from rich.console import Group

        return Group(self._progress, self._totals)

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            with self._lock:
                self._redraw_all()
            self._live.stop()
            for handler, stream in self._logging:
                handler.setStream(stream)
            self._logging.clear()

    def _redraw(self, job: JobView) -> None:
        progress = self._progress
        key = (job.slot_id, job.take)
        task = self._tasks.get(key)
        status = describe(job)
        if task is None:
            task = progress.add_task(job.label, total=1.0, status=status,
                                     started=job.started, ended=job.ended)
            self._tasks[key] = task
        progress.update(task, completed=job.fraction, status=status, started=job.started,
                        ended=job.ended)
        self._fit_rows()
        self._totals.update(self._total_task, total=max(self.total, len(self.jobs), 1),
                        completed=self.done, status=self.summary())

    def _fit_rows(self) -> None:
        """More jobs than the terminal has lines: show the ones at work first, then the
        failed, waiting and finished ones, so the total row always stays on screen."""
        room = max(3, self._progress.console.size.height - 4)
        if len(self.jobs) <= room and not self._hidden:
            return
        rank = {"failed": 1, "retrying": 0, "planned": 2, "refused": 1, "cancelled": 3,
                "conformed": 3, "cached": 3}
        order = sorted(self.jobs.values(), key=lambda j: rank.get(j.state, 0))
        shown = {(j.slot_id, j.take) for j in order[:room]}
        self._hidden = len(self.jobs) > room
        for key, task in self._tasks.items():
            self._progress.update(task, visible=key in shown)

    def _redraw_all(self) -> None:
        for job in self.jobs.values():
            self._redraw(job)

    # -- events --------------------------------------------------------------------------
    def __call__(self, event: JobEvent) -> None:
        now = self._clock()
        with self._lock:
            key = (event.slot_id, event.take)
            job = self.jobs.get(key)
            if job is None:
                job = self.jobs[key] = JobView(event.slot_id, event.take)
            before = (job.state, job.queue_position)
            job.state = event.state
            job.message = event.message
            job.queue_position = getattr(event, "queue_position", None)
            if event.progress is not None:
                job.progress = event.progress
            if event.state in ("submitting", "submitted", "running") and job.started is None:
                job.started = now
            if event.state in ("conformed", "cached"):
                job.cost = float(event.cost or 0.0)
            if job.finished and job.ended is None:
                job.ended = now
            if self._live is not None:
                self._redraw(job)
                return
            if before == (job.state, job.queue_position) and job.state != "retrying":
                return
            line = f"{job.label}: {describe(job)}"
            if job.finished:
                if job.started is not None:
                    line += f" after {job.elapsed(now):.1f} s"
                line += f" ({self.summary()})"
            print(line, file=self.stream, flush=True)
