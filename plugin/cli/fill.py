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
from pickup.cli.progress import FillProgress
from pickup.engine import Plan, TakeResult
from pickup.engine.preflight import check_output
from pickup.errors import InputError
from pickup.timeline import LoadedTimeline, read_timeline
from pickup.workflow import Fill, FillOptions, select_slots

__all__ = ["cancel_on_interrupt", "register", "run"]


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
    parser.add_argument("--prompt", default=None, metavar="TEXT",
                        help="the prompt of the one slot named by --slots (kept in the "
                        "project state, so the panel shows it)")
    parser.add_argument("--negative", default=None, metavar="TEXT",
                        help="what that slot's takes must not show (negative prompt)")
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
    parser.add_argument("--json", action="store_true",
                        help="print a JSON summary (progress goes to stderr as plain lines)")
    parser.add_argument("--sheet", type=Path, default=None, metavar="PNG",
                        help="write a contact sheet of the filled slots")
    add_output_args(parser)
    parser.set_defaults(func=run)


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
                       slot_prompts=getattr(args, "slot_prompts", ()),
                       wait_for_project=args.wait, resubmit_unknown=args.resubmit_unknown,
                       join=args.join, hold=args.hold)


def _check_prompts(args: argparse.Namespace, loaded: LoadedTimeline) -> None:
    """Refuse, before anything is made, a --prompt for several slots and a slot with
    nothing to generate from; say when a slot generates from its kind's default."""
    from pickup.config import load_config
    from pickup.workflow.prompts import kind_prompt, missing_prompts

    wanted = tuple(s.strip() for s in (args.slots or "").split(",") if s.strip())
    given = args.prompt is not None or args.negative is not None
    if given and len(wanted) != 1:
        raise InputError("--prompt and --negative set the prompt of one slot",
                         where=str(loaded.path), hint="name it with --slots ID; "
                         "`pickup scan --all-gaps` lists the ids")
    if args.prompt is not None and not args.prompt.strip():
        raise InputError("--prompt is empty", hint="say what the shot shows")
    slots = select_slots(loaded, slot_ids=wanted, all_gaps=args.all_gaps,
                         tags=load_config().tags)
    empty = missing_prompts(slots, args.prompt)
    if empty:  # a prompt fill --prompt kept for the slot before serves again
        from pickup.project import Project
        from pickup.workflow.prompts import saved_prompt

        project = Project.find(loaded.path, args.project, loaded.timeline)
        kept = [(s.id, *found) for s in empty
                if (found := saved_prompt(project, s.id)) is not None]
        for slot_id, prompt, _negative in kept:
            say(f"slot {slot_id}: generating from the prompt kept in the project state: "
                f"\"{prompt}\"")
        args.slot_prompts = tuple(kept)
        empty = [s for s in empty if s.id not in {k[0] for k in kept}]
    if empty:
        ids = ", ".join(s.id for s in empty)
        gaps = all(s.mark == "unmarked" for s in empty)
        if len(empty) == 1:
            what = f"slot {ids} is {'an unmarked gap' if gaps else 'marked without a prompt'}"
        else:
            what = f"slots {ids} are {'unmarked gaps' if gaps else 'marked without a prompt'}"
        hint = (f"pass --slots {empty[0].id} --prompt TEXT, or mark the slot in the cut: "
                "GEN kind: prompt")
        if args.provider != "previz":
            raise InputError(f"{what}: nothing to generate from, so nothing was submitted",
                             where=str(loaded.path), hint=hint)
        say(f"pickup: warning: {what} with no prompt: previz draws a placeholder card from "
            f"the neighbouring shots; a generating provider will need a prompt ({hint})")
    if args.prompt is None:
        for slot in slots:
            if not (slot.prompt or "").strip() and slot.kind:
                say(f"slot {slot.id}: no prompt; generating from the {slot.kind} default "
                    f"\"{kind_prompt(slot.kind)}\" (pass --prompt to say more)")


def run(args: argparse.Namespace) -> int:
    dest = None if args.dry_run else output_path(args)
    loaded = load(args)
    if dest is not None:
        check_output(loaded, dest, args.to_adapter)  # refuse before spending anything
    _check_prompts(args, loaded)
    with Fill(loaded, _options(args), on_warning=say) as fill:
        if args.prompt is not None and not args.dry_run:
            from pickup.workflow.prompts import save_prompt

            save_prompt(fill.project, fill.slots[0].id, args.prompt, args.negative or "")
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
        with cancel_on_interrupt() as cancel, \
                FillProgress(total=len(plan.jobs), estimate=plan.cost,
                             live=False if args.json else None) as progress:
            results = fill.run(plan, on_event=progress, cancel=cancel)
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
    report = fill.commit(results, dest, to_adapter=args.to_adapter,
                         backup=args.in_place or dest.exists())
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
    from pickup.workflow import draw_sheet

    filled = read_timeline(written, rate=loaded.rate if loaded.format.name == "edl" else None)
    args.sheet.parent.mkdir(parents=True, exist_ok=True)
    return draw_sheet(filled, args.sheet, all_gaps=args.all_gaps, project=args.project)[0].path
