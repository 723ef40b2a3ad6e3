"""The panel's one seam to the core: load, generate, decode, send back.  Qt-free.

Everything the panel asks of ``pickup`` goes through this module, so the widgets and
the controller never call the core directly and switching a backend (the engine,
a provider, a host bridge) happens here only.  Every function here may block (file
I/O, network, decoding): the controller calls them on worker threads.

Generation drives :class:`pickup.engine.Engine`: a "Generate" click is planned once
(:func:`plan_takes`, one engine plan for all its takes so take numbers and seeds are
distinct) and each planned take then runs as its own one-job engine run
(:func:`run_take`) with its own cancel event, so the jobs dock can cancel or retry a
single take.  The controller runs at most one plan per slot at a time, so two plans
never hand out the same take number.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import opentimelineio as otio

from pickup.atomic import sweep_stale_temps
from pickup.config import Config, load_config
from pickup.engine import (
    Engine,
    EventCallback,
    Plan,
    PlannedJob,
    TakeResult,
)
from pickup.engine.journal import DONE, JobRow, Journal
from pickup.errors import InputError, MediaError, PickupError
from pickup.media.conform import profile_for_format
from pickup.media.seams import Seams
from pickup.project import Project
from pickup.takes.ops import Pruned
from pickup.takes.ops import Session as TakeSession
from pickup.timeline import (
    LoadedTimeline,
    Slot,
    frames_to_timecode,
)
from pickup.timeline.size import sequence_size
from pickup.workflow import (
    CommitReport,
    SentSlot,
    ShotAsk,
    SlotDecisions,
    TakePick,
    active_in_file,
    build_shot,
    cancel_at_providers,
    cancel_jobs,
    commit_takes,
    decide,
    make_provider,
    open_engine,
    probed_media,
    project_slots,
    prune,
    read_state,
    revert,
)
from pickup.workflow.marks import SavedMark, Target, mark, unmark
from pickup.workflow.takeverbs import Reverted

__all__ = [
    "FrameReader",
    "ItemView",
    "LruFrames",
    "PrunePlan",
    "Pruned",
    "Reverted",
    "Segment",
    "SendReport",
    "SentSlot",
    "Session",
    "Sketch",
    "SlotChoice",
    "TakeAsk",
    "TakeRecord",
    "TrackView",
    "apply_decisions",
    "ask_neighbours",
    "cancel_at_providers",
    "cancel_jobs",
    "engine_available",
    "estimate_ask",
    "find_session_slots",
    "finished_take",
    "fit_size",
    "item_target",
    "load_session",
    "mark_item",
    "media_path",
    "neighbour_images",
    "plan_for",
    "plan_prune",
    "plan_takes",
    "preview_segments",
    "provider_names",
    "prune_takes",
    "read_session",
    "resume_jobs",
    "revert_slot",
    "run_take",
    "save_panel_state",
    "send_back",
    "session_slots",
    "sketch_command",
    "sketch_from",
    "sketch_output",
    "start_sketch",
    "take_from_row",
    "test_connection",
    "thumbnail",
    "unmark_item",
    "wait_sketch",
]

PANEL_STATE = "panel.json"


def engine_available() -> bool:
    """True: the panel generates through :class:`pickup.engine.Engine`."""
    return True


# ----------------------------------------------------------------------------- records
@dataclass
class TakeRecord:
    """One made take of a slot, as the gallery shows it."""

    number: int
    path: Path
    provider: str
    cost: float = 0.0
    prompt: str = ""
    job_id: int | None = None
    seed: int | None = None
    handles: int = 0
    frames: int = 0
    status: str = "new"  # new | approved | rejected
    note: str = ""
    seams: Seams | None = None  # measured when the take was placed (see media/seams)
    #: a chained take's segments (engine/chain): (index, start frame, frames, first)
    segments: tuple[tuple[int, int, int, str], ...] = ()

    @property
    def key(self) -> str:
        return f"T{self.number:02d}"


@dataclass(frozen=True)
class ItemView:
    """One item of a track as the strip draws it (frames from the sequence start)."""

    start: int
    duration: int
    name: str
    kind: str  # clip | gap | placeholder | other


@dataclass(frozen=True)
class TrackView:
    """One track as the strip draws it: parallel tuples with one entry per item
    (transitions left out), in frames from the sequence start.  Plain tuples, so
    building and painting 3,000 items makes no object per item."""

    label: str
    name: str
    stack_index: int
    video: bool
    starts: tuple[int, ...]
    durations: tuple[int, ...]
    kinds: tuple[str, ...]  # clip | gap | placeholder | other
    names: tuple[str, ...]

    @cached_property
    def items(self) -> tuple[ItemView, ...]:
        """The items as objects (made on first use)."""
        return tuple(ItemView(s, d, n, k) for s, d, n, k
                     in zip(self.starts, self.durations, self.names, self.kinds,
                            strict=True))

    def index_at(self, frame: int) -> int | None:
        pos = bisect.bisect_right(self.starts, frame) - 1
        if pos >= 0 and frame < self.starts[pos] + self.durations[pos]:
            return pos
        return None


@dataclass
class Session:
    """A timeline opened in the panel and what Pickup knows about it."""

    loaded: LoadedTimeline
    slots: list[Slot]
    tracks: list[TrackView]
    size: tuple[int, int]
    size_note: str
    profile: str
    project: Project
    duration: int
    takes: dict[str, list[TakeRecord]] = field(default_factory=dict)
    unfinished: list[JobRow] = field(default_factory=list)
    spent: float = 0.0
    saved: dict[str, Any] = field(default_factory=dict)
    active_takes: dict[str, int] = field(default_factory=dict)
    #: the project state as last read: every take's status and note, active takes
    decisions: dict[str, SlotDecisions] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: neighbour frame PNGs already decoded: (slot id, start, end, folder) -> (prev, next)
    neighbours: dict[tuple[str, int, int, str], tuple[Path | None, Path | None]] = field(
        default_factory=dict)

    @property
    def rate(self) -> float:
        return self.loaded.rate

    @property
    def start_frame(self) -> int:
        return self.loaded.start_frame

    def timecode(self, frame: int) -> str:
        return frames_to_timecode(self.start_frame + frame, self.rate)


# ------------------------------------------------------------------------------- load
def _item_kind(item: otio.core.Item) -> str:
    if isinstance(item, otio.schema.Gap):
        return "gap"
    if isinstance(item, otio.schema.Clip):
        ref = item.media_reference
        if isinstance(ref, (otio.schema.GeneratorReference, otio.schema.MissingReference)):
            return "placeholder"
        return "clip"
    return "other"


_PLACEHOLDER_REFS = (otio.schema.GeneratorReference, otio.schema.MissingReference)


def _track_views(timeline: otio.schema.Timeline, rate: float) -> tuple[list[TrackView], int]:
    views: list[TrackView] = []
    counts = {"V": 0, "A": 0}
    end = 0
    gap, clip, transition = otio.schema.Gap, otio.schema.Clip, otio.schema.Transition
    for stack_index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track):
            continue
        video = track.kind == otio.schema.TrackKind.Video
        letter = "V" if video else "A"
        counts[letter] += 1
        starts: list[int] = []
        durations: list[int] = []
        kinds: list[str] = []
        names: list[str] = []
        position = 0
        for item in track:
            cls = type(item)
            if cls is transition or isinstance(item, transition):
                continue
            # Durations add up exactly like range_of_all_children, without its dict:
            # value * rate / its rate is value_rescaled_to(rate), without its wrapper.
            d = item.duration()
            d_rate = d.rate
            dur = round(d.value if d_rate == rate else d.value * rate / d_rate)
            if cls is gap:
                kind = "gap"
            elif cls is clip or isinstance(item, clip):
                kind = ("placeholder" if isinstance(item.media_reference, _PLACEHOLDER_REFS)
                        else "clip")
            else:
                kind = _item_kind(item)
            starts.append(position)
            durations.append(dur)
            kinds.append(kind)
            names.append(item.name or "")
            position += dur
        end = max(end, position)
        views.append(TrackView(f"{letter}{counts[letter]}", track.name or "", stack_index,
                               video, tuple(starts), tuple(durations), tuple(kinds),
                               tuple(names)))
    # Video on top, V1 lowest, as editors see them.
    video_views = [v for v in views if v.video][::-1]
    return video_views + [v for v in views if not v.video], end


# ------------------------------------------------------------------- quick sketch
@dataclass
class Sketch:
    """A timeline's tracks before it is fully read (:mod:`pickup.ui.quickread`): what
    the strip draws; it has no slots yet."""

    path: Path
    rate: float
    start_frame: int
    duration: int
    tracks: list[TrackView]
    slots: list[Slot] = field(default_factory=list)

    def timecode(self, frame: int) -> str:
        return frames_to_timecode(self.start_frame + frame, self.rate)


#: files smaller than this are read the usual way (the read is quick anyway)
SKETCH_MIN_BYTES = 256 * 1024


def sketch_command(path: Path, rate: float | None = None, *,
                   min_bytes: int | None = None) -> list[str] | None:
    """The command that sketches ``path`` in a separate process, or None when it cannot
    (not an ``.otio`` file, a small one, no Python interpreter to run it with: an editor
    that embeds the panel, a frozen app; or ``PICKUP_PANEL_SKETCH=0``)."""
    if os.environ.get("PICKUP_PANEL_SKETCH", "1").strip() in ("0", "no", "false", "off"):
        return None
    if path.suffix.lower() != ".otio":
        return None
    try:
        if path.stat().st_size < (SKETCH_MIN_BYTES if min_bytes is None else min_bytes):
            return None
    except OSError:
        return None
    exe = Path(sys.executable or "")
    script = Path(__file__).with_name("quickread.py")
    if not exe.name.lower().startswith("python") or not exe.is_file() or not script.is_file():
        return None
    from pickup.ui.quickread import STUB

    command = [str(exe), "-I", "-S", "-c", STUB, str(script.parent), str(path)]
    if rate is not None:
        command += ["--rate", repr(float(rate))]
    return command


def start_sketch(path: Path, rate: float | None = None, *,
                 min_bytes: int | None = None) -> subprocess.Popen[bytes] | None:
    """Start sketching ``path`` in a separate process (see :func:`sketch_command`; None
    when it cannot).  :func:`wait_sketch` collects it.  Starting a process this way
    is safe with threads running (nothing runs between fork and exec)."""
    command = sketch_command(path, rate, min_bytes=min_bytes)
    if command is None:
        return None
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL,
                                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    except OSError:
        return None


def wait_sketch(proc: subprocess.Popen[bytes], path: Path,
                timeout: float = 5.0) -> Sketch | None:
    """The sketch a :func:`start_sketch` process makes, or None when it could not (the
    file is not one it covers, it was killed, it took longer than ``timeout``).  Blocks;
    always leaves the process ended and reaped."""
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode != 0:
        return None
    try:
        return sketch_output(out, path)
    except (ValueError, KeyError, TypeError, EOFError):
        return None


def sketch_output(output: bytes, path: Path) -> Sketch:
    """The :class:`Sketch` of quickread's output (raises ValueError if it is not one)."""
    import marshal

    from pickup.ui.quickread import MAGIC

    if not output.startswith(MAGIC):
        raise ValueError("not a sketch")
    data = marshal.loads(output[len(MAGIC):])
    if not isinstance(data, dict):
        raise ValueError("not a sketch")
    return sketch_from(data, path)


