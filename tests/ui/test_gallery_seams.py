"""The takes gallery shows each take's seam figures (label and tooltip)."""

from __future__ import annotations

from pathlib import Path

from pickup.media.seams import Seam, Seams
from pickup.timeline.slots import Slot
from pickup.ui.model import SlotState
from pickup.ui.services import TakeRecord
from pickup.ui.takes import TakesGallery


def test_gallery_lists_seams(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    slot = Slot(id="V1-01000012", track="V1", track_index=1, stack_index=0, track_name="V1",
                start=12, duration=10, rate=24.0, kind=None, prompt="x", mark="marker",
                item="gap", item_name="")
    measured = TakeRecord(number=1, path=tmp_path / "a.mov", provider="previz",
                          seams=Seams(Seam(0.934, 0.05), Seam(note="incoming media offline")))
    plain = TakeRecord(number=2, path=tmp_path / "b.mov", provider="previz",
                       segments=((1, 0, 225, "outgoing"), (2, 225, 224, "previous")))
    gallery = TakesGallery()
    qtbot.addWidget(gallery)
    gallery.show_state(SlotState(slot=slot, prompt="x", takes=[measured, plain]))
    first, second = gallery.list.item(0), gallery.list.item(1)
    assert "seams in 0.93 · out n/a" in first.text()
    assert "incoming media offline" in first.toolTip()
    assert "seams in" not in second.text() and "SSIM" not in second.toolTip()
    assert "chain of 2 segments" in second.text() and "chain" not in first.text()
    assert "segment 2: frames 225-448, from previous" in second.toolTip()


def test_take_from_a_chained_journal_row_lists_its_segments(tmp_path: Path) -> None:
    from pickup.engine.journal import JobRow
    from pickup.engine.states import JobState
    from pickup.ui.services import take_from_row

    segments = [{"index": 1, "start": 0, "frames": 225, "first": "outgoing"},
                {"index": 2, "start": 225, "frames": 224, "first": "previous"}]
    row = JobRow(id=7, slot_id="V1-01000012", take=1, provider="runway", model=None,
                 cache_key="chain-x", idem_key="chain-x", attempt=1,
                 state=JobState.CONFORMED,
                 handle=None, request={"prompt": "p", "extra": {"segments": segments}},
                 target={"frames": 449, "handles": 0}, notes=(), est_cost=1.0, cost=1.0,
                 error=None, error_kind=None, raw_path=None,
                 media_path=str(tmp_path / "t.mov"), output=None, created=0.0, updated=0.0)
    assert take_from_row(row).segments == ((1, 0, 225, "outgoing"), (2, 225, 224, "previous"))
