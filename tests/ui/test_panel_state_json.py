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
    (entry,) = shown["slots"]
    assert {k: entry[k] for k in ("id", "status", "active", "takes")} == {
        "id": slot, "status": "approved", "active": "T02",
        "takes": [{"key": "T01", "status": "new", "note": None},
                  {"key": "T02", "status": "approved", "note": "director's pick"}]}
    # the slot list's columns and the take in the cut
    assert entry["in_cut"] == "T02" and entry["approved"] is True
    assert entry["record_in"].count(":") == 3 and entry["frames"] > 0
    assert {"kind", "prompt", "cost", "provider", "record_out"} <= set(entry)
    assert shown["jobs"] == []  # nothing running in the panel
    assert png.stat().st_size > 0
    assert not written.with_name("cut.pickup.pickup").exists()


def test_open_panel_shows_a_cli_approval_when_it_regains_focus(
        qtbot, xml_cut: Path) -> None:  # noqa: F811
    from pickup.ui.panel import PickupPanel

    slot = XML_SLOTS[0]
    written = fill(xml_cut, (slot,), "--takes", "2")
    panel = PickupPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.open(written)
    qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
    state = panel.controller.model[slot]
    assert [t.status for t in state.takes] == ["new", "new"] and state.chosen == 1
    # meanwhile, in a terminal: approve T02 (it becomes the active take) with a note
    ok("approve", written, slot, "T02", "--note", "use this")
    refreshed: list[object] = []
    panel.controller.stateRefreshed.connect(refreshed.append)
    panel.controller.refresh_state()  # what the window does when it regains focus
    qtbot.waitUntil(lambda: bool(refreshed), timeout=10000)
    assert refreshed[0] == [slot]
    assert [(t.status, t.note) for t in state.takes] == [("new", ""), ("approved", "use this")]
    assert state.chosen == 2 and panel._status_of(slot) == "approved"
    # and a panel edit goes the other way at once: reject T01 with a note
    panel.reject_take(slot, 1)
    panel.set_note(slot, 1, "soft focus")
    qtbot.waitUntil(lambda: '"soft focus"' in (xml_cut.with_name("cut.pickup") /
                                                "takes.otio").read_text(), timeout=10000)
    from tests.takes.conftest import takes_json

    takes = next(s for s in takes_json(written)["slots"] if s["id"] == slot)["takes"]
    assert [(t["key"], t["status"], t["note"]) for t in takes] == [
        ("T01", "rejected", "soft focus"), ("T02", "approved", "use this")]
    panel.close_panel()
