"""Mark a gap or clip as a slot in the panel's strip ("Mark as slot…", M, Unmark): kept
in the project state, undoable, and the command line's scan and fill see it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pickup.ui.panel import PickupPanel
from tests.conftest import FIXTURES
from tests.takes.conftest import run


def _open(qtbot, path: Path) -> PickupPanel:  # type: ignore[no-untyped-def]
    widget = PickupPanel(size=(64, 36))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.open(path)
    qtbot.waitUntil(lambda: widget.controller.model is not None, timeout=20000)
    return widget


def _point(panel: PickupPanel, label: str, frame: int) -> tuple[float, float]:
    """Where the strip draws frame ``frame`` of track ``label`` (its row's middle)."""
    strip = panel.strip
    assert strip.view is not None
    row = next(n for n, t in enumerate(strip.view.tracks) if t.label == label)
    panel.strip.fit()
    return strip.x_of(frame + 0.5), strip._top() + row * strip.track_h + strip.track_h / 2


def _mark_in_dialog(qtbot, panel: PickupPanel, menu_text: str, kind: str,  # type: ignore[no-untyped-def]
                    prompt: str, x: float, y: float) -> None:
    menu = panel.strip.menu_at(x, y)
    assert menu is not None
    action = next(a for a in menu.actions() if a.text() == menu_text)
    assert action.isEnabled()
    action.trigger()
    dialog = panel.mark_dialog_shown
    assert dialog is not None and dialog.isVisible()
    dialog.kind.setCurrentText(kind)
    dialog.prompt.setPlainText(prompt)
    with qtbot.waitSignal(panel.controller.slotsChanged, timeout=10000):
        dialog.accept()


@pytest.mark.parametrize("name, label, frame, item, slot_id", [
    ("premiere_example.xml", "V2", 130, "gap", "V2-00000323"),
    ("multitrack.otio", "V2", 600, "clip", "V2-00002002"),
])
def test_mark_a_strip_item_then_the_cli_scans_and_fills_it(
        qtbot, tmp_path: Path, name: str, label: str, frame: int, item: str,  # type: ignore[no-untyped-def]
        slot_id: str) -> None:
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    before = path.read_bytes()
    panel = _open(qtbot, path)
    try:
        assert panel.controller.session is not None and not panel.controller.session.slots
        x, y = _point(panel, label, frame)
        _mark_in_dialog(qtbot, panel, "Mark as slot…", "establishing",
                        "a farmhouse at dusk", x, y)
        model = panel.controller.model
        assert model is not None and model.order == [slot_id]
        state = model[slot_id]
        assert (state.slot.mark, state.slot.item, state.kind, state.prompt) == (
            "project", item, "establishing", "a farmhouse at dusk")
        assert panel.selected == slot_id
        assert "marked in Pickup" in panel.inspector.where.text()
        assert panel.slot_list.slot_at(0) == slot_id
        assert panel.status.text() == (f"marked slot {slot_id} in Pickup (the timeline file "
                                       "is not changed)")
        assert path.read_bytes() == before
        shown = panel.shown_state()["slots"]
        assert [(e["id"], e["mark"], e["kind"]) for e in shown] == [  # type: ignore[index]
            (slot_id, "project", "establishing")]
        rect = panel.strip.slot_rect(slot_id)
        assert rect is not None
        assert "marked in Pickup" in panel.strip.tip_at(rect.center().x(), rect.center().y())

        # Undo drops the mark (off the GUI thread), redo puts it back.
        with qtbot.waitSignal(panel.controller.slotsChanged, timeout=10000):
            panel.undo.undo()
        assert panel.controller.model.order == []
        assert json.loads(path.with_suffix(".pickup").joinpath("marks.json").read_text(
        ))["marks"] == []
        with qtbot.waitSignal(panel.controller.slotsChanged, timeout=10000):
            panel.undo.redo()
        assert panel.controller.model.order == [slot_id]
    finally:
        panel.close_panel()

    code, out, _ = run("scan", path, "--json")
    assert code == 0
    assert [(s["id"], s["mark"], s["prompt"]) for s in json.loads(out)["slots"]] == [
        (slot_id, "project", "a farmhouse at dusk")]
    code, out, err = run("fill", path, "--provider", "previz", "--size", "64x36",
                         "--profile", "prores_hq")
    assert code == 0, err
    assert "filled 1 of 1 slot(s)" in err
    code, out, _ = run("scan", out.strip().splitlines()[-1], "--json")
    slots = json.loads(out)["slots"]
    assert [(s["id"], s["filled"]) for s in slots] == [(slot_id, True)]


def test_edit_and_unmark_from_the_menu_and_keys(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "premiere_example.xml"
    shutil.copyfile(FIXTURES / "premiere_example.xml", path)
    panel = _open(qtbot, path)
    try:
        x, y = _point(panel, "V2", 130)
        _mark_in_dialog(qtbot, panel, "Mark as slot…", "insert", "keys", x, y)
        # the menu on a marked slot edits it; OK needs a kind or a prompt
        menu = panel.strip.menu_at(x, y)
        assert menu is not None
        assert [a.text() for a in menu.actions()] == ["Edit slot mark…", "Unmark"]
        _mark_in_dialog(qtbot, panel, "Edit slot mark…", "", "rain on a window", x, y)
        state = panel.controller.model["V2-00000323"]
        assert (state.kind, state.prompt) == (None, "rain on a window")
        # undo the edit: the mark is back as it was
        with qtbot.waitSignal(panel.controller.slotsChanged, timeout=10000):
            panel.undo.undo()
        state = panel.controller.model["V2-00000323"]
        assert (state.kind, state.prompt) == ("insert", "keys")
        # Shift+M on the strip unmarks the selected slot
        panel.strip.setFocus()
        with qtbot.waitSignal(panel.controller.slotsChanged, timeout=10000):
            qtbot.keyClick(panel.strip, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
        assert panel.controller.model.order == []
        assert panel.status.text() == "unmarked the gap on V2 at 00:00:03:23"
        # M marks the item at the playhead: the top-most clip there (V3's title)
        panel.strip.set_playhead(300)
        qtbot.keyClick(panel.strip, Qt.Key.Key_M)
        dialog = panel.mark_dialog_shown
        assert dialog is not None and dialog.isVisible()
        assert dialog.where.text().startswith("The clip 'test_title' on V3")
        ok = dialog.buttons.buttons()[0]
        assert not ok.isEnabled()  # nothing said yet
        dialog.reject()
    finally:
        panel.close_panel()


def test_a_slot_marked_in_the_file_cannot_be_marked_again(qtbot, example: Path) -> None:  # type: ignore[no-untyped-def]
    panel = _open(qtbot, example)
    try:
        session = panel.controller.session
        assert session is not None
        slot = session.slots[0]
        x, y = _point(panel, slot.track, slot.start + slot.duration // 2)
        menu = panel.strip.menu_at(x, y)
        assert menu is not None
        mark, unmark = menu.actions()
        assert (mark.text(), mark.isEnabled(), unmark.isEnabled()) == (
            "Mark as slot…", False, False)
        assert mark.toolTip() == "Already a slot marked in the file"
    finally:
        panel.close_panel()
