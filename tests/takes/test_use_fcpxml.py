"""``pickup use`` on an FCPXML that ``fill`` wrote swaps the take in place."""

from __future__ import annotations

from pathlib import Path

from tests.takes.conftest import fill, ok, takes_json
from tests.takes.test_revert_placeholder import FCPX_GAP, FCPX_PH


def test_use_swaps_take_in_filled_fcpxml(fcpx_cut: Path) -> None:
    written = fill(fcpx_cut, (FCPX_GAP, FCPX_PH), "--takes", "2")
    for slot in (FCPX_GAP, FCPX_PH):
        row = next(s for s in takes_json(written)["slots"] if s["id"] == slot)
        assert row["active"] == "T01", row
        t2 = next(t for t in row["takes"] if t["key"] == "T02")
        assert Path(ok("use", written, slot, "T02")) == written
        text = written.read_text()
        assert Path(t2["media"]).name in text
        row = next(s for s in takes_json(written)["slots"] if s["id"] == slot)
        assert row["active"] == "T02", row