def sketch_from(data: dict[str, Any], path: Path) -> Sketch:
    """The :class:`Sketch` of quickread's output for ``path``."""
    from pickup.ui.quickread import KIND_CODES

    tracks = [TrackView(t["label"], t["name"], int(t["stack_index"]), bool(t["video"]),
                        tuple(t["starts"]), tuple(t["durations"]),
                        tuple(KIND_CODES[k] for k in t["kinds"]), tuple(t["names"]))
              for t in data["tracks"]]
    for t in tracks:
        if not len(t.starts) == len(t.durations) == len(t.kinds) == len(t.names):
            raise ValueError("a sketched track's lists differ in length")
    return Sketch(path=path, rate=float(data["rate"]), start_frame=int(data["start_frame"]),
                  duration=int(data["duration"]), tracks=tracks)


def _journal_takes(project: Project) -> tuple[dict[str, list[TakeRecord]], list[JobRow], float]:
    takes: dict[str, list[TakeRecord]] = {}
    unfinished: list[JobRow] = []
    spent = 0.0
    journal = Journal.open_existing(project.journal_path)
    if journal is None:
        return takes, unfinished, spent
    try:
        for row in journal.all():
            if row.state in DONE:
                spent += float(row.cost if row.cost is not None else row.est_cost)
                if row.media_path and Path(row.media_path).is_file():
                    takes.setdefault(row.slot_id, []).append(take_from_row(row))
            elif row.unfinished:
                unfinished.append(row)
    finally:
        journal.close()
    return takes, unfinished, round(spent, 4)


