"""The workflow: the verbs every face of Pickup uses, Qt-free.

``pickup fill``, the panel's Generate and Send back and ``pickup resolve fill|send``
are faces of one program: they choose slots and ask for takes (:mod:`.shots`), run
the engine (:mod:`.engines`, :mod:`.fill`; a whole fill into a file: :mod:`.fillrun`),
commit chosen takes into the timeline (:mod:`.commit`), record what the editor decides
about takes in the one project state every face reads (:mod:`.state`), and swap,
reject, lock, revert and prune takes in the cut and that state together
(:mod:`.takeverbs`).  When two faces need the same steps, they live here.
"""

from __future__ import annotations

from pickup.workflow.commit import (
    CommitReport,
    SentSlot,
    TakePick,
    active_in_file,
    commit_takes,
    done_rows,
    placed_media,
    probed_media,
)
from pickup.workflow.engines import make_provider, open_engine
from pickup.workflow.fill import Fill, FillOptions, fill_picks, project_slots, select_slots
from pickup.workflow.fillrun import FillOutcome, fill_timeline
from pickup.workflow.jobs import cancel_at_providers, cancel_jobs
from pickup.workflow.shots import ShotAsk, ask_for_slot, build_shot
from pickup.workflow.state import (
    SlotDecisions,
    TakeDecision,
    approve,
    approve_in_cut,
    decide,
    locked_state,
    read_state,
    state_clips,
)
from pickup.workflow.takeverbs import (
    Reverted,
    Swapped,
    lock,
    prune,
    reject,
    revert,
    swap,
    take_status,
)
from pickup.workflow.views import draw_sheet

__all__ = [
    "CommitReport",
    "Fill",
    "FillOptions",
    "FillOutcome",
    "Reverted",
    "SentSlot",
    "ShotAsk",
    "SlotDecisions",
    "Swapped",
    "TakeDecision",
    "TakePick",
    "active_in_file",
    "approve",
    "approve_in_cut",
    "ask_for_slot",
    "build_shot",
    "cancel_at_providers",
    "cancel_jobs",
    "commit_takes",
    "decide",
    "done_rows",
    "draw_sheet",
    "fill_picks",
    "fill_timeline",
    "lock",
    "locked_state",
    "make_provider",
    "open_engine",
    "placed_media",
    "probed_media",
    "project_slots",
    "prune",
    "read_state",
    "reject",
    "revert",
    "select_slots",
    "state_clips",
    "swap",
    "take_status",
]
