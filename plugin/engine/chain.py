"""Slots longer than a model can make, as a chain of segments joined into one take.

:func:`plan_chain` splits a shot whose frames (plus handles) pass the model's longest
output into segments of at most that length.  Where the model takes a first frame,
each later segment starts from the previous segment's last frame (image-to-video
continuation) and the first from the outgoing shot's; where it takes a last frame, the
last segment ends on the incoming shot's first frame.  Otherwise the segments are
independent shots, and the plan says so.

:class:`ChainRunner` runs the segments one after another, each as an ordinary engine
job under the slot id ``<slot>-S<nn>`` (journal, cache, budget, retries, conform), so a
crash resumes at the first unfinished segment without paying again: the finished ones
are cache hits and give the same continuation frames.  It then joins them
(:func:`pickup.media.join.join_segments`: a cut, or a short dissolve) and conforms the
join to the slot: one take, journalled under the slot with its segments listed.  A
segment that fails or is moderated fails the take, saying which segment and why.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.engine.plan import Shot
from pickup.errors import CancelledError, PickupError
from pickup.providers.base import Capabilities

__all__ = ["ChainPlan", "ChainRunner", "Segment", "longest_frames", "plan_chain",
           "segment_slot"]


def segment_slot(slot_id: str, index: int) -> str:
    """The engine slot id of segment ``index`` (1-based) of ``slot_id``."""
    return f"{slot_id}-S{index:02d}"


def longest_frames(caps: Capabilities, rate: Fraction) -> int | None:
    """The most frames the model makes at ``rate`` (None: no limit)."""
    limits = [d for d in (caps.max_duration_s,
                          max(caps.durations_s) if caps.durations_s else None) if d]
    if not limits:
        return None
    return max(1, math.floor(min(limits) * float(rate) + 1e-6))


@dataclass(frozen=True)
class Segment:
    """One segment: ``frames`` it adds to the take, after ``lead`` frames at its head
    that the join drops (cut) or mixes with the previous segment (dissolve)."""

    index: int
    start: int  # its first frame in the take
    frames: int
    lead: int
    first: str  # what it starts from: outgoing | previous | none
    last: str  # what it ends on: incoming | none

    @property
    def requested(self) -> int:
        return self.lead + self.frames

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "frames": self.frames,
                "lead": self.lead, "first": self.first, "last": self.last}


@dataclass(frozen=True)
class ChainPlan:
    """How a long shot is made: its segments, how they join, and what the plan says."""

    slot_id: str
    segments: tuple[Segment, ...]
    join: str
    continuation: bool
    rate: Fraction

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.segments)

    def note(self, seg: Segment) -> str:
        n = len(self.segments)
        start = seg.start / self.rate
        end = (seg.start + seg.frames) / self.rate
        text = f"segment {seg.index} of {n} ({float(start):.2f}-{float(end):.2f} s)"
        if seg.first == "previous":
            text += ", starts from segment " f"{seg.index - 1}'s last frame"
        elif seg.first == "outgoing":
            text += ", starts from the outgoing shot's last frame"
        if seg.last == "incoming":
            text += ", ends on the incoming shot's first frame"
        if seg.index > 1:
            text += (f", joined by a {seg.lead}-frame dissolve" if self.join == "dissolve"
                     else ", joined by a cut")
        if not self.continuation and seg.index == 1:
            text += ("; the model cannot start from a frame, so the segments are "
                     "independent shots")
        return text


def plan_chain(shot: Shot, caps: Capabilities, *, join: str = "cut",
               dissolve_frames: int | None = None) -> ChainPlan | None:
    """The chain for ``shot``, or None when the model can make it in one go."""
    req, out = shot.request, shot.output
    rate = Fraction(out.rate)
    longest = longest_frames(caps, Fraction(req.rate))
    if longest is None:
        return None
    # the model's limit in frames of the sequence rate
    longest = max(1, math.floor(longest * float(rate) / float(req.rate) + 1e-6))
    total = out.frames + 2 * out.handles
    if total <= longest:
        return None
    continuation = caps.first_frame
    if join == "dissolve":
        lead = dissolve_frames if dissolve_frames is not None else max(2, round(rate / 2))
        lead = max(1, min(lead, longest // 3))
    else:
        lead = 1 if continuation else 0  # a continuation's first frame repeats the last
    count = 1 + math.ceil((total - longest) / (longest - lead))
    per = math.ceil((total + (count - 1) * lead) / count)
    segments: list[Segment] = []
    start = 0
    for index in range(1, count + 1):
        seg_lead = lead if index > 1 else 0
        frames = min(per - seg_lead, total - start)
        if index == count:
            frames = total - start
        first = ("previous" if continuation and index > 1 else
                 "outgoing" if continuation and req.first_frame is not None else "none")
        last = "incoming" if (index == count and caps.last_frame
                              and req.last_frame is not None) else "none"
        segments.append(Segment(index, start, frames, seg_lead, first, last))
        start += frames
    return ChainPlan(req.slot_id, tuple(segments), join, continuation, rate)


def _take_seed(shot: Shot, index: int) -> int | None:
    """The seed of chain ``index`` (1-based) of a slot: take 1 leaves it to the engine
    (as any take 1), later takes derive their own, so each chain is a new one."""
    req = shot.request
    if index <= 1:
        return req.seed
    if req.seed is not None:
        return (req.seed + index - 1) & 0x7FFFFFFF
    blob = f"{req.slot_id}\0{req.prompt}\0chain\0{index}".encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:4], "big") & 0x7FFFFFFF


def _segment_shot(shot: Shot, chain: ChainPlan, seg: Segment, first: Path | None,
                  take_index: int = 1) -> Shot:
    req, out = shot.request, shot.output
    request = replace(req, slot_id=segment_slot(req.slot_id, seg.index),
                      seed=_take_seed(shot, take_index),
                      frames=seg.requested,
                      first_frame=first if seg.first != "none" else None,
                      last_frame=req.last_frame if seg.last == "incoming" else None,
                      extra={**dict(req.extra), "timecode": None,
                             "chain": f"{seg.index}/{len(chain.segments)}"})
    output = replace(out, frames=seg.requested, handles=0, timecode=None)
    return Shot(request, output, takes=1)


class ChainRunner:
    """Plans and runs chains through one engine (see the module docstring)."""

    def __init__(self, engine: Any, frames_dir: Path) -> None:
        self.engine = engine
        self.frames_dir = Path(frames_dir)

    # -- frames that carry a chain on --------------------------------------------------
    def _last_frame(self, media: Path, seg_slot: str, lead: int) -> Path:
        """The frame the next segment starts from (the ``lead``-th from the end), as a
        PNG whose bytes depend only on the media (so a resumed chain asks the same)."""
        from pickup.media.frames import frame_image, save_png

        self.frames_dir.mkdir(parents=True, exist_ok=True)
        image = frame_image(media, -max(1, lead))
        return save_png(image, self.frames_dir / f"{seg_slot}_last.png")

    def _done_media(self, plan: Any) -> Path | None:
        """The conformed media of a segment the plan finds already made, if any."""
        job = plan.jobs[0]
        if job.action != "cached" or job.job_id is None:
            return None
        row = self.engine.journal.get(job.job_id)
        path = Path(str(row.media_path)) if row.media_path else None
        return path if path is not None and path.is_file() else None

    # -- plan ------------------------------------------------------------------------
    def plan(self, shot: Shot, chain: ChainPlan) -> list[Any]:
        """One planned job per segment of each of the shot's takes (later segments start
        from their predecessor's frame when it is already made; otherwise the plan
        cannot know it yet)."""
        jobs: list[Any] = []
        for take_index in range(1, max(1, shot.takes) + 1):
            first = shot.request.first_frame
            for seg in chain.segments:
                plan = self.engine.plan([_segment_shot(shot, chain, seg, first, take_index)])
                job = plan.jobs[0]
                note = chain.note(seg) + (f" (chain {take_index})" if shot.takes > 1 else "")
                jobs.append(replace(job, notes=(note, *job.notes)))
                first = None
                media = self._done_media(plan)
                if (media is not None and chain.continuation
                        and seg.index < len(chain.segments)):
                    nxt = chain.segments[seg.index]
                    first = self._last_frame(media, job.slot_id, nxt.lead or 1)
        return jobs

    # -- run -------------------------------------------------------------------------
    def run(self, shot: Shot, chain: ChainPlan, *, on_event: Any = None,
            cancel: threading.Event | None = None) -> list[Any]:
        """Make ``shot.takes`` chained takes; one :class:`TakeResult` each."""
        results = []
        for take_index in range(1, max(1, shot.takes) + 1):
            if cancel is not None and cancel.is_set():
                break
            results.append(self.run_one(shot, chain, take_index, on_event=on_event,
                                        cancel=cancel))
        return results

    def run_one(self, shot: Shot, chain: ChainPlan, take_index: int = 1, *,
                on_event: Any = None, cancel: threading.Event | None = None) -> Any:
        """Make every segment of one take, join and conform them; one
        :class:`TakeResult` for the slot (failed with the segment and the reason when
        one fails)."""
        from pickup.engine.scheduler import TakeResult

        slot = chain.slot_id
        n = len(chain.segments)
        first = shot.request.first_frame
        made: list[tuple[Segment, Any]] = []
        cost = 0.0
        take = self.engine.journal.max_take(slot) + 1  # the number the joined take gets
        for seg in chain.segments:
            seg_shot = _segment_shot(shot, chain, seg, first, take_index)
            plan = self.engine.plan([seg_shot])
            job = plan.jobs[0]
            if job.action == "invalid":
                return TakeResult(slot, take, "failed", error=f"segment {seg.index} of {n}: "
                                  f"{job.error}", error_kind="validation")
            result = self.engine.run(plan, on_event=on_event, cancel=cancel)[0]
            if not result.ok:
                where = chain.note(seg).split(",")[0]
                return TakeResult(slot, take, result.state,
                                  error=f"{where}: {result.error or result.state}",
                                  error_kind=result.error_kind, cost=cost + result.cost)
            cost += result.cost
            made.append((seg, result))
            if chain.continuation and seg.index < n:
                nxt = chain.segments[seg.index]
                first = self._last_frame(result.media, job.slot_id, nxt.lead or 1)
        return self._join(shot, chain, made, cost, cancel)

    def _join(self, shot: Shot, chain: ChainPlan, made: Sequence[tuple[Segment, Any]],
              cost: float, cancel: threading.Event | None) -> Any:
        from pickup.engine.scheduler import TakeResult, media_suffix
        from pickup.media.handles import LOSSLESS_SUFFIX
        from pickup.media.join import join_segments
        from pickup.media.probe import probe

        engine = self.engine
        slot = chain.slot_id
        journal = engine.journal
        keys = [engine.journal.get(r.job_id).cache_key for _, r in made]
        blob = json.dumps({"segments": keys, "join": chain.join,
                           "target": shot.output.to_json()}, sort_keys=True)
        key = "chain-" + hashlib.sha256(blob.encode()).hexdigest()[:26]
        for row in journal.by_cache_key(engine.name, key):
            if row.slot_id == slot and row.media_path and Path(row.media_path).is_file():
                info = probe(row.media_path)
                return TakeResult(slot, row.take, "conformed", job_id=row.id,
                                  media=Path(row.media_path), frames=info.frames,
                                  rate=shot.output.rate, width=info.width,
                                  height=info.height, handles=shot.output.handles,
                                  cost=0.0, cached=True, notes=tuple(row.notes))
        segments = [{**seg.to_json(), "job_id": r.job_id, "media": str(r.media),
                     "cost": r.cost} for seg, r in made]
        request = shot.request.to_json()
        request["extra"] = {**request.get("extra", {}),
                            "segments": segments, "join": chain.join}
        notes = [chain.note(seg) for seg, _ in made]
        row = journal.add(slot_id=slot, take=journal.max_take(slot) + 1,
                          provider=engine.name, model=shot.request.model, cache_key=key,
                          idem_key=key, request=request, target=shot.output.to_json(),
                          notes=notes, est_cost=cost)
        out = shot.output
        media_dir = engine.project.ensure("media")
        joined = media_dir / f".{slot}_T{row.take:02d}_joined{LOSSLESS_SUFFIX}"
        dest = media_dir / f"{slot}_T{row.take:02d}{media_suffix(out.profile)}"
        try:
            join_segments([r.media for _, r in made], [seg.lead for seg, _ in made], joined,
                          mode=chain.join, cancel=cancel)
            journal.set_state(row.id, "fetched", raw_path=str(joined), cost=cost)
            info = engine.conformer(joined, out, dest, slot, cancel or threading.Event())
        except CancelledError:
            journal.set_state(row.id, "cancelled", error="cancelled while joining")
            return TakeResult(slot, row.take, "cancelled", job_id=row.id,
                              error="cancelled", error_kind="cancelled", cost=cost)
        except PickupError as exc:
            journal.set_state(row.id, "failed", error=f"joining the segments: {exc}",
                              error_kind="media")
            return TakeResult(slot, row.take, "failed", job_id=row.id,
                              error=f"joining the segments failed: {exc}",
                              error_kind="media", cost=cost)
        finally:
            joined.unlink(missing_ok=True)
        expected = out.frames + 2 * out.handles
        if info.frames != expected:
            journal.set_state(row.id, "failed", error=f"the joined take has {info.frames} "
                              f"frames, the slot needs {expected}", error_kind="media")
            return TakeResult(slot, row.take, "failed", job_id=row.id, cost=cost,
                              error=f"the joined take has {info.frames} frames, the slot "
                              f"needs {expected}; report this as a bug", error_kind="media")
        journal.set_state(row.id, "conformed", media_path=str(dest), cost=cost)
        return TakeResult(slot, row.take, "conformed", job_id=row.id, media=dest,
                          frames=info.frames, rate=out.rate, width=info.width,
                          height=info.height, handles=out.handles, cost=cost,
                          notes=tuple(notes))