def take_from_row(row: JobRow) -> TakeRecord:
    """The gallery record of a finished journal job."""
    return TakeRecord(number=row.take, path=Path(str(row.media_path)), provider=row.provider,
                      cost=float(row.cost if row.cost is not None else row.est_cost),
                      prompt=str(row.request.get("prompt") or ""), job_id=row.id,
                      seed=row.request.get("seed"),
                      handles=int(row.target.get("handles", 0) or 0),
                      frames=int(row.target.get("frames", 0) or 0),
                      segments=_segments_of(row))


def _segments_of(row: JobRow) -> tuple[tuple[int, int, int, str], ...]:
    extra = row.request.get("extra") or {}
    segments = extra.get("segments") if isinstance(extra, dict) else None
    return tuple((int(s.get("index", 0)), int(s.get("start", 0)), int(s.get("frames", 0)),
                  str(s.get("first", "none"))) for s in segments or ())


def read_session(path: Path | str, *, rate: float | None = None,
                 size: tuple[int, int] | None = None, profile: str | None = None,
                 project: Path | None = None) -> Session:
    """Read ``path`` and lay out its tracks (enough to draw it); no slots yet.  An EDL is
    read at the rate the command line remembered for the cut (nothing is written)."""
    from pickup.workflow.edl_rate import read_cut

    loaded, _note = read_cut(path, rate=rate, project=project, remember=False)
    tracks, duration = _track_views(loaded.timeline, loaded.rate)
    seq_size, note = (size, "--size") if size else sequence_size(loaded)
    proj = Project.find(loaded.path, project, loaded.timeline)
    sweep_stale_temps([loaded.path.parent])  # what a killed run left beside the cut
    sweep_stale_temps([proj.root], recursive=True)
    return Session(loaded=loaded, slots=[], tracks=tracks, size=seq_size, size_note=note,
                   profile=profile or profile_for_format(loaded.format.name),
                   project=proj, duration=duration)


