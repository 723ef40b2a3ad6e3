"""The take verbs of the workflow (swap, reject, lock, revert, prune) change the cut and
the one project state together, and never overwrite what another face decided after
their session was opened."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from pickup import workflow
from pickup.errors import InputError
from pickup.takes.ops import open_session
from pickup.takes.store import slot_id_of
from pickup.workflow.state import decide, read_state
from tests.takes.conftest import XML_SLOTS, fill, takes_json

SLOT_A, SLOT_B = "V1-01000012", "V1-01000110"


def _active_in_cut(timeline: Path, slot_id: str) -> str:
    tl = otio.adapters.read_from_file(str(timeline))
    clip = next(c for c in tl.find_clips() if slot_id_of(c) == slot_id)
    return str(clip.active_media_reference_key)


def test_swap_reject_lock_revert_prune_keep_cut_and_state_in_step(otio_cut: Path) -> None:
    written = fill(otio_cut, (SLOT_A, SLOT_B), "--takes", "3")
    s = open_session(written)
    project = s.project

    swapped = workflow.swap(s, SLOT_A, "2")
    assert (swapped.key, swapped.written) == ("T02", written)
    assert _active_in_cut(written, SLOT_A) == "T02"
    assert read_state(project)[SLOT_A].active == 2
    assert takes_json(written, SLOT_A)["slots"][0]["active"] == "T02"

    # Another face (the panel) notes T03 after this session was opened: a later verb
    # of this session keeps that note instead of saving its stale copy over it.
    decide(project, SLOT_A, 3, note="from the panel")
    workflow.reject(s, SLOT_A, "T01", note="soft")
    state = read_state(project)[SLOT_A]
    assert state.takes[3].note == "from the panel"
    assert (state.takes[1].status, state.takes[1].note) == ("rejected", "soft")

    workflow.lock(s, SLOT_A, "T02")
    assert read_state(project)[SLOT_A].takes[2].status == "locked"
    with pytest.raises(InputError, match="locked on T02"):
        workflow.swap(open_session(written), SLOT_A, "T03")
    with pytest.raises(InputError, match="locked on T02"):
        workflow.revert(open_session(written), SLOT_A)
    workflow.lock(open_session(written), SLOT_A, "T02", unlock=True)
    assert read_state(project)[SLOT_A].takes[2].status == "approved"

    reverted = workflow.revert(open_session(written), SLOT_A)
    assert reverted.written == written and reverted.became == "marked gap"
    assert reverted.describe() == "a marked gap again, as before the fill"
    assert _active_in_cut(written, SLOT_A) == "PLACEHOLDER"
    assert read_state(project)[SLOT_A].active is None

    media = project.root / "media"
    assert (media / f"{SLOT_A}_T01.mov").is_file()
    listed = workflow.prune(open_session(written), "temp", dry_run=True)
    assert [(p.slot_id, p.key, p.deleted) for p in listed] == [(SLOT_A, "T01", False)]
    assert (media / f"{SLOT_A}_T01.mov").is_file()
    pruned = workflow.prune(open_session(written), "temp")
    assert [(p.slot_id, p.key, p.deleted) for p in pruned] == [(SLOT_A, "T01", True)]
    assert not (media / f"{SLOT_A}_T01.mov").exists()
    assert sorted(read_state(project)[SLOT_A].takes) == [2, 3]
    assert sorted(read_state(project)[SLOT_B].takes) == [1, 2, 3]


def test_revert_of_a_filled_gap_says_it_is_a_gap_again(xml_cut: Path) -> None:
    written = fill(xml_cut, (XML_SLOTS[0],), "--takes", "2")
    reverted = workflow.revert(open_session(written), XML_SLOTS[0])
    assert reverted.became.endswith("gap")
    assert reverted.describe().endswith("gap again, as before the fill")
    assert read_state(open_session(written).project)[XML_SLOTS[0]].active is None
