"""Typed progress events the engine reports to a callback (CLI bars, the Qt panel).

The engine calls ``on_event(JobEvent)`` from its worker threads; a callback must be
quick and thread-safe (the panel's controller turns events into Qt signals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["EventCallback", "JobEvent"]


@dataclass(frozen=True)
class JobEvent:
    """One thing that happened to one take's job.

    ``state`` is a journal state (planned, submitting, submitted, running, succeeded,
    fetched, conformed, failed, cancelled) or one of the engine's notes: ``cached``
    (an earlier take was reused), ``retrying`` (a transient provider error; the
    message says when it tries again), ``refused`` (over the budget).
    ``progress`` is 0..1 when the provider reports it; ``queue_position`` the job's
    place in the provider's queue when it says (1 = next).
    """

    slot_id: str
    take: int
    state: str
    progress: float | None = None
    message: str = ""
    cost: float | None = None
    job_id: int | None = None
    provider: str = ""
    queue_position: int | None = None


EventCallback = Callable[[JobEvent], None]