def find_session_slots(session: Session) -> Session:
    """Fill in ``session``'s slots and what its project folder already holds."""
    loaded = session.loaded
    config = load_config()
    warnings: list[str] = []
    takes, unfinished, spent = _journal_takes(session.project)
    takes = _with_seams(session.project, takes)
    decisions = read_state(session.project)
    slots = project_slots(loaded, set(takes) | set(decisions), tags=config.tags,
                          warnings=warnings, project=session.project)
    saved: dict[str, Any] = {}
    state_file = session.project.root / PANEL_STATE
    if state_file.is_file():
        with contextlib.suppress(OSError, ValueError):
            saved = json.loads(state_file.read_text(encoding="utf-8"))
    session.slots, session.takes, session.unfinished = slots, takes, unfinished
    session.spent, session.saved, session.warnings = spent, saved, warnings
    session.active_takes = active_in_file(loaded, slots)
    apply_decisions(session, decisions)
    return session


def session_slots(session: Session) -> tuple[list[Slot], list[str]]:
    """The session's slots found again (after a mark changed): the file's, the ones
    marked in Pickup, and holes the project has takes for; with the warnings."""
    warnings: list[str] = []
    known = set(session.takes) | set(session.decisions)
    slots = project_slots(session.loaded, known, tags=load_config().tags,
                          warnings=warnings, project=session.project)
    return slots, warnings


def item_target(session: Session, stack_index: int, index: int) -> Target:
    """The strip's item ``index`` of track ``stack_index`` as a mark's target; bad input
    when it is on an audio track or not a gap or clip."""
    track = next((t for t in session.tracks if t.stack_index == stack_index), None)
    if track is None or not 0 <= index < len(track.starts):
        raise InputError("nothing there to mark", where=str(session.loaded.path))
    kind, name = track.kinds[index], track.names[index]
    if not track.video:
        raise InputError(f"{track.label} is an audio track: a slot is a gap or clip on a "
                         "video track", where=str(session.loaded.path))
    if kind not in ("gap", "clip", "placeholder"):
        raise InputError(f"{name or 'this item'} on {track.label} is a nested sequence: "
                         "Pickup marks gaps and clips on the top level",
                         where=str(session.loaded.path))
    return Target(track=track.label, stack_index=stack_index, start=track.starts[index],
                  duration=track.durations[index], item="gap" if kind == "gap" else "clip",
                  name=name)


def mark_item(session: Session, target: Target, kind: str | None,
              prompt: str | None) -> tuple[Slot, list[Slot], list[str]]:
    """Mark ``target`` as a slot in the project state (:func:`pickup.workflow.marks.mark`;
    off the GUI thread); the slot, and every slot of the session found again."""
    slot = mark(session.loaded, session.project, target, kind=kind, prompt=prompt,
                tags=load_config().tags)
    return (slot, *session_slots(session))


def unmark_item(session: Session, target: Target) -> tuple[SavedMark, list[Slot], list[str]]:
    """Drop ``target``'s mark from the project state (off the GUI thread); the mark, and
    every slot of the session found again."""
    gone = unmark(session.loaded, session.project, target=target)
    return (gone, *session_slots(session))


#: the panel's name of each take status of the project state (temp is "new" there)
PANEL_STATUS = {"temp": "new", "approved": "approved", "rejected": "rejected",
                "locked": "locked"}
STATE_STATUS = {panel: state for state, panel in PANEL_STATUS.items()}


def apply_decisions(session: Session, decisions: dict[str, SlotDecisions]) -> list[str]:
    """Show the project state in ``session``: each take's status and note, and the
    active take of every slot the state knows.  Returns the slots that changed."""
    changed: list[str] = []
    for slot_id, state in decisions.items():
        before = session.decisions.get(slot_id)
        for take in session.takes.get(slot_id, []):
            decision = state.takes.get(take.number)
            if decision is None:
                continue
            status = PANEL_STATUS.get(decision.status, "new")
            if (take.status, take.note) != (status, decision.note):
                take.status, take.note = status, decision.note
                changed.append(slot_id)
        if state.active is not None and (before is None or before.active != state.active):
            if session.active_takes.get(slot_id) != state.active:
                changed.append(slot_id)
            session.active_takes[slot_id] = state.active
    session.decisions = dict(decisions)
    return sorted(set(changed))


def _with_seams(project: Project, takes: dict[str, list[TakeRecord]]
                ) -> dict[str, list[TakeRecord]]:
    """The takes with the seam figures the take store holds for their media."""
    from pickup.takes.record import stored_seams

    known = stored_seams(project)
    if not known:
        return takes
    return {slot: [replace(t, seams=known.get(str(t.path.resolve()))) for t in records]
            for slot, records in takes.items()}


