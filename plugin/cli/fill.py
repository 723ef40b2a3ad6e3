"""``pickup fill``: generate takes for the marked slots, conform them and write the timeline.

Scans the timeline, builds one request per slot per take, runs the engine (journal,
cache, budget, retries, bounded concurrency), places the takes (the first new take
of a slot is active, the others are kept as media references) and writes the
timeline back through the format's patcher.  The last stdout line is the file
written.  Exit 2 for bad input, 1 if any slot failed (the others are still written).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.cli.common import (
    add_timeline_args,
    emit_json,
    load,
    nonneg_int,
    parse_money,
    parse_size,
    positive_int,
    say,
)
from pickup.cli.place import add_output_args, output_path
from pickup.config import load_config
from pickup.engine import (
    Engine,
    EngineOptions,
    JobEvent,
    OutputSpec,
    Plan,
    Shot,
    TakeResult,
    redact,
)
from pickup.engine.journal import DONE
from pickup.errors import BudgetError, InputError, WriteError
from pickup.media.conform import profile_for_format
from pickup.media.probe import probe
from pickup.project import Project
from pickup.providers.base import Provider, ShotRequest
from pickup.timeline import (
    LoadedTimeline,
    PlacedMedia,
    Placement,
    Slot,
    find_slots,
    frames_to_timecode,
    place_all,
    read_timeline,
)
from pickup.timeline.size import sequence_size
from pickup.timeline.writeback import choose_writer, write_back

__all__ = ["Reporter", "register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "fill", help="generate takes for the marked slots and write the timeline back",
        description="Generate one or more takes for every marked slot through a provider, "
        "conform them to the sequence (frames, rate, size, codec) into the project folder, "
        "put them into the timeline and write it back.  Jobs are journalled: run the same "
        "command again after a crash or Ctrl-C and it resumes without paying twice.  The "
        "last stdout line is the file written.")
    add_timeline_args(parser)
    parser.add_argument("--provider", default="previz",
                        help="generation provider (default previz; `pickup providers`)")
    parser.add_argument("--model", default=None, help="provider model")
    parser.add_argument("--takes", type=positive_int, default=1, help="takes per slot (1)")
    parser.add_argument("--slots", default=None, metavar="ID,...",
                        help="only these slots (ids as `pickup scan` lists them)")
    parser.add_argument("--all-gaps", action="store_true",
                        help="also fill unmarked gaps where no video track shows picture")
    parser.add_argument("--budget", type=parse_money, default=None, metavar="USD",
                        help="refuse to start if the estimated cost passes USD")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and its estimated cost; submit nothing")
    parser.add_argument("--concurrency", type=positive_int, default=None,
                        help="jobs in flight at once (default 4; 1 for local providers)")
    parser.add_argument("--profile", choices=("prores_hq", "dnxhr_hq", "h264"), default=None,
                        help="output codec (default: ProRes HQ for OTIO/FCP XML, DNxHR HQ "
                        "for AAF/EDL)")
    parser.add_argument("--size", type=parse_size, default=None, metavar="WxH",
                        help="sequence size when the timeline does not say (default "
                        "1920x1080)")
    parser.add_argument("--handles", type=nonneg_int, default=0,
                        help="extra frames generated at each end of a take (0)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of take 1 (take n uses seed+n-1)")
    parser.add_argument("--new-seed", action="store_true",
                        help="make new takes with seeds never used for the slot")
    parser.add_argument("--force", action="store_true",
                        help="generate again even when an identical take exists")
    parser.add_argument("--activate-new", action="store_true",
                        help="make the first new take active in slots filled before (by "
                        "default a slot keeps its active take and gains the new ones)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.add_argument("--sheet", type=Path, default=None, metavar="PNG",
                        help="write a contact sheet of the filled slots")
    add_output_args(parser)
    parser.set_defaults(func=run)


def _rate(slot: Slot) -> Fraction:
    return Fraction(slot.rate).limit_denominator(1001)


def _neighbours(loaded: LoadedTimeline, slot: Slot, folder: Path
                ) -> tuple[Path | None, Path | None]:
    from pickup.media.neighbours import neighbour_frames

    folder.mkdir(parents=True, exist_ok=True)
    try:
        first, last = neighbour_frames(loaded, slot, folder)
    except Exception as exc:  # neighbours are a nicety; never stop a fill for them
        say(f"slot {slot.id}: neighbour frames unavailable ({redact(str(exc))})")
        return None, None
    return first, last


def _shots(args: argparse.Namespace, loaded: LoadedTimeline, slots: Sequence[Slot],
           provider: Provider, size: tuple[int, int], profile: str, frames_dir: Path
           ) -> list[Shot]:
    caps = provider.capabilities(args.model)
    shots: list[Shot] = []
    for slot in slots:
        rate = _rate(slot)
        first = last = None
        if caps.first_frame or caps.last_frame:
            first, last = _neighbours(loaded, slot, frames_dir)
        media_start = loaded.start_frame + slot.start - args.handles
        timecode = frames_to_timecode(media_start, slot.rate) if media_start >= 0 else None
        extra: dict[str, Any] = {}
        if caps.local:  # a local renderer can write the final codec directly
            extra = {"profile": profile, "timecode": timecode}
        req = ShotRequest(slot_id=slot.id, prompt=slot.prompt or slot.kind or "",
                          kind=slot.kind, frames=slot.duration, rate=rate, width=size[0],
                          height=size[1], seed=None, first_frame=first,
                          last_frame=last if caps.last_frame else None, model=args.model,
                          extra=extra)
        out = OutputSpec(frames=slot.duration, rate=rate, width=size[0], height=size[1],
                         profile=profile, handles=args.handles, timecode=timecode,
                         reel=None)
        shots.append(Shot(req, out, takes=args.takes))
    return shots


def _select(args: argparse.Namespace, loaded: LoadedTimeline) -> list[Slot]:
    config = load_config()
    warnings: list[str] = []
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                       all_gaps=args.all_gaps or bool(args.slots), tags=config.tags,
                       warnings=warnings)
    for message in warnings:
        say(f"{loaded.path.name}: warning: {message}")
    if args.slots:
        wanted = [s.strip() for s in args.slots.split(",") if s.strip()]
        by_id = {s.id: s for s in slots}
        missing = [w for w in wanted if w not in by_id]
        if missing:
            known = ", ".join(by_id) or "none"
            raise InputError(f"no slot {', '.join(repr(m) for m in missing)}",
                             where=str(loaded.path),
                             hint=f"slots found: {known}; run `pickup scan` to list them")
        return [by_id[w] for w in wanted]
    if not args.all_gaps:
        slots = [s for s in slots if s.mark != "unmarked"]
    if not slots:
        raise InputError("no marked slots to fill", where=str(loaded.path),
                         hint="mark gaps or placeholder clips with a GEN marker, or pass "
                         "--all-gaps to fill unmarked holes")
    return slots


# -- progress ------------------------------------------------------------------------
class Reporter:
    """Turns engine events into a rich bar per job (TTY) or plain stderr lines."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self._last: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()
        self._progress: Any = None
        self._tasks: dict[tuple[str, int], Any] = {}

    def __enter__(self) -> Reporter:
        if not self.quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                      TaskProgressColumn(), TextColumn("{task.fields[state]}"),
                                      TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=False)
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, event: JobEvent) -> None:
        key = (event.slot_id, event.take)
        label = f"{event.slot_id} T{event.take:02d}"
        with self._lock:
            if self._progress is not None:
                task = self._tasks.get(key)
                if task is None:
                    task = self._progress.add_task(label, total=1.0, state=event.state)
                    self._tasks[key] = task
                done = 1.0 if event.state in ("conformed", "cached") else None
                self._progress.update(task, state=_describe(event),
                                      completed=done if done is not None else
                                      (event.progress or 0.0) * 0.9)
                return
            if self.quiet or (self._last.get(key) == event.state and event.state != "retrying"):
                return
            self._last[key] = event.state
            print(f"{label}: {_describe(event)}", file=sys.stderr, flush=True)


