"""The one vocabulary of job states: journal rows, engine events and take results.

Journal rows move through::

    planned -> submitting -> submitted -> running -> succeeded -> fetched -> conformed -> placed
                                                 \\-> failed | cancelled

Events and results also use three engine notes that are never a row's state:
``cached`` (an earlier identical take was reused), ``retrying`` (a transient provider
error; tried again) and ``refused`` (over the budget).  :class:`JobState` is a ``str``
enum, so a state compares equal to its name and is stored, printed and sent as one.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["DONE", "JOURNAL_STATES", "TERMINAL_BAD", "UNFINISHED", "JobState"]


class JobState(str, Enum):
    PLANNED = "planned"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FETCHED = "fetched"
    CONFORMED = "conformed"
    PLACED = "placed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # engine notes: events and results only
    CACHED = "cached"
    RETRYING = "retrying"
    REFUSED = "refused"

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    @property
    def journalled(self) -> bool:
        """True for the states a journal row can be in."""
        return self in JOURNAL_STATES


S = JobState
#: every state a journal row can be in, in order
JOURNAL_STATES: tuple[JobState, ...] = (S.PLANNED, S.SUBMITTING, S.SUBMITTED, S.RUNNING,
                                        S.SUCCEEDED, S.FETCHED, S.CONFORMED, S.PLACED,
                                        S.FAILED, S.CANCELLED)
#: a job not finished yet: a later run (or ``pickup jobs --resume``) goes on with it
UNFINISHED: tuple[JobState, ...] = (S.PLANNED, S.SUBMITTING, S.SUBMITTED, S.RUNNING,
                                    S.SUCCEEDED, S.FETCHED)
#: a take made (and perhaps placed)
DONE: tuple[JobState, ...] = (S.CONFORMED, S.PLACED)
#: ended without a take
TERMINAL_BAD: tuple[JobState, ...] = (S.FAILED, S.CANCELLED)
del S