def project_state(project: Project) -> dict[str, SlotDecisions]:
    """The project state as it is now (statuses, notes, active takes), for a refresh."""
    return read_state(project)


def load_session(path: Path | str, *, rate: float | None = None,
                 size: tuple[int, int] | None = None, profile: str | None = None,
                 project: Path | None = None) -> Session:
    """Read ``path``, find its slots, and what the project folder already holds."""
    return find_session_slots(read_session(path, rate=rate, size=size, profile=profile,
                                           project=project))


def save_panel_state(project: Project, data: dict[str, Any],
                     previous: dict[str, Any] | None = None) -> Path:
    """Write the panel's settings (prompts, providers, chosen takes) into the project
    folder, and every take status and note that changed since ``previous`` into the
    project state (the take store every face reads) at once."""
    from pickup.atomic import atomic_path

    dest = project.ensure() / PANEL_STATE
    with atomic_path(dest) as tmp:
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    record_decisions(project, data, previous)
    return dest


def _take_marks(data: dict[str, Any] | None, slot_id: str) -> dict[int, tuple[str, str]]:
    saved = ((data or {}).get("slots") or {}).get(slot_id) or {}
    return {int(n): (str(t.get("status") or "new"), str(t.get("note") or ""))
            for n, t in (saved.get("takes") or {}).items()}


def record_decisions(project: Project, data: dict[str, Any],
                     previous: dict[str, Any] | None = None) -> list[tuple[str, int]]:
    """Write into the project state the statuses and notes in ``data`` (the panel
    model's JSON) that differ from ``previous``; returns (slot, take) written."""
    written: list[tuple[str, int]] = []
    for slot_id in (data.get("slots") or {}):
        now, before = _take_marks(data, slot_id), _take_marks(previous, slot_id)
        for number in sorted(set(now) | set(before)):
            mark = now.get(number, ("new", ""))
            if mark == before.get(number, ("new", "")):
                continue
            status, note = mark
            decide(project, slot_id, number, status=STATE_STATUS.get(status, "temp"),
                   note=note)
            written.append((slot_id, number))
    return written


# ------------------------------------------------------------------------ generation
#: What the inspector asks for one slot: the workflow's ask, under the panel's name.
TakeAsk = ShotAsk


def provider_names() -> list[str]:
    from pickup.providers.registry import available

    return available()


def _engine(project: Project, ask: TakeAsk, config: Config) -> Engine:
    return open_engine(project, ask.provider, config=config, model=ask.model, concurrency=1,
                       seed=ask.seed, new_seed=ask.seed is None,
                       provider_options=dict(ask.provider_options), local_poll_s=0.25)


def plan_takes(session: Session, ask: TakeAsk) -> Plan:
    """The engine's plan for ``ask`` (take numbers, seeds, estimated cost)."""
    first, last = ask_neighbours(session, ask)
    if ask.sources is None:  # for providers made from footage (extend)
        from pickup.media.neighbours import neighbour_sources

        ask = ask.with_changes(sources=neighbour_sources(session.loaded, ask.slot))
    return plan_for(session.project, ask, first, last)


def ask_neighbours(session: Session, ask: TakeAsk) -> tuple[Path | None, Path | None]:
    """The neighbour frames ``ask`` conditions on (decoded once per slot), or Nones."""
    if not (ask.use_first or ask.use_last):
        return None, None
    return neighbour_images(session, ask.slot, session.project.ensure("neighbours"))


def plan_for(project: Project, ask: TakeAsk, first: Path | None, last: Path | None) -> Plan:
    """:func:`plan_takes` once the neighbour frames are known (needs no timeline, so it
    runs in the engine process)."""
    config = load_config()
    engine = _engine(project, ask, config)
    try:
        caps = engine.provider.capabilities(ask.model)
        return engine.plan([build_shot(ask, caps, first, last)])
    finally:
        engine.close()


def run_take(project: Project, ask: TakeAsk, job: PlannedJob, *,
             on_event: EventCallback | None, cancel: threading.Event) -> TakeResult:
    """Make one planned take with its own engine run (so it can be cancelled alone)."""
    config = load_config()
    engine = _engine(project, ask, config)
    try:
        plan = Plan(provider=engine.name, model=ask.model, jobs=(job,))
        return engine.run(plan, on_event=on_event, cancel=cancel)[0]
    finally:
        engine.close()


def resume_jobs(project: Project, rows: list[JobRow], *, on_event: EventCallback | None,
                cancel: threading.Event) -> list[TakeResult]:
    """Finish journal jobs an earlier session left unfinished."""
    results: list[TakeResult] = []
    config = load_config()
    by_provider: dict[str, list[int]] = {}
    for row in rows:
        by_provider.setdefault(row.provider, []).append(row.id)
    for name, ids in by_provider.items():
        engine = open_engine(project, name, config=config, local_poll_s=0.25)
        try:
            results.extend(engine.resume(on_event=on_event, cancel=cancel, job_ids=ids))
        finally:
            engine.close()
    return results


