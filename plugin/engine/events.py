"""Typed progress events the engine reports to a callback (CLI bars, the Qt panel).

The engine calls ``on_event(JobEvent)`` from its worker threads; a callback must be
quick and thread-safe (the panel's controller turns events into Qt signals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pickup.engine.states import JobState

__all__ = ["EventCallback", "JobEvent"]


@dataclass(frozen=True)
class JobEvent:
    """One thing that happened to one take's job.

    ``state`` is a :class:`~pickup.engine.states.JobState`: a journal state (planned,
    submitting, submitted, running, succeeded, fetched, conformed, failed, cancelled)
    or one of the engine's notes: ``cached`` (an earlier take was reused),
    ``retrying`` (a transient provider error; the message says when it tries again),
    ``refused`` (over the budget).  A plain string is turned into one (an unknown
    state is a ValueError).
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", JobState(self.state))


EventCallback = Callable[[JobEvent], None]
