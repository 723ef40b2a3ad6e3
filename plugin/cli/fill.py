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
from collections.abc import Iterator
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
from pickup.cli.progress import FillProgress
from pickup.engine import JobEvent, Plan
from pickup.timeline import LoadedTimeline, read_timeline
from pickup.workflow import Fill, FillOptions, FillOutcome, fill_timeline

__all__ = ["FillDisplay", "add_fill_args", "cancel_on_interrupt", "fill_options", "register",
           "run", "say_filled", "say_outcome", "say_unfilled"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "fill", help="generate takes for the marked slots and write the timeline back",
        description="Generate one or more takes for every marked slot through a provider, "
        "conform them to the sequence (frames, rate, size, codec) into the project folder, "
        "put them into the timeline and write it back.  Jobs are journalled: run the same "
        "command again after a crash or Ctrl-C and it resumes without paying twice.  The "
        "last stdout line is the file written.")
    add_timeline_args(parser)
    add_fill_args(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and its estimated cost; submit nothing")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON summary (progress goes to stderr as plain lines)")
    parser.add_argument("--sheet", type=Path, default=None, metavar="PNG",
                        help="write a contact sheet of the filled slots")
    add_output_args(parser)
    parser.set_defaults(func=run)


def add_fill_args(parser: argparse.ArgumentParser, *,
                  size_help: str = "sequence size when the timeline does not say "
                  "(default 1920x1080)") -> None:
    """What to generate and how: the options of every CLI fill (``pickup fill``,
    ``pickup resolve fill``); :func:`fill_options` reads them."""
    parser.add_argument("--provider", default="previz",
                        help="generation provider (default previz; `pickup providers`)")
    parser.add_argument("--model", default=None, help="provider model")
    parser.add_argument("--takes", type=positive_int, default=1, help="takes per slot (1)")
    parser.add_argument("--slots", default=None, metavar="ID,...",
                        help="only these slots (ids as `pickup scan` lists them)")
    parser.add_argument("--all-gaps", action="store_true",
                        help="also fill unmarked gaps where no video track shows picture")
    parser.add_argument("--prompt", default=None, metavar="TEXT",
                        help="the prompt of the one slot named by --slots (kept in the "
                        "project state, so the panel shows it)")
    parser.add_argument("--negative", default=None, metavar="TEXT",
                        help="what that slot's takes must not show (negative prompt)")
    parser.add_argument("--budget", type=parse_money, default=None, metavar="USD",
                        help="refuse to start if the estimated cost passes USD")
    parser.add_argument("--concurrency", type=positive_int, default=None,
                        help="jobs in flight at once (default 4; 1 for local providers)")
    parser.add_argument("--profile", choices=("prores_hq", "dnxhr_hq", "h264"), default=None,
                        help="output codec (default: ProRes HQ for OTIO/FCP XML, DNxHR HQ "
                        "for AAF/EDL)")
    parser.add_argument("--size", type=parse_size, default=None, metavar="WxH",
                        help=size_help)
    parser.add_argument("--handles", type=nonneg_int, default=0,
                        help="extra frames generated at each end of a take (0)")
    parser.add_argument("--join", choices=("cut", "dissolve"), default="cut",
                        help="a slot longer than the model makes is a chain of segments "
                        "joined by a cut (default) or a short dissolve")
    parser.add_argument("--hold", action="store_true",
                        help="for slots longer than the model makes, one take with its "
                        "last frame held instead of a chain")
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


def fill_options(args: argparse.Namespace) -> FillOptions:
    """The :class:`FillOptions` of a command registered with :func:`add_fill_args`."""
    slots = tuple(s.strip() for s in (args.slots or "").split(",") if s.strip())
    return FillOptions(provider=args.provider, model=args.model, takes=args.takes,
                       handles=args.handles, seed=args.seed, new_seed=args.new_seed,
                       force=args.force, activate_new=args.activate_new,
                       concurrency=args.concurrency, budget=args.budget, size=args.size,
                       profile=args.profile, slots=slots, all_gaps=args.all_gaps,
                       project=getattr(args, "project", None),
                       prompt=args.prompt, negative_prompt=args.negative,
                       slot_prompts=getattr(args, "slot_prompts", ()),
                       wait_for_project=args.wait, resubmit_unknown=args.resubmit_unknown,
                       join=args.join, hold=args.hold)


# -- progress: pickup.cli.progress --------------------------------------------------
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


def _check_prompts(args: argparse.Namespace, loaded: LoadedTimeline) -> None:
    """``--dry-run``: the checks a fill makes of the prompts
    (:func:`pickup.workflow.prompts.check_prompts`)."""
    from pickup.config import load_config
    from pickup.workflow.prompts import check_prompts

    options = fill_options(args)
    kept = check_prompts(loaded, slot_ids=options.slots, all_gaps=options.all_gaps,
                         prompt=options.prompt, negative=options.negative_prompt,
                         provider=options.provider, project=options.project,
                         tags=load_config().tags, say=say)
    if kept:
        args.slot_prompts = kept


