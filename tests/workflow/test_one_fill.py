"""The CLI and the panel commit takes through the same workflow: the same clip names
(the configured pattern), the same facts, and what an adapter drops is said."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.takes.store import slot_id_of
from pickup.ui.services import SlotChoice, load_session, send_back
from pickup.workflow import placed_media
from tests.takes.conftest import fill, run

SLOT_A = "V1-01000012"


def test_panel_send_back_uses_the_clip_name_pattern_like_fill(
        otio_cut: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICKUP_CLIP_NAME", "GEN {slot}_T{nn}")
    written = fill(otio_cut, (SLOT_A,), "--takes", "2")
    clip = next(c for c in otio.adapters.read_from_file(str(written)).find_clips()
                if slot_id_of(c) == SLOT_A)
    assert clip.name == f"GEN {SLOT_A}_T01"
    session = load_session(otio_cut)
    takes = {t.number: t for t in session.takes[SLOT_A]}
    slot = next(s for s in session.slots if s.id == SLOT_A)
    report = send_back(session, [SlotChoice(slot=slot, take=takes[2], others=(takes[1],))],
                       otio_cut.with_name("sent.otio"))
    sent = next(c for c in otio.adapters.read_from_file(str(report.dest)).find_clips()
                if slot_id_of(c) == SLOT_A)
    assert sent.name == f"GEN {SLOT_A}_T02"
    assert sent.active_media_reference_key == "T02"
    assert sent.media_references()["T02"].metadata["pickup"]["provider"] == "previz"
    assert [s.action for s in report.slots] == ["filled"]


def test_placement_comes_from_the_journal_not_a_probe(otio_cut: Path) -> None:
    from pickup.engine.journal import Journal

    fill(otio_cut, (SLOT_A,), "--handles", "2")
    journal = Journal(otio_cut.with_name("cut.pickup") / "journal.sqlite")
    try:
        row = next(r for r in journal.all() if r.slot_id == SLOT_A)
    finally:
        journal.close()
    media = placed_media(row)
    from pickup.media.probe import probe

    info = probe(media.path)
    assert (media.frames, media.handles) == (info.frames, 2)
    assert media.frames == row.target["frames"] + 4
    assert (media.width, media.height) == (info.width, info.height)


def test_fill_to_an_adapter_says_what_it_drops(otio_cut: Path) -> None:
    out = otio_cut.with_name("out.edl")
    code, _, err = run("fill", otio_cut, "--size", "64x36", "--profile", "prores_hq",
                       "--slots", SLOT_A, "--to", "cmx_3600", "-o", out)
    assert code == 0, err
    losses = [line for line in err.splitlines() if line.startswith("pickup: warning:")]
    assert losses and out.is_file(), err
    assert any("cmx_3600" in line or "drop" in line or "lost" in line for line in losses), losses
