"""The fill verbs: choose slots, plan their takes, run them, commit them.

``pickup fill`` and ``pickup resolve fill`` drive a :class:`Fill`; the panel uses
the same steps one slot at a time (:mod:`pickup.workflow.generate`).  Nothing here
prints: the faces say what happened from what these return.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pickup.config import Config, load_config
from pickup.engine import Engine, EventCallback, Plan, Shot, TakeResult
from pickup.engine.chain import ChainPlan, ChainRunner, plan_chain, segment_slot
from pickup.errors import BudgetError, InputError
from pickup.media.conform import profile_for_format
from pickup.project import Project
from pickup.providers.base import Capabilities
from pickup.timeline import DEFAULT_TAGS, LoadedTimeline, Slot
from pickup.timeline.size import sequence_size
from pickup.workflow.commit import CommitReport, TakePick, commit_takes, done_rows
from pickup.workflow.engines import open_engine
from pickup.workflow.shots import ShotAsk, ask_for_slot, build_shot

__all__ = ["Fill", "FillOptions", "fill_picks", "project_slots", "select_slots"]


@dataclass(frozen=True)
class FillOptions:
    """What a fill is asked to do (``pickup fill``'s options)."""

    provider: str = "previz"
    model: str | None = None
    takes: int = 1
    handles: int = 0
    seed: int | None = None
    new_seed: bool = False
    force: bool = False
    activate_new: bool = False
    concurrency: int | None = None
    budget: float | None = None
    size: tuple[int, int] | None = None
    #: where ``size`` came from, in the words a face says it (``--size``; the Resolve
    #: bridge: the Resolve timeline's resolution)
    size_source: str = "--size"
    profile: str | None = None
    slots: tuple[str, ...] = ()
    all_gaps: bool = False
    project: Path | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    #: (slot id, prompt, negative) for slots with a prompt of their own, e.g. the one
    #: ``fill --prompt`` kept in the project state for an unmarked gap
    slot_prompts: tuple[tuple[str, str, str], ...] = ()
    #: a slot longer than the model makes: ``cut`` or ``dissolve`` joins a chain of
    #: segments; ``hold`` makes one take and holds its last frame (the old behaviour)
    join: str = "cut"
    hold: bool = False
    wait_for_project: bool = False
    resubmit_unknown: bool = False


def select_slots(loaded: LoadedTimeline, *, slot_ids: Sequence[str] = (),
                 all_gaps: bool = False, tags: Sequence[str] | None = None,
                 warnings: list[str] | None = None,
                 project: Project | None = None) -> list[Slot]:
    """The slots to fill: the marked ones (in the file, or in Pickup: ``project``'s
    marks, by default the timeline's project folder), ``slot_ids`` (any slot, marked or
    not), or with ``all_gaps`` every hole too.  Raises :class:`InputError` naming what
    is missing."""
    from pickup.workflow.marks import discover

    slots = discover(loaded, project=project, all_gaps=all_gaps or bool(slot_ids),
                     tags=tags, warnings=warnings)
    if slot_ids:
        by_id = {s.id: s for s in slots}
        missing = [w for w in slot_ids if w not in by_id]
        if missing:
            known = ", ".join(by_id) or "none"
            raise InputError(f"no slot {', '.join(repr(m) for m in missing)}",
                             where=str(loaded.path),
                             hint=f"slots found: {known}; run `pickup scan` to list them")
        return [by_id[w] for w in slot_ids]
    if not all_gaps:
        slots = [s for s in slots if s.mark != "unmarked"]
    if not slots:
        from pickup.timeline import convention

        if all_gaps:  # --all-gaps was passed: do not suggest it
            raise InputError("no marked slots and no unmarked holes to fill",
                             where=str(loaded.path),
                             hint=f"{convention(tuple(tags) if tags else DEFAULT_TAGS)}; "
                             "`pickup scan --all-gaps` says what it saw")
        raise InputError("no marked slots to fill", where=str(loaded.path),
                         hint=f"{convention(tuple(tags) if tags else DEFAULT_TAGS)}; "
                         "`pickup scan` says what it saw, and --all-gaps fills unmarked "
                         "holes")
    return slots


def project_slots(loaded: LoadedTimeline, known: Iterable[str], *,
                  tags: Sequence[str] | None = None,
                  warnings: list[str] | None = None,
                  project: Project | None = None) -> list[Slot]:
    """The slots a face lists for a timeline: the marked ones (in the file or in
    Pickup), and unmarked holes the project already has takes for (filled with
    ``--slots`` or ``--all-gaps``)."""
    from pickup.workflow.marks import discover

    ids = set(known)
    slots = discover(loaded, project=project, all_gaps=bool(ids), tags=tags,
                     warnings=warnings)
    return [s for s in slots if s.mark != "unmarked" or s.id in ids]


def fill_picks(slots: Sequence[Slot], results: Sequence[TakeResult], journal: object,
               keep: dict[str, int] | None = None) -> list[TakePick]:
    """What a fill commits: every slot with a new take gets it (the first new one
    active, or the take ``keep`` names when the slot had one), with every other
    finished take of the slot kept beside it."""
    picks: list[TakePick] = []
    for slot in slots:
        new = sorted(r.take for r in results if r.slot_id == slot.id and r.ok)
        if not new:
            continue
        rows = done_rows(journal, slot.id)
        numbers = [n for n in new if n in rows] + sorted(n for n in rows if n not in new)
        if not numbers:
            continue
        active = numbers[0]
        if keep and keep.get(slot.id) in numbers[1:]:
            active = keep[slot.id]
        picks.append(TakePick(slot=slot, take=active,
                              others=tuple(n for n in numbers if n != active)))
    return picks


def find_project_slots(loaded: LoadedTimeline, options: FillOptions, config: Config,
                       warn: Callable[[str], None]) -> tuple[Project, list[Slot]]:
    """The project of ``loaded`` and the slots ``options`` choose, warning (through
    ``warn``) about marks that find nothing."""
    warnings: list[str] = []
    project = Project.find(loaded.path, options.project, loaded.timeline)
    slots = select_slots(loaded, slot_ids=options.slots, all_gaps=options.all_gaps,
                         tags=config.tags, warnings=warnings, project=project)
    for message in warnings:
        warn(f"{loaded.path.name}: warning: {message}")
    return project, slots


class Fill:
    """One fill of a timeline: its slots, size, codec, project and engine.

    ``plan`` -> ``check_budget`` -> ``run`` -> ``commit``; ``close`` at the end."""

    def __init__(self, loaded: LoadedTimeline, options: FillOptions, *,
                 config: Config | None = None,
                 on_warning: Callable[[str], None] | None = None,
                 found: tuple[Project, Sequence[Slot]] | None = None) -> None:
        """``found``: the project and slots :func:`find_project_slots` gave (and warned
        about) already; else they are found here."""
        self.loaded = loaded
        self.options = options
        self.config = config if config is not None else load_config()
        self._warn = on_warning or (lambda _m: None)
        if found is None:
            found = find_project_slots(loaded, options, self.config, self._warn)
        self.project, slots = found
        self.slots = list(slots)
        self.size, self.size_note = sequence_size(loaded, options.size)
        if options.size is not None:
            self.size_note = options.size_source
        self.profile = options.profile or profile_for_format(loaded.format.name)
        self.chains: dict[str, tuple[Shot, ChainPlan]] = {}
        self.engine: Engine = open_engine(
            self.project, options.provider, config=self.config, model=options.model,
            concurrency=options.concurrency, budget=options.budget, seed=options.seed,
            new_seed=options.new_seed, force=options.force,
            wait_for_project=options.wait_for_project,
            resubmit_unknown=options.resubmit_unknown)

    @property
    def name(self) -> str:
        return self.engine.name

    def asks(self) -> list[ShotAsk]:
        o = self.options
        own = {slot_id: (prompt, negative) for slot_id, prompt, negative in o.slot_prompts}
        asks = []
        for slot in self.slots:
            prompt, negative = own.get(slot.id, (o.prompt, o.negative_prompt))
            asks.append(ask_for_slot(slot, start_frame=self.loaded.start_frame, size=self.size,
                                     profile=self.profile, provider=o.provider, model=o.model,
                                     takes=o.takes, handles=o.handles, prompt=prompt,
                                     negative_prompt=negative))
        return asks

    def plan(self, frames_dir: Path | None = None) -> Plan:
        """The engine's plan (take numbers, seeds, cost); neighbour frames go into
        ``frames_dir`` (default the project's ``neighbours/``)."""
        from pickup.engine.preflight import check_encodable, check_folder_takes_files
        from pickup.media.neighbours import neighbour_frames

        # What would fail after paying is tried first, for nothing (engine/preflight.py).
        check_encodable(self.profile, *self.size, self.loaded.rate)
        if frames_dir is None:
            check_folder_takes_files(self.project.root)
        caps = self.engine.provider.capabilities(self.options.model)
        folder = frames_dir if frames_dir is not None else self.project.root / "neighbours"
        shots = []
        for ask in self.asks():
            first = last = None
            if caps.first_frame or caps.last_frame:
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    first, last = neighbour_frames(self.loaded, ask.slot, folder)
                except Exception as exc:  # neighbours are a nicety; never stop a fill
                    from pickup.engine import redact

                    self._warn(f"slot {ask.slot.id}: neighbour frames unavailable "
                               f"({redact(str(exc))})")
            sources = None
            if caps.source_media:
                from pickup.media.neighbours import neighbour_sources

                sources = neighbour_sources(self.loaded, ask.slot)
            shots.append(build_shot(ask, caps, first, last, sources))
        return self._plan_chains(shots, caps, folder)

    def _plan_chains(self, shots: list[Shot], caps: Capabilities, folder: Path) -> Plan:
        """Plan ``shots``; a shot longer than the model makes becomes a chain of segment
        jobs (unless ``hold``), run by :meth:`run` through a :class:`ChainRunner`."""
        self.chains = {}
        single: list[Shot] = []
        chained: list[Any] = []
        runner = ChainRunner(self.engine, folder / "chains")
        for shot in shots:
            chain = None if self.options.hold else plan_chain(shot, caps,
                                                              join=self.options.join)
            if chain is None:
                single.append(shot)
                continue
            self.chains[shot.request.slot_id] = (shot, chain)
            chained.extend(runner.plan(shot, chain))
        plan = self.engine.plan(single)
        return replace(plan, jobs=tuple(plan.jobs) + tuple(chained))

    def check_budget(self, plan: Plan) -> None:
        """Refuse (before anything is submitted) a plan over ``--budget``."""
        budget = self.options.budget
        if budget is None or plan.cost <= budget + 1e-9:
            return
        fit, total = 0, 0.0
        for job in plan.jobs:
            if job.spends and total + job.est_cost <= budget + 1e-9:
                total += job.est_cost
                fit += 1
        raise BudgetError(f"the plan is estimated at ${plan.cost:.2f}, over the budget "
                          f"of ${budget:.2f}; nothing was submitted",
                          hint=f"{fit} of {sum(j.spends for j in plan.jobs)} new take(s) "
                          "would fit: lower --takes, pick --slots, or raise --budget "
                          "(see --dry-run)")

    def run(self, plan: Plan, *, on_event: EventCallback | None = None,
            cancel: threading.Event | None = None) -> list[TakeResult]:
        """Make the planned takes; chained slots segment by segment, then joined."""
        segments = {segment_slot(slot_id, seg.index)
                    for slot_id, (_, chain) in self.chains.items() for seg in chain.segments}
        single = replace(plan, jobs=tuple(j for j in plan.jobs if j.slot_id not in segments))
        results = self.engine.run(single, on_event=on_event, cancel=cancel) \
            if single.jobs else []
        runner = ChainRunner(self.engine, self.project.root / "neighbours" / "chains")
        for shot, chain in self.chains.values():
            if cancel is not None and cancel.is_set():
                break
            results.extend(runner.run(shot, chain, on_event=on_event, cancel=cancel))
        return results

    def picks(self, results: Sequence[TakeResult]) -> list[TakePick]:
        from pickup.takes.record import keep_active

        keep = keep_active(self.project, self.options.activate_new)
        return fill_picks(self.slots, results, self.engine.journal, keep)

    def commit(self, results: Sequence[TakeResult], dest: Path, *,
               to_adapter: str | None = None, backup: bool = False) -> CommitReport | None:
        """Place the finished takes and write ``dest``; None when no slot got a take."""
        picks = self.picks(results)
        if not picks:
            return None
        return commit_takes(self.project, self.loaded, picks, dest, to_adapter=to_adapter,
                            backup=backup)

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Fill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