def finished_take(project: Project, result: TakeResult) -> TakeRecord | None:
    """The gallery record of a finished take (reads its journal row)."""
    if not result.ok or result.job_id is None:
        return None
    journal = Journal(project.journal_path)
    try:
        return take_from_row(journal.get(result.job_id))
    finally:
        journal.close()


def estimate_ask(session: Session, ask: TakeAsk) -> float:
    """Estimated USD of ``ask`` without planning against the journal (fast)."""
    from pickup.engine import estimate_cost, fit_request

    config = load_config()
    provider = make_provider(ask.provider, config, dict(ask.provider_options))
    caps = provider.capabilities(ask.model)
    req = build_shot(ask, caps).request
    fitted = fit_request(req, caps, handles=ask.handles).request
    cost, _ = estimate_cost(provider, fitted, caps, config)
    return round(cost * ask.takes, 4)


def test_connection(name: str, options: dict[str, Any]) -> str:
    """Check that provider ``name`` can be reached and is configured; raises
    :class:`PickupError` with the reason, returns a sentence on success."""
    import requests

    from pickup.errors import ConfigError
    from pickup.providers.registry import get_provider

    provider = get_provider(name, **options)
    if name == "comfyui":
        servers = list(getattr(provider, "servers", []))
        for server in servers:
            try:
                answer = requests.get(f"{server}/system_stats", timeout=5)
            except requests.RequestException as exc:
                raise ConfigError(f"cannot reach {server}: {type(exc).__name__}",
                                  where="provider comfyui",
                                  hint="is ComfyUI running, and is the URL right?") from None
            if answer.status_code != 200:
                raise ConfigError(f"{server} answered HTTP {answer.status_code}",
                                  where="provider comfyui", hint="is this a ComfyUI server?")
        return f"{len(servers)} ComfyUI server(s) answered"
    configured = getattr(provider, "is_configured", None)
    if callable(configured) and not configured():
        raise ConfigError("no API key is set", where=f"provider {name}",
                          hint="paste the key and press Save")
    base = getattr(provider, "base_url", None)
    if base:
        try:
            answer = requests.get(str(base), timeout=5)
        except requests.RequestException as exc:
            raise ConfigError(f"cannot reach {base}: {type(exc).__name__}",
                              where=f"provider {name}", hint="check the network") from None
        return f"{base} is reachable (HTTP {answer.status_code}); the key is set"
    provider.capabilities(None)
    return "ready (runs on this machine)"


# ---------------------------------------------------------------------------- media
def media_path(item: otio.core.Item, timeline_path: Path) -> Path | None:
    """The local file an item's active media reference points at, if it exists."""
    ref = getattr(item, "media_reference", None)
    url = getattr(ref, "target_url", None)
    if not url:
        return None
    if url.startswith("file:"):
        parsed = urllib.parse.urlparse(url)
        path = Path(urllib.parse.unquote(parsed.path))
    else:
        path = Path(urllib.parse.unquote(url))
        if not path.is_absolute():
            path = timeline_path.parent / path
    return path if path.is_file() else None


def _source_first_frame(item: otio.schema.Clip, rate: float) -> int:
    """The frame index in the media file of the clip's first used frame."""
    rng = item.source_range
    if rng is None:
        return 0
    start = rng.start_time
    ref = item.media_reference
    avail = getattr(ref, "available_range", None)
    if avail is not None:
        start = start - avail.start_time
    return max(0, round(start.value_rescaled_to(rate)))


def clip_source_frame(item: otio.schema.Clip, rate: float) -> int:
    """The frame index in the media file of a clip's first used frame."""
    return _source_first_frame(item, rate)


def _neighbours(session: Session, slot: Slot) -> tuple[tuple[otio.core.Item, int] | None,
                                                       tuple[otio.core.Item, int] | None]:
    """(item before, its start) and (item after, its start) on the slot's track."""
    track = session.loaded.timeline.tracks[slot.stack_index]
    prev = nxt = None
    position = 0
    for item in track:
        if isinstance(item, otio.schema.Transition):
            continue
        dur = round(item.duration().value_rescaled_to(slot.rate))
        if position + dur <= slot.start:
            prev = (item, position)
        elif position >= slot.end and nxt is None:
            nxt = (item, position)
            break
        position += dur
    return prev, nxt


@dataclass(frozen=True)
class Segment:
    """A run of preview frames: ``frames`` frames of ``path`` from frame ``first``
    (``path`` None: black, for gaps and offline media)."""

    role: str  # prev | take | next
    label: str
    path: Path | None
    first: int
    frames: int
    #: the file a clip's media points at when it cannot be found (the player shows a
    #: "Media Offline" slate naming it); empty for gaps and online media
    offline: str = ""


