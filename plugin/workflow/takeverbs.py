"""Swap, reject, lock, revert and prune: the take verbs every face calls.

Each verb works on a timeline's session (:class:`pickup.takes.ops.Session`: the
timeline, its project and take store) and changes the cut and the project state
together, the way :func:`pickup.workflow.state.approve_in_cut` does: one writer at a
time (:func:`~pickup.workflow.state.locked_state`), and on the project state as it is
*now*, re-read under the lock, so a decision another face wrote after this session
was opened (the panel's approve while ``pickup use`` ran) is kept, never overwritten
by a stale copy.  The file editing stays the take operations' (:mod:`pickup.takes.ops`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pickup.takes import ops
from pickup.takes.model import normalise_key
from pickup.takes.ops import Pruned, Session
from pickup.takes.slot_origin import origin_of
from pickup.takes.store import TakeStore
from pickup.workflow.state import locked_state

__all__ = ["Reverted", "Swapped", "lock", "prune", "reject", "revert", "swap",
           "take_status"]


@dataclass(frozen=True)
class Swapped:
    """``swap``: the slot's active take now, and the file written."""

    slot_id: str
    key: str
    written: Path


@dataclass(frozen=True)
class Reverted:
    """``revert``: the file written and what the slot is again, as the editor sees it."""

    slot_id: str
    written: Path
    became: str  # "placeholder clip", "gap", "filler gap", ... (see slot_origin)

    def describe(self) -> str:
        if self.became.endswith("gap"):
            article = "an" if self.became[0] in "aeiou" else "a"
            return f"{article} {self.became} again, as before the fill"
        return "its placeholder clip is back"


@contextlib.contextmanager
def _deciding(s: Session) -> Iterator[Session]:
    """Hold the project state and give ``s`` the take store as it is on disk now."""
    with locked_state(s.project):
        s.store = TakeStore.load(s.project)
        yield s


def swap(s: Session, slot_id: str, take: str, dest: Path | None = None) -> Swapped:
    """Make ``take`` (``T02``, ``2``) the active take of ``slot_id`` in the cut and the
    project state; the file is written in place (keeping a backup) or to ``dest``.
    A slot locked on its active take, a missing or too short take are refused."""
    key = normalise_key(take)
    with _deciding(s):
        written = ops.use_take(s, slot_id, key, dest)
    return Swapped(slot_id, key, written)


def take_status(s: Session, slot_id: str, take: str, status: str, note: str | None = None,
                *, unlock: bool = False) -> Path:
    """Set a take's status (temp | approved | rejected | locked) and note in the project
    state (and in an OTIO timeline that carries the takes); returns the file written.
    A locked take never changes unless ``unlock``.  Approving as "this is the one"
    (active, others un-approved) is :func:`pickup.workflow.state.approve_in_cut`."""
    with _deciding(s):
        return ops.set_status(s, slot_id, normalise_key(take), status, note, unlock=unlock)


def reject(s: Session, slot_id: str, take: str, note: str | None = None) -> Path:
    """Mark a take rejected (``prune`` removes it later)."""
    return take_status(s, slot_id, take, "rejected", note)


def lock(s: Session, slot_id: str, take: str, note: str | None = None, *,
         unlock: bool = False) -> Path:
    """Lock a take (it never changes; a slot locked on its active take is never
    swapped), or ``unlock`` it (it becomes approved)."""
    return take_status(s, slot_id, take, "approved" if unlock else "locked", note,
                       unlock=unlock)


def revert(s: Session, slot_id: str, dest: Path | None = None) -> Reverted:
    """Put the slot's placeholder (or gap) back in the cut; the takes stay in the
    project state and the slot has no active take.  See :func:`pickup.takes.ops.revert`
    for what each format allows."""
    with _deciding(s):
        written = ops.revert(s, slot_id, dest)
        clip = s.store.get(slot_id)
        became = origin_of(clip) if clip is not None else "placeholder clip"
    return Reverted(slot_id, written, became)


def prune(s: Session, keep: str = "approved", *, dry_run: bool = False) -> list[Pruned]:
    """Remove takes nobody uses (never an active, approved or locked one; ``keep="temp"``
    removes only rejected ones) and their media inside the project folder."""
    with _deciding(s):
        return ops.prune(s, keep, dry_run=dry_run)
