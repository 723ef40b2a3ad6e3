"""`pickup fill` on inputs Pickup reads but does not write, and a wrong output suffix."""

from __future__ import annotations

import shutil
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.cli import main

DATA = Path(__file__).resolve().parents[1] / "adapters" / "data"


def test_fill_a_screenplay_writes_otio_and_a_sheet(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "last_ferry.fountain"
    shutil.copy(DATA / "last_ferry.fountain", script)
    code = main(["fill", str(script), "--provider", "previz", "--size", "64x36",
                 "--profile", "h264", "--sheet", str(tmp_path / "sheet.png")])
    out, err = capsys.readouterr()
    assert code == 0, err
    written = Path(out.strip().splitlines()[-1])
    assert written == tmp_path / "last_ferry.pickup.otio"
    timeline = otio.adapters.read_from_file(str(written))
    scenes = otio.adapters.read_from_file(str(script))
    marked = [g for g in scenes.tracks[0] if isinstance(g, otio.schema.Gap) and g.markers]
    filled = [c for c in timeline.find_clips() if c.metadata.get("pickup")]
    assert len(filled) == len(marked) > 0
    assert (tmp_path / "sheet.png").stat().st_size > 0


def test_wrong_output_suffix_is_refused_before_anything_is_generated(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edl = tmp_path / "cut.edl"
    edl.write_text("TITLE: t\nFCM: NON-DROP FRAME\n"
                   "001  BL       V     C        00:00:00:00 00:00:01:00 01:00:00:00 "
                   "01:00:01:00 \n* LOC: 01:00:00:05 RED     GEN insert: a key turns\n")
    code = main(["fill", str(edl), "--provider", "previz", "-o", str(tmp_path / "out.xml")])
    _, err = capsys.readouterr()
    assert code == 2
    assert "not the input's format" in err
    project = tmp_path / "cut.pickup"  # holds at most the EDL rate it was read at
    assert sorted(p.name for p in project.iterdir()) in ([], ["timeline.json"]), \
        "nothing may be generated or journaled"