def _offline_name(item: otio.core.Item, path: Path | None) -> str:
    """The file name an item's missing media points at ("" when online or a gap)."""
    if path is not None or not isinstance(item, otio.schema.Clip):
        return ""
    url = getattr(item.media_reference, "target_url", None) or ""
    name = urllib.parse.unquote(url.rstrip("/").rsplit("/", 1)[-1]) if url else ""
    return name or (item.name or "clip") + " (no media reference)"


def preview_segments(session: Session, slot: Slot, take: TakeRecord | None,
                     context: int) -> list[Segment]:
    """Tail of the previous item, the take (or black), head of the next item."""
    prev, nxt = _neighbours(session, slot)
    segments: list[Segment] = []
    if prev is not None and context > 0:
        item, _ = prev
        dur = round(item.duration().value_rescaled_to(slot.rate))
        n = min(context, dur)
        path = media_path(item, session.loaded.path)
        first = (_source_first_frame(item, slot.rate) + dur - n) if path else 0
        segments.append(Segment("prev", item.name or "previous", path, first, n,
                                _offline_name(item, path)))
    if take is not None:
        segments.append(Segment("take", f"{slot.id} {take.key}", take.path, take.handles,
                                slot.duration))
    else:
        segments.append(Segment("take", f"{slot.id} (empty)", None, 0, slot.duration))
    if nxt is not None and context > 0:
        item, _ = nxt
        dur = round(item.duration().value_rescaled_to(slot.rate))
        n = min(context, dur)
        path = media_path(item, session.loaded.path)
        first = _source_first_frame(item, slot.rate) if path else 0
        segments.append(Segment("next", item.name or "next", path, first, n,
                                _offline_name(item, path)))
    return segments


class FrameReader:
    """Frame-accurate random access into one video file, fast when read in order.

    ``read(k)`` returns frame ``k`` (0-based, in decode order of presentation) as an
    RGB ``uint8`` array of ``size`` (or the file's size).  Reading ``k+1`` after ``k``
    continues decoding; any other jump seeks to the keyframe before and decodes
    forward.  Not thread-safe: one reader per thread.
    """

    def __init__(self, path: Path, size: tuple[int, int] | None = None) -> None:
        import av
        from av.error import FFmpegError

        self.path = Path(path)
        try:
            self._container = av.open(str(path))
        except (OSError, FFmpegError) as exc:
            raise MediaError(f"cannot open: {exc}", where=str(path)) from None
        if not self._container.streams.video:
            self._container.close()
            raise MediaError("holds no video", where=str(path))
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        rate = self._stream.average_rate or self._stream.guessed_rate or 24
        self.rate = Fraction(rate)
        self._tb = Fraction(self._stream.time_base or Fraction(1, 1000))
        self._start = self._stream.start_time or 0
        self.size = size or (self._stream.codec_context.width, self._stream.codec_context.height)
        self._iter: Any = None
        self._next = -1  # frame index the iterator yields next

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._container.close()

    def _index(self, frame: Any) -> int:
        pts = frame.pts if frame.pts is not None else 0
        return round((pts - self._start) * self._tb * self.rate)

    def _convert(self, frame: Any) -> np.ndarray:
        w, h = self.size
        return frame.to_ndarray(width=w, height=h, format="rgb24")

    def read(self, k: int) -> np.ndarray:
        from av.error import FFmpegError

        if self._iter is None or k != self._next:
            target = self._start + int(Fraction(k) / self.rate / self._tb)
            self._container.seek(max(self._start, target), backward=True, any_frame=False,
                                 stream=self._stream)
            self._iter = self._container.decode(self._stream)
        last = None
        try:
            for frame in self._iter:
                index = self._index(frame)
                last = frame
                if index >= k:
                    self._next = index + 1
                    return self._convert(frame)
        except FFmpegError as exc:
            self._iter = None
            raise MediaError(f"cannot decode frame {k}: {exc}", where=str(self.path)) from None
        self._iter = None
        if last is not None:  # past the end: hold the last frame
            return self._convert(last)
        raise MediaError(f"no frame {k}", where=str(self.path))


