"""One whole fill of a cut into a file: the steps ``pickup fill`` and ``pickup resolve
fill`` share.

Refuse bad input before anything is paid for (the output, the prompts), keep a
``prompt`` given for one slot in the project state, plan, check the budget, run the
takes (events to ``on_event``, ``cancel`` honoured) and commit the finished ones into
``dest``.  Nothing here prints: the faces say what happened from the returned
:class:`FillOutcome` (and from ``on_plan``, called once the plan is known, before
anything is submitted).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pickup.config import Config, load_config
from pickup.engine import EventCallback, Plan, TakeResult
from pickup.engine.preflight import check_output
from pickup.timeline import LoadedTimeline
from pickup.workflow.commit import CommitReport
from pickup.workflow.fill import Fill, FillOptions, find_project_slots
from pickup.workflow.prompts import check_prompts, save_prompt

__all__ = ["FillOutcome", "fill_timeline"]


@dataclass(frozen=True)
class FillOutcome:
    """What a fill did: the slots it was asked for, every take's result, what it wrote
    (None when cancelled or when no slot got a take) and where the takes are kept."""

    slots: tuple[str, ...]
    results: tuple[TakeResult, ...]
    report: CommitReport | None
    cancelled: bool
    project: Path
    provider: str

    @property
    def written(self) -> Path | None:
        return self.report.dest if self.report is not None else None

    @property
    def failed(self) -> tuple[TakeResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    @property
    def filled(self) -> tuple[str, ...]:
        """The slots that got a take in the written cut."""
        return tuple(p.slot.id for p in self.report.placements) if self.report else ()

    @property
    def empty(self) -> tuple[str, ...]:
        """The slots asked for that got no take."""
        return tuple(sorted(set(self.slots) - set(self.filled)))

    @property
    def spent(self) -> float:
        return round(sum(r.cost for r in self.results), 4)

    @property
    def code(self) -> int:
        """The exit code: 130 cancelled; 1 when nothing was written or a take failed;
        else 0."""
        if self.cancelled:
            return 130
        return 1 if self.report is None or self.failed else 0


def fill_timeline(loaded: LoadedTimeline, dest: Path, options: FillOptions, *,
                  config: Config | None = None, to_adapter: str | None = None,
                  backup: bool = False,
                  on_plan: Callable[[Fill, Plan], None] | None = None,
                  on_event: EventCallback | None = None,
                  cancel: threading.Event | None = None,
                  say: Callable[[str], None] | None = None) -> FillOutcome:
    """Fill the slots ``options`` choose in ``loaded`` and write the cut to ``dest``.

    Raises :class:`pickup.errors.InputError` (and ``BudgetError``) before anything is
    submitted; a failed take does not stop the others (see ``FillOutcome.code``)."""
    tell = say or (lambda _m: None)
    config = config if config is not None else load_config()
    check_output(loaded, dest, to_adapter)  # refuse before spending anything
    held: list[str] = []  # said after the prompt checks, as Fill used to say them
    found = find_project_slots(loaded, options, config, held.append)
    kept = check_prompts(loaded, slot_ids=options.slots, all_gaps=options.all_gaps,
                         prompt=options.prompt, negative=options.negative_prompt,
                         provider=options.provider, project=options.project,
                         tags=config.tags, say=tell, chosen=found)
    for message in held:
        tell(message)
    if kept:
        options = replace(options, slot_prompts=kept)
    with Fill(loaded, options, config=config, on_warning=tell, found=found) as fill:
        if options.prompt is not None:
            save_prompt(fill.project, fill.slots[0].id, options.prompt,
                        options.negative_prompt or "")
        plan = fill.plan()
        fill.check_budget(plan)
        if on_plan is not None:
            on_plan(fill, plan)
        results = tuple(fill.run(plan, on_event=on_event, cancel=cancel))
        slots = tuple(s.id for s in fill.slots)
        cancelled = cancel is not None and cancel.is_set()
        report = None if cancelled else fill.commit(results, dest, to_adapter=to_adapter,
                                                    backup=backup)
        return FillOutcome(slots, results, report, cancelled, fill.project.root, fill.name)
