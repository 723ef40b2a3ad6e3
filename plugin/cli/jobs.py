"""``pickup jobs``: list the project's journalled jobs, resume unfinished ones, cancel one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pickup.cli.common import emit_json, say
from pickup.cli.fill import cancel_on_interrupt
from pickup.cli.progress import FillProgress
from pickup.engine import Engine, EngineOptions, Journal
from pickup.engine.journal import JobRow
from pickup.errors import InputError
from pickup.project import Project

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "jobs", help="list, resume or cancel the generation jobs of a timeline",
        description="List the jobs in the timeline's project journal (slot, take, provider, "
        "state, cost, error).  --resume finishes unfinished jobs (polling jobs already "
        "submitted, never submitting them again); run `pickup fill` afterwards to place "
        "them.  --cancel ID cancels one job, at the provider too.")
    parser.add_argument("timeline", type=Path, help="the timeline the jobs were made for")
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder (default: found from the timeline, as every "
                        "command finds it)")
    parser.add_argument("--resume", action="store_true", help="finish unfinished jobs")
    parser.add_argument("--cancel", type=int, default=None, metavar="ID",
                        help="cancel job ID (as listed)")
    parser.add_argument("--wait", action="store_true",
                        help="with --resume: wait for another run working on this project")
    parser.add_argument("--resubmit-unknown", action="store_true",
                        help="with --resume: create again a job an interrupted run may have "
                        "created at a provider that cannot be asked")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def _row_json(row: JobRow) -> dict[str, Any]:
    return {"id": row.id, "slot": row.slot_id, "take": row.take, "provider": row.provider,
            "model": row.model, "state": row.state, "attempt": row.attempt,
            "est_cost": row.est_cost, "cost": row.cost, "error": row.error,
            "error_kind": row.error_kind, "media": row.media_path, "output": row.output}


def run(args: argparse.Namespace) -> int:
    project = _project(args)
    journal = Journal.open_existing(project.journal_path)
    if journal is None:
        if args.resume or args.cancel is not None:
            raise InputError("no jobs yet: the project has no journal",
                             where=str(project.root), hint="run `pickup fill` first")
        if args.json:
            emit_json({"project": str(project.root), "jobs": []})
        else:
            say(f"no jobs yet in {project.root}")
        return 0
    try:
        rows = journal.all()
    finally:
        journal.close()
    status = 0
    if args.cancel is not None:
        row = next((r for r in rows if r.id == args.cancel), None)
        if row is None:
            raise InputError(f"no job {args.cancel}", where=str(project.journal_path),
                             hint="`pickup jobs TIMELINE` lists the job ids")
        engine = Engine(project, row.provider)
        try:
            if engine.cancel_job(row.id):
                say(f"cancelled job {row.id} (slot {row.slot_id} take T{row.take:02d})")
            else:
                say(f"job {row.id} is already {row.state}; nothing to cancel")
        finally:
            engine.close()
    if args.resume:
        providers = sorted({r.provider for r in rows if r.unfinished})
        if not providers:
            say("nothing to resume: every job is finished")
        for name in providers:
            engine = Engine(project, name, EngineOptions(
                wait_for_project=args.wait, resubmit_unknown=args.resubmit_unknown))
            try:
                with cancel_on_interrupt() as cancel, \
                        FillProgress(live=False if args.json else None) as progress:
                    results = engine.resume(on_event=progress, cancel=cancel)
            finally:
                engine.close()
            for r in results:
                if not r.ok:
                    say(f"pickup: slot {r.slot_id} take T{r.take:02d} {r.state}: {r.error}")
                    status = 1
            if cancel.is_set():
                return 130
    if args.cancel is not None or args.resume:
        journal = Journal(project.journal_path)
        try:
            rows = journal.all()
        finally:
            journal.close()
    if args.json:
        emit_json({"project": str(project.root), "jobs": [_row_json(r) for r in rows]})
        return status
    _table(rows, project)
    return status


def _project(args: argparse.Namespace) -> Project:
    """The timeline's project folder by its name; a renamed or re-exported cut is read
    to find it by its Pickup media (:meth:`pickup.project.Project.find`)."""
    project = Project.find(args.timeline, args.project)
    if project.exists or args.project is not None or not Path(args.timeline).is_file():
        return project
    from contextlib import suppress

    from pickup.errors import PickupError
    from pickup.timeline import read_timeline

    with suppress(PickupError, OSError, ValueError):
        loaded = read_timeline(args.timeline)
        return Project.find(loaded.path, None, loaded.timeline)
    return project


def _table(rows: list[JobRow], project: Project) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"jobs in {project.root}", title_justify="left")
    for column in ("id", "slot", "take", "provider", "state", "USD", "error"):
        table.add_column(column, overflow="fold")
    for r in rows:
        cost = r.cost if r.cost is not None else None
        table.add_row(str(r.id), r.slot_id, f"T{r.take:02d}", r.provider + (
            f"/{r.model}" if r.model else ""), r.state,
            f"{cost:.2f}" if cost is not None else f"~{r.est_cost:.2f}", r.error or "")
    console.print(table)
    spent = sum(r.cost or 0.0 for r in rows)
    console.print(f"{len(rows)} job(s); spent ${spent:.2f}")
