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
from pickup.engine import JobEvent, Plan, TakeResult
from pickup.timeline import LoadedTimeline, find_slots, read_timeline
from pickup.timeline.writeback import choose_writer
from pickup.workflow import Fill, FillOptions

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
    parser.add_argument("--wait", action="store_true",
                        help="if another run is working on this project, wait for it "
                        "(by default refuse: two runs would create the same jobs twice)")
    parser.add_argument("--resubmit-unknown", action="store_true",
                        help="create again a job an interrupted run may already have "
                        "created at a provider that cannot be asked (check its dashboard "
                        "first: it may be billed twice)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.add_argument("--sheet", type=Path, default=None, metavar="PNG",
                        help="write a contact sheet of the filled slots")
    add_output_args(parser)
    parser.set_defaults(func=run)


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


def _options(args: argparse.Namespace) -> FillOptions:
    slots = tuple(s.strip() for s in (args.slots or "").split(",") if s.strip())
    return FillOptions(provider=args.provider, model=args.model, takes=args.takes,
                       handles=args.handles, seed=args.seed, new_seed=args.new_seed,
                       force=args.force, activate_new=args.activate_new,
                       concurrency=args.concurrency, budget=args.budget, size=args.size,
                       profile=args.profile, slots=slots, all_gaps=args.all_gaps,
                       project=args.project,
                       prompt=getattr(args, "prompt", None),
                       negative_prompt=getattr(args, "negative", None),
                       wait_for_project=args.wait, resubmit_unknown=args.resubmit_unknown)


def run(args: argparse.Namespace) -> int:
    dest = None if args.dry_run else output_path(args)
    loaded = load(args)
    if dest is not None:
        choose_writer(loaded, dest, args.to_adapter)  # refuse before spending anything
    with Fill(loaded, _options(args), on_warning=say) as fill:
        if args.dry_run:
            with tempfile.TemporaryDirectory(prefix="pickup-dry-") as tmp:
                _print_plan(fill.plan(Path(tmp)), fill.size_note, fill.profile, args.json)
            return 0
        assert dest is not None
        plan = fill.plan()
        fill.check_budget(plan)
        size = fill.size
        say(f"{loaded.path.name}: {len(fill.slots)} slot(s), {len(plan.jobs)} take(s) via "
            f"{fill.name}; size {size[0]}x{size[1]} ({fill.size_note}), {fill.profile}; "
            f"estimated ${plan.cost:.2f}")
        with cancel_on_interrupt() as cancel, Reporter(quiet=args.json) as reporter:
            results = fill.run(plan, on_event=reporter, cancel=cancel)
        if cancel.is_set():
            done = sum(r.ok for r in results)
            say(f"pickup: cancelled; {done} finished take(s) are kept in {fill.project.root} "
                "and reused by the next `pickup fill`; the timeline was not written")
            return 130
        return _finish(args, fill, results, dest)


def _finish(args: argparse.Namespace, fill: Fill, results: Sequence[TakeResult],
            dest: Path) -> int:
    failed = [r for r in results if not r.ok]
    for r in failed:
        say(f"pickup: slot {r.slot_id} take T{r.take:02d} {r.state}: {r.error}")
    report = fill.commit(results, dest, to_adapter=args.to_adapter, backup=args.in_place)
    for line in report.losses if report else ():
        say(f"pickup: warning: {line}")
    written = report.dest if report else None
    filled = [p.slot.id for p in report.placements] if report else []
    sheet = _sheet(args, fill.loaded, written) if written and args.sheet else None
    empty = sorted({s.id for s in fill.slots} - set(filled))
    spent = round(sum(r.cost for r in results), 4)
    if args.json:
        emit_json({"timeline": str(fill.loaded.path),
                   "output": str(written) if written else None,
                   "provider": fill.name, "project": str(fill.project.root),
                   "cost": spent, "sheet": str(sheet) if sheet else None,
                   "filled": filled, "failed_slots": empty,
                   "takes": [r.to_json() for r in results]})
    else:
        say(f"filled {len(filled)} of {len(fill.slots)} slot(s); {len(failed)} take(s) "
            f"failed; spent ${spent:.2f}")
        if written:
            print(written)
    if not filled:
        say("pickup: no slot could be filled; the timeline was not written")
        return 1
    if empty:
        say(f"pickup: slot(s) not filled: {', '.join(empty)}")
    return 1 if failed else 0


def _sheet(args: argparse.Namespace, loaded: LoadedTimeline, written: Path) -> Path | None:
    """Draw the contact sheet of the written timeline (every slot, every take)."""
    from pickup.media.sheet import contact_sheet

    filled = read_timeline(written, rate=loaded.rate if loaded.format.name == "edl" else None)
    slots = find_slots(filled.timeline, rate=filled.rate, start_frame=filled.start_frame,
                       all_gaps=args.all_gaps)
    args.sheet.parent.mkdir(parents=True, exist_ok=True)
    return contact_sheet(filled, slots, args.sheet).path
