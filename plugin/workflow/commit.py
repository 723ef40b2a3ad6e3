"""Commit chosen takes: place them, record their facts, write the timeline back.

One function, :func:`commit_takes`, does what ``pickup fill`` does after generating
and what the panel's Send back does: for each slot the chosen take (active) and the
other takes kept beside it are placed from what the engine's journal knows (the
conform target and the media it wrote; nothing is probed again), every take's facts
go onto its media reference, what a placeholder was goes into the project folder
(for ``revert``), the file is written through its format's patcher, the take store
learns the slots and the journal marks the jobs placed.  With ``to_adapter`` what
that adapter drops is reported.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.engine import OutputSpec
from pickup.engine.journal import DONE, JobRow, Journal
from pickup.errors import InputError, SlotError, WriteError
from pickup.project import Project
from pickup.timeline import LoadedTimeline, PlacedMedia, Placement, Slot, place_all
from pickup.timeline.place import PLACEHOLDER_KEY
from pickup.timeline.rates import timecode_frames
from pickup.timeline.writeback import default_output, write_back

__all__ = ["CommitReport", "SentSlot", "TakePick", "active_in_file", "commit_takes",
           "done_rows", "placed_media", "probed_media"]


@dataclass(frozen=True)
class TakePick:
    """The take a slot gets (``take``, active) and the others kept beside it."""

    slot: Slot
    take: int
    others: tuple[int, ...] = ()
    #: what the clip records as its status (``approved``/``temp``); None: not said
    status: str | None = None
    #: takes the engine did not make (no journal row): their media, by take number
    media: Mapping[int, PlacedMedia] = field(default_factory=dict)


@dataclass(frozen=True)
class SentSlot:
    slot_id: str
    action: str  # filled | swapped | kept
    take: int
    previous: int | None = None
    approved: bool = False


@dataclass(frozen=True)
class CommitReport:
    """What a commit wrote: the file, its backup if one was kept, every slot, and what
    the target adapter drops (``to_adapter`` only)."""

    dest: Path
    backup: Path | None
    slots: tuple[SentSlot, ...]
    placements: tuple[Placement, ...] = ()
    losses: tuple[str, ...] = ()

    def summary(self) -> str:
        filled = sum(s.action == "filled" for s in self.slots)
        swapped = sum(s.action == "swapped" for s in self.slots)
        return f"{filled} slot(s) filled, {swapped} swapped"


def placed_media(row: JobRow) -> PlacedMedia:
    """How a finished take goes into its slot, from what the engine recorded: the
    conform target (frames plus handles at each end, exact rate, size, start
    timecode) and the media it wrote."""
    out = OutputSpec.from_json(row.target)
    start = 0
    if out.timecode:
        with contextlib.suppress(ValueError, TypeError):
            start = timecode_frames(out.timecode, out.rate)
    return PlacedMedia(path=Path(str(row.media_path)), frames=out.frames + 2 * out.handles,
                       rate=out.rate, width=out.width, height=out.height, start_frame=start,
                       handles=out.handles)


def probed_media(path: Path, rate: float, handles: int = 0) -> PlacedMedia:
    """How a file the engine did not make goes into a slot (probed: its frames, size
    and start timecode)."""
    from pickup.media.probe import probe
    from pickup.timeline.rates import exact_rate

    info = probe(path)
    exact = exact_rate(rate)
    start = 0
    if info.start_timecode:
        with contextlib.suppress(ValueError, TypeError):
            start = timecode_frames(info.start_timecode, exact)
    return PlacedMedia(path=info.path, frames=info.frames, rate=exact, width=info.width,
                       height=info.height, start_frame=start, handles=handles)


class _NoJournal:
    """A project without a job journal (takes made elsewhere): no recorded facts."""

    def for_slot(self, slot_id: str) -> list[Any]:
        return []

    def set_state(self, *args: Any, **kwargs: Any) -> None:
        return None

    def close(self) -> None:
        return None


def done_rows(journal: Any, slot_id: str) -> dict[int, JobRow]:
    """take number -> journal row of every finished take of ``slot_id`` whose media is
    still there."""
    return {row.take: row for row in journal.for_slot(slot_id)
            if row.state in DONE and row.media_path and Path(row.media_path).is_file()}


def _item_at(timeline: otio.schema.Timeline, slot: Slot) -> otio.core.Item | None:
    try:
        track = timeline.tracks[slot.stack_index]
    except IndexError:
        return None
    position = 0
    for item in track:
        if isinstance(item, otio.schema.Transition):
            continue
        dur = round(item.duration().value_rescaled_to(slot.rate))
        if position <= slot.start < position + dur:
            return item
        position += dur
    return None


def _item_meta(item: otio.core.Item | None) -> Mapping[str, Any]:
    meta = item.metadata.get("pickup") if item is not None and item.metadata else None
    return meta if meta is not None and hasattr(meta, "get") else {}


def active_in_file(loaded: LoadedTimeline, slots: Sequence[Slot]) -> dict[str, int]:
    """slot id -> the take number the file already shows (slots filled earlier; not
    a slot reverted to its placeholder, whose clip still names the take it had)."""
    found: dict[str, int] = {}
    for slot in slots:
        if not slot.filled:
            continue
        item = _item_at(loaded.timeline, slot)
        if getattr(item, "active_media_reference_key", None) == PLACEHOLDER_KEY:
            continue
        take = _item_meta(item).get("take")
        if take is not None:
            with contextlib.suppress(TypeError, ValueError):
                found[slot.id] = int(take)
    return found


def commit_takes(project: Project, loaded: LoadedTimeline, picks: Sequence[TakePick],
                 dest: Path | None = None, *, to_adapter: str | None = None,
                 backup: bool = True) -> CommitReport:
    """Place every pick's takes and write the timeline to ``dest`` (default
    ``<stem>.pickup<suffix>`` beside it); an existing ``dest`` is backed up first
    with ``backup``.  Raises :class:`InputError` when there is nothing to commit."""
    if not picks:
        raise InputError("no slot has a take chosen", where=str(loaded.path),
                         hint="choose a take (Use take), or fill the slots first")
    from pickup.atomic import backup_path
    from pickup.takes.record import record_fill, slot_names

    dest = Path(dest) if dest is not None else default_output(loaded.path)
    journal: Any = Journal.open_existing(project.journal_path) or _NoJournal()
    try:
        before = active_in_file(loaded, [p.slot for p in picks])
        placements: list[Placement] = []
        sent: list[SentSlot] = []
        placed_rows: list[JobRow] = []
        for pick in picks:
            rows = done_rows(journal, pick.slot.id)
            known = set(rows) | set(pick.media)
            if pick.take not in known:
                raise SlotError(f"take T{pick.take:02d} of slot {pick.slot.id} has no media",
                                where=str(project.root),
                                hint="it may have been pruned or failed; pick another take")
            numbers = [pick.take, *(n for n in pick.others if n in known and n != pick.take)]
            media = [placed_media(rows[n]) if n in rows else pick.media[n] for n in numbers]
            first = rows.get(pick.take)
            meta: dict[str, Any] = {"take": pick.take,
                                    "provider": first.provider if first else None,
                                    "job_id": first.id if first else None, "takes": numbers}
            if pick.status is not None:
                meta["status"] = pick.status
            placements.append(Placement(
                slot=pick.slot, media=media[0],
                clip_name=slot_names(loaded, pick.slot, pick.take), metadata=meta,
                extra_takes=tuple(media[1:]), take_numbers=tuple(numbers)))
            placed_rows.extend(rows[n] for n in numbers if n in rows)
            previous = before.get(pick.slot.id)
            action = ("filled" if not pick.slot.filled else
                      "kept" if previous == pick.take else "swapped")
            sent.append(SentSlot(pick.slot.id, action, pick.take, previous,
                                 pick.status == "approved"))
        edited = place_all(loaded.timeline, placements)
        losses: list[str] = []
        if to_adapter:
            from pickup.timeline.loss import adapter_losses

            losses = adapter_losses(edited, to_adapter, original=loaded.path)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"cannot create the output folder: {exc.strerror}",
                             where=str(dest.parent), hint="choose another output") from None
        existed = dest.exists()
        record_fill(project, loaded, edited, placements, journal, None)
        written = write_back(loaded, edited, placements, dest, to_adapter=to_adapter,
                             backup=backup, replaced_dir=project.replaced_dir)
        record_fill(project, loaded, edited, placements, journal, written, activate_new=True)
        for row in placed_rows:
            journal.set_state(row.id, "placed", output=str(written), detail=str(written))
    finally:
        journal.close()
    return CommitReport(dest=written, backup=backup_path(written) if existed and backup
                        else None, slots=tuple(sent), placements=tuple(placements),
                        losses=tuple(losses))