def _describe(event: JobEvent) -> str:
    text = event.state
    if event.progress is not None and event.state == "running":
        text += f" {event.progress * 100:.0f}%"
    if event.message:
        text += f" - {event.message}"
    if event.cost and event.state in ("conformed", "submitting"):
        text += f" (${event.cost:.2f})"
    return text


@contextlib.contextmanager
def cancel_on_interrupt() -> Iterator[threading.Event]:
    """An event set by the first Ctrl-C (the second one interrupts at once)."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if cancel.is_set():
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        cancel.set()
        say("pickup: cancelling (running jobs are cancelled at the provider; "
            "Ctrl-C again to quit at once)")

    signal.signal(signal.SIGINT, handler)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)


# -- the command ---------------------------------------------------------------------
def _print_plan(plan: Plan, size_note: str, profile: str, as_json: bool) -> None:
    if as_json:
        data = plan.to_json()
        data.update({"dry_run": True, "size_source": size_note, "profile": profile})
        emit_json(data)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"plan: {plan.provider}"
                  + (f" / {plan.model}" if plan.model else "")
                  + f" — {profile}, size from {size_note}", title_justify="left")
    for column in ("slot", "take", "action", "length", "size", "seed", "est. USD", "notes"):
        table.add_column(column, overflow="fold")
    for job in plan.jobs:
        r = job.request
        notes = "; ".join(job.notes) + (f" INVALID: {job.error}" if job.error else "")
        table.add_row(job.slot_id, f"T{job.take:02d}", job.action,
                      f"{r.seconds:.2f} s ({r.frames} f)", f"{r.width}x{r.height}",
                      str(r.seed), f"{job.est_cost:.2f}" if job.spends else "-", notes)
    console.print(table)
    console.print(f"{len(plan.jobs)} take(s); estimated cost of new work: "
                  f"${plan.cost:.2f} (dry run: nothing submitted)")


def run(args: argparse.Namespace) -> int:
    dest = None if args.dry_run else output_path(args)
    loaded = load(args)
    if dest is not None:
        choose_writer(loaded, dest, args.to_adapter)  # refuse before spending anything
    slots = _select(args, loaded)
    size, size_note = sequence_size(loaded, args.size)
    profile = args.profile or profile_for_format(loaded.format.name)
    project = Project.for_timeline(loaded.path, args.project)
    config = load_config()
    from pickup.providers.registry import get_provider

    provider = get_provider(args.provider, **config.provider_options(args.provider))
    caps = provider.capabilities(args.model)
    concurrency = args.concurrency or (1 if caps.local else 4)
    options = EngineOptions(model=args.model, concurrency=concurrency, budget=args.budget,
                            seed=args.seed, new_seed=args.new_seed, force=args.force,
                            config=config, poll_interval_s=0.5 if caps.local else 2.0)
    from pickup.takes.record import fill_conformer

    engine = Engine(project, provider, options,
                    conformer=fill_conformer(lambda: engine, args.provider, args.model))
    try:
        if args.dry_run:
            with tempfile.TemporaryDirectory(prefix="pickup-dry-") as tmp:
                plan = engine.plan(_shots(args, loaded, slots, provider, size, profile,
                                          Path(tmp)))
                _print_plan(plan, size_note, profile, args.json)
            return 0
        assert dest is not None
        shots = _shots(args, loaded, slots, provider, size, profile,
                       project.root / "neighbours")
        plan = engine.plan(shots)
        if args.budget is not None and plan.cost > args.budget + 1e-9:
            fit, total = 0, 0.0
            for job in plan.jobs:
                if job.spends and total + job.est_cost <= args.budget + 1e-9:
                    total += job.est_cost
                    fit += 1
            raise BudgetError(f"the plan is estimated at ${plan.cost:.2f}, over the budget "
                              f"of ${args.budget:.2f}; nothing was submitted",
                              hint=f"{fit} of {sum(j.spends for j in plan.jobs)} new take(s) "
                              "would fit: lower --takes, pick --slots, or raise --budget "
                              "(see --dry-run)")
        say(f"{loaded.path.name}: {len(slots)} slot(s), {len(plan.jobs)} take(s) via "
            f"{engine.name}; size {size[0]}x{size[1]} ({size_note}), {profile}; "
            f"estimated ${plan.cost:.2f}")
        with cancel_on_interrupt() as cancel, Reporter(quiet=args.json) as reporter:
            results = engine.run(plan, on_event=reporter, cancel=cancel)
        if cancel.is_set():
            done = sum(r.ok for r in results)
            say(f"pickup: cancelled; {done} finished take(s) are kept in {project.root} "
                "and reused by the next `pickup fill`; the timeline was not written")
            return 130
        return _finish(args, loaded, slots, engine, results, dest, plan)
    finally:
        engine.close()


def _placements(slots: Sequence[Slot], engine: Engine, results: Sequence[TakeResult],
                keep: dict[str, int] | None = None, loaded: LoadedTimeline | None = None
                ) -> list[Placement]:
    placements: list[Placement] = []
    for slot in slots:
        new = sorted((r for r in results if r.slot_id == slot.id and r.ok),
                     key=lambda r: r.take)
        if not new:
            continue
        seen = {r.take for r in new}
        older = [row for row in engine.journal.for_slot(slot.id)
                 if row.state in DONE and row.take not in seen and row.media_path
                 and Path(row.media_path).is_file()]
        media: list[PlacedMedia] = []
        numbers: list[int] = []
        for path, take, out in ([(r.media, r.take, OutputSpec.from_json(_target(engine, r)))
                                  for r in new]
                                 + [(Path(str(o.media_path)), o.take,
                                     OutputSpec.from_json(o.target)) for o in older]):
            assert path is not None
            info = probe(path)
            # The rate conform was asked for is exact; a container's average rate may not be.
            start = 0
            if info.start_timecode:
                import opentimelineio as otio

                with contextlib.suppress(ValueError, TypeError):
                    start = round(otio.opentime.from_timecode(info.start_timecode,
                                                              float(out.rate)).value)
            media.append(PlacedMedia(path=info.path, frames=info.frames, rate=out.rate,
                                     width=info.width, height=info.height,
                                     start_frame=start, handles=out.handles))
            numbers.append(take)
        first = new[0]
        if keep and keep.get(slot.id) in numbers[1:]:  # a re-fill keeps the active take
            at = numbers.index(keep[slot.id])
            media.insert(0, media.pop(at))
            numbers.insert(0, numbers.pop(at))
        name = f"{slot.id}_T{numbers[0]:02d}"
        if loaded is not None:
            from pickup.takes.record import slot_names

            name = slot_names(loaded, slot, numbers[0])
        placements.append(Placement(
            slot=slot, media=media[0], clip_name=name,
            metadata={"take": numbers[0], "provider": engine.name,
                      "job_id": first.job_id, "takes": numbers},
            extra_takes=tuple(media[1:]), take_numbers=tuple(numbers)))
    return placements


def _target(engine: Engine, result: TakeResult) -> dict[str, Any]:
    assert result.job_id is not None
    return engine.journal.get(result.job_id).target


def _finish(args: argparse.Namespace, loaded: LoadedTimeline, slots: Sequence[Slot],
            engine: Engine, results: Sequence[TakeResult], dest: Path, plan: Plan) -> int:
    failed = [r for r in results if not r.ok]
    for r in failed:
        say(f"pickup: slot {r.slot_id} take T{r.take:02d} {r.state}: {r.error}")
    from pickup.takes.record import keep_active, record_fill

    placements = _placements(slots, engine, results,
                             keep_active(engine.project, args.activate_new), loaded)
    written: Path | None = None
    if placements:
        edited = place_all(loaded.timeline, placements)
        record_fill(engine.project, loaded, edited, placements, engine.journal, None)
        if args.output is not None:  # -o into a folder that is not there yet: make it
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WriteError(f"cannot create the output folder: {exc.strerror}",
                                 where=str(dest.parent), hint="choose another -o") from None
        written = write_back(loaded, edited, placements, dest, to_adapter=args.to_adapter,
                             backup=args.in_place, replaced_dir=engine.project.replaced_dir)
        record_fill(engine.project, loaded, edited, placements, engine.journal, written,
                    activate_new=args.activate_new)
        for p in placements:
            for result in results:
                if result.slot_id == p.slot.id and result.ok and result.job_id is not None:
                    engine.journal.set_state(result.job_id, "placed", output=str(written),
                                             detail=str(written))
    sheet = _sheet(args, loaded, written, placements) if written and args.sheet else None
    empty = sorted({s.id for s in slots} - {p.slot.id for p in placements})
    spent = round(sum(r.cost for r in results), 4)
    if args.json:
        emit_json({"timeline": str(loaded.path), "output": str(written) if written else None,
                   "provider": engine.name, "project": str(engine.project.root),
                   "cost": spent, "sheet": str(sheet) if sheet else None,
                   "filled": [p.slot.id for p in placements], "failed_slots": empty,
                   "takes": [r.to_json() for r in results]})
    else:
        say(f"filled {len(placements)} of {len(slots)} slot(s); {len(failed)} take(s) "
            f"failed; spent ${spent:.2f}")
        if written:
            print(written)
    if not placements:
        say("pickup: no slot could be filled; the timeline was not written")
        return 1
    if empty:
        say(f"pickup: slot(s) not filled: {', '.join(empty)}")
    return 1 if failed else 0


def _sheet(args: argparse.Namespace, loaded: LoadedTimeline, written: Path,
           placements: Sequence[Placement]) -> Path | None:
    """Draw the contact sheet of the written timeline (every slot, every take)."""
    from pickup.media.sheet import contact_sheet

    filled = read_timeline(written, rate=loaded.rate if loaded.format.name == "edl" else None)
    slots = find_slots(filled.timeline, rate=filled.rate, start_frame=filled.start_frame,
                       all_gaps=args.all_gaps)
    args.sheet.parent.mkdir(parents=True, exist_ok=True)
    return contact_sheet(filled, slots, args.sheet).path