class FillDisplay:
    """How a fill shows itself on the command line (``pickup fill``, ``pickup resolve
    fill``): the plan in one line once it is known, then the jobs' progress
    (:class:`FillProgress`), with the first Ctrl-C setting :attr:`cancel`.

    A context manager; pass :meth:`on_plan`, :meth:`on_event` and :attr:`cancel` to
    :func:`pickup.workflow.fill_timeline`."""

    def __init__(self, *, as_json: bool = False) -> None:
        self.as_json = as_json
        self.cancel = threading.Event()
        self.progress: FillProgress | None = None
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> FillDisplay:
        self.cancel = self._stack.enter_context(cancel_on_interrupt())
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def on_plan(self, fill: Fill, plan: Plan) -> None:
        size = fill.size
        say(f"{fill.loaded.path.name}: {len(fill.slots)} slot(s), {len(plan.jobs)} take(s) "
            f"via {fill.name}; size {size[0]}x{size[1]} ({fill.size_note}), {fill.profile}; "
            f"estimated ${plan.cost:.2f}")
        self.progress = self._stack.enter_context(
            FillProgress(total=len(plan.jobs), estimate=plan.cost,
                         live=False if self.as_json else None))

    def on_event(self, event: JobEvent) -> None:
        if self.progress is not None:
            self.progress(event)


def say_outcome(outcome: FillOutcome, *, again: str = "`pickup fill`") -> None:
    """What went wrong in a fill, one line each: cancelled, a failed take, what the
    writer could not keep."""
    if outcome.cancelled:
        done = sum(r.ok for r in outcome.results)
        say(f"pickup: cancelled; {done} finished take(s) are kept in {outcome.project} "
            f"and reused by the next {again}; the timeline was not written")
        return
    for r in outcome.failed:
        say(f"pickup: slot {r.slot_id} take T{r.take:02d} {r.state}: {r.error}")
    for line in outcome.report.losses if outcome.report else ():
        say(f"pickup: warning: {line}")


def say_filled(outcome: FillOutcome) -> None:
    """``filled 2 of 3 slot(s); 1 take(s) failed; spent $0.40`` and, when some slot
    got nothing, which."""
    say(f"filled {len(outcome.filled)} of {len(outcome.slots)} slot(s); "
        f"{len(outcome.failed)} take(s) failed; spent ${outcome.spent:.2f}")


def say_unfilled(outcome: FillOutcome) -> None:
    if not outcome.filled:
        say("pickup: no slot could be filled; the timeline was not written")
    elif outcome.empty:
        say(f"pickup: slot(s) not filled: {', '.join(outcome.empty)}")


def run(args: argparse.Namespace) -> int:
    if args.dry_run:
        return _dry_run(args)
    dest = output_path(args)
    loaded = load(args)
    with FillDisplay(as_json=args.json) as shown:
        outcome = fill_timeline(loaded, dest, fill_options(args), to_adapter=args.to_adapter,
                                backup=args.in_place or dest.exists(),
                                on_plan=shown.on_plan, on_event=shown.on_event,
                                cancel=shown.cancel, say=say)
    say_outcome(outcome)
    if outcome.cancelled:
        return outcome.code
    written = outcome.written
    sheet = _sheet(args, loaded, written) if written and args.sheet else None
    if args.json:
        emit_json({"timeline": str(loaded.path),
                   "output": str(written) if written else None,
                   "provider": outcome.provider, "project": str(outcome.project),
                   "cost": outcome.spent, "sheet": str(sheet) if sheet else None,
                   "filled": list(outcome.filled), "failed_slots": list(outcome.empty),
                   "takes": [r.to_json() for r in outcome.results]})
    else:
        say_filled(outcome)
        if written:
            print(written)
    say_unfilled(outcome)
    return outcome.code


def _dry_run(args: argparse.Namespace) -> int:
    loaded = load(args)
    _check_prompts(args, loaded)
    with Fill(loaded, fill_options(args), on_warning=say) as fill, \
            tempfile.TemporaryDirectory(prefix="pickup-dry-") as tmp:
        _print_plan(fill.plan(Path(tmp)), fill.size_note, fill.profile, args.json)
    return 0


def _sheet(args: argparse.Namespace, loaded: LoadedTimeline, written: Path) -> Path | None:
    """Draw the contact sheet of the written timeline (every slot, every take)."""
    from pickup.workflow import draw_sheet

    filled = read_timeline(written, rate=loaded.rate if loaded.format.name == "edl" else None)
    args.sheet.parent.mkdir(parents=True, exist_ok=True)
    return draw_sheet(filled, args.sheet, all_gaps=args.all_gaps, project=args.project)[0].path
