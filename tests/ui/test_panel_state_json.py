"""``pickup-panel --screenshot OUT.png --state OUT.json FILE``: the window opened on the
file ``pickup fill`` wrote shows its takes, and says so as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.takes.conftest import (  # noqa: F401 - fixtures
    XML_SLOTS,
    _quiet_config,
    fill,
    ok,
    xml_cut,
)


def test_state_json_of_the_written_file_shows_the_cli_takes(xml_cut: Path,  # noqa: F811
                                                            tmp_path: Path) -> None:
    from pickup.ui.app import main

    slot = XML_SLOTS[0]
    written = fill(xml_cut, (slot,), "--takes", "2")
    ok("approve", written, slot, "T02", "--note", "director's pick")
    png, state = tmp_path / "shot.png", tmp_path / "shown.json"
    assert main(["--screenshot", str(png), "--state", str(state), str(written),
                 "--window", "900x600"]) == 0
    shown = json.loads(state.read_text(encoding="utf-8"))
    assert shown["timeline"] == str(written)
    assert shown["slots"] == [{
        "id": slot, "status": "approved", "active": "T02",
        "takes": [{"key": "T01", "status": "new", "note": None},
                  {"key": "T02", "status": "approved", "note": "director's pick"}]}]
    assert png.stat().st_size > 0
    assert not written.with_name("cut.pickup.pickup").exists()
