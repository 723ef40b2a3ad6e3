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
    plain = TakeRecord(number=2, path=tmp_path / "b.mov", provider="previz")
    gallery = TakesGallery()
    qtbot.addWidget(gallery)
    gallery.show_state(SlotState(slot=slot, prompt="x", takes=[measured, plain]))
    first, second = gallery.list.item(0), gallery.list.item(1)
    assert "seams in 0.93 · out n/a" in first.text()
    assert "incoming media offline" in first.toolTip()
    assert "seams in" not in second.text() and "SSIM" not in second.toolTip()