def fit_size(width: int, height: int, max_w: int, max_h: int | None = None) -> tuple[int, int]:
    """``width x height`` scaled down (never up) to fit, even sizes."""
    max_h = max_h or max_w
    scale = min(1.0, max_w / width, max_h / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def _file_size(path: Path) -> tuple[int, int]:
    import av

    with av.open(str(path)) as container:
        ctx = container.streams.video[0].codec_context
        return ctx.width, ctx.height


def thumbnail(path: Path, index: int, max_w: int = 192, max_h: int = 108) -> np.ndarray:
    """Frame ``index`` of ``path`` as an RGB array that fits ``max_w`` x ``max_h``."""
    w, h = _file_size(path)
    reader = FrameReader(path, fit_size(w, h, max_w, max_h))
    try:
        return reader.read(index)
    finally:
        reader.close()


def neighbour_images(session: Session, slot: Slot, folder: Path
                     ) -> tuple[Path | None, Path | None]:
    """PNGs of the last frame before the slot and the first frame after it (or None).

    Decoded once per slot and session (the inspector and every plan share them).
    """
    key = (slot.id, slot.start, slot.end, str(folder))
    with _NEIGHBOURS_LOCK:
        found = session.neighbours.get(key)
    if found is not None and all(p is None or p.is_file() for p in found):
        return found
    found = _decode_neighbours(session, slot, folder)
    with _NEIGHBOURS_LOCK:
        session.neighbours[key] = found
    return found


_NEIGHBOURS_LOCK = threading.Lock()


def _decode_neighbours(session: Session, slot: Slot, folder: Path
                       ) -> tuple[Path | None, Path | None]:
    """The outgoing clip's last frame and the incoming clip's first, as PNGs (None where
    the media is offline); the core's :func:`neighbour_frames` does the work."""
    from pickup.media.neighbours import neighbour_frames

    try:
        return neighbour_frames(session.loaded, slot, folder)
    except PickupError:
        return None, None


# -------------------------------------------------------------------------- send back
@dataclass(frozen=True)
class SlotChoice:
    """The take a slot gets on send back, the other kept takes, and its status."""

    slot: Slot
    take: TakeRecord
    others: tuple[TakeRecord, ...] = ()
    approved: bool = False


#: What send back wrote (the workflow's commit report, under the panel's name).
SendReport = CommitReport


def send_back(session: Session, choices: list[SlotChoice], dest: Path | None = None
              ) -> SendReport:
    """Place every chosen take and write the timeline through its format's patcher
    (:func:`pickup.workflow.commit_takes`, as ``pickup fill`` does).

    An existing ``dest`` (including the input itself) is kept as ``<name>.bak``.
    """
    picks = [TakePick(slot=c.slot, take=c.take.number,
                      others=tuple(t.number for t in c.others),
                      status="approved" if c.approved else "temp",
                      # takes the engine did not make (no journal row) are probed
                      media={t.number: probed_media(t.path, c.slot.rate, t.handles)
                             for t in (c.take, *c.others) if t.job_id is None})
             for c in choices]
    report = commit_takes(session.project, session.loaded, picks, dest, backup=True)
    # What the cut now shows is the project state's active take of each slot sent.
    for pick in picks:
        session.active_takes[pick.slot.id] = pick.take
    session.decisions = read_state(session.project)
    return report


# ------------------------------------------------------------------------ take verbs
def _take_session(session: Session) -> TakeSession:
    """The open file as the take verbs see it, read again from disk (as ``pickup revert
    FILE`` reads it): the panel's own copy of the timeline is never changed here."""
    from pickup.takes.ops import open_session

    return open_session(session.loaded.path, rate=session.loaded.rate,
                        project=session.project.root, tags=load_config().tags)


def revert_slot(session: Session, slot_id: str) -> Reverted:
    """``pickup revert FILE SLOT`` on the open file (:func:`pickup.workflow.revert`): the
    slot's placeholder (or gap) is back in the file, written in place; its takes stay
    in the project state."""
    return revert(_take_session(session), slot_id)


@dataclass(frozen=True)
class PrunePlan:
    """What ``pickup prune`` would remove: every unused take (``--keep approved``, the
    default) and only the rejected ones (``--keep temp``)."""

    unused: tuple[Pruned, ...]
    rejected: tuple[Pruned, ...]


def plan_prune(session: Session) -> PrunePlan:
    """``pickup prune --dry-run`` both ways; removes nothing."""
    s = _take_session(session)
    return PrunePlan(tuple(prune(s, "approved", dry_run=True)),
                     tuple(prune(s, "temp", dry_run=True)))


def prune_takes(session: Session, keep: str = "approved") -> list[Pruned]:
    """``pickup prune FILE --keep KEEP`` (:func:`pickup.workflow.prune`): remove the
    takes nobody uses and their media inside the project folder."""
    return prune(_take_session(session), keep)


class LruFrames(OrderedDict[int, np.ndarray]):
    """A small LRU of decoded frames keyed by playlist index, bounded in bytes."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.bytes = 0
        self._lock = threading.Lock()

    def put(self, index: int, frame: np.ndarray) -> None:
        with self._lock:
            if index in self:
                self.bytes -= self[index].nbytes
                del self[index]
            self[index] = frame
            self.bytes += frame.nbytes
            while self.bytes > self.max_bytes and len(self) > 1:
                _, old = self.popitem(last=False)
                self.bytes -= old.nbytes

    def fetch(self, index: int) -> np.ndarray | None:
        with self._lock:
            frame = self.get(index)
            if frame is not None:
                self.move_to_end(index)
            return frame

    def drop(self) -> None:
        with self._lock:
            self.clear()
            self.bytes = 0
