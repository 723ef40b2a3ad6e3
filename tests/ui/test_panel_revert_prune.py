"""Revert and Prune in the panel: clicked through (button, the confirmation, the reload),
they leave the cut and the take store on disk as `pickup revert` / `pickup prune` leave a
twin of the same project."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from pickup.ui.panel import PickupPanel
from pickup.ui.shortcuts import SHORTCUTS
from tests.takes.conftest import (  # noqa: F401 - fixtures
    _quiet_config,
    fill,
    ok,
    otio_cut,
    takes_json,
    xml_cut,
)

FIRST, SECOND = "V1-01000012", "V1-01000110"


@pytest.fixture
def twins(otio_cut: Path, tmp_path: Path) -> tuple[Path, Path]:  # noqa: F811
    """The same cut filled twice with 2 previz takes a slot: one for the panel, one for
    the command line."""
    written = []
    for name in ("panel", "cli"):
        folder = tmp_path / name
        folder.mkdir()
        cut = folder / "cut.otio"
        shutil.copy2(otio_cut, cut)
        written.append(fill(cut, None, "--takes", "2", "--seed", "7"))
    return written[0], written[1]


def _same(panel_file: Path, cli_file: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """What `pickup takes --json` says of each twin, with the twins' folders made equal
    and the seam figures left out."""
    import json

    def plain(path: Path) -> dict[str, Any]:
        data = json.loads(json.dumps(takes_json(path)).replace(str(path.parent), "ROOT"))
        for slot in data["slots"]:
            for take in slot["takes"]:
                # measured from each twin's own media, which two previz fills do not
                # make bit-identical (third decimal); revert and prune never change it
                take.pop("seams", None)
        return data

    return plain(panel_file), plain(cli_file)


def _diff(a: Any, b: Any, at: str = "") -> list[str]:
    """Where two JSON values differ (paths), for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str)
                for d in _diff(a.get(k), b.get(k), f"{at}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _diff(x, y, f"{at}[{i}]")]
    return [] if a == b else [f"{at}: {a!r} != {b!r}"]


@pytest.fixture
def panel(qtbot, twins: tuple[Path, Path]) -> Iterator[PickupPanel]:  # type: ignore[no-untyped-def]
    widget = PickupPanel(size=(64, 36))
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    widget.open(twins[0])
    qtbot.waitUntil(lambda: widget.controller.model is not None, timeout=20000)
    yield widget
    widget.close_panel()


def _answer(button: str, seen: list[str]) -> None:
    """Click ``button`` (the start of its text) in the next message box that opens."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(f"{box.text()}\n{box.informativeText()}")
        for b in box.buttons():
            if b.text().replace("&", "").startswith(button):
                b.click()
                return
        seen.append(f"no button {button!r} in {[b.text() for b in box.buttons()]}")
        box.reject()

    QTimer.singleShot(0, click)


def _reloaded(qtbot, panel: PickupPanel, before: object) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: panel.controller.model is not None
                    and panel.controller.model is not before, timeout=20000)


def test_revert_from_the_takes_button_as_pickup_revert_does(
        qtbot, panel: PickupPanel, twins: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    written, cli = twins
    ok("revert", str(cli), SECOND)
    panel.select_slot(SECOND)
    assert panel.takes.revert.isEnabled()
    assert "Ctrl+Shift+R" in panel.takes.revert.toolTip()
    before_bytes = written.read_bytes()

    # Cancel first: nothing changes.
    seen: list[str] = []
    _answer("Cancel", seen)
    qtbot.mouseClick(panel.takes.revert, Qt.MouseButton.LeftButton)
    assert seen and f"Put the placeholder of {SECOND} back?" in seen[0]
    assert "instead of T01" in seen[0] and "T01, T02" in seen[0] and "backup" in seen[0]
    assert written.read_bytes() == before_bytes

    model = panel.controller.model
    _answer("Revert", seen)
    qtbot.mouseClick(panel.takes.revert, Qt.MouseButton.LeftButton)
    _reloaded(qtbot, panel, model)
    assert len(seen) == 2, seen
    mine, theirs = _same(written, cli)
    assert mine == theirs, _diff(mine, theirs)
    row = next(r for r in mine["slots"] if r["id"] == SECOND)
    assert row["active"] in (None, "PLACEHOLDER") and len(row["takes"]) == 2, row
    from pickup.atomic import backup_path

    assert backup_path(written).read_bytes() == before_bytes  # the previous file is kept
    # what the panel shows now: the slot kept selected, its takes, nothing in the cut
    state = panel.controller.model[SECOND]  # type: ignore[index]
    assert panel.selected == SECOND and state.chosen is None
    assert [t.number for t in state.takes] == [1, 2]
    assert panel.takes.list.count() == 2
    assert panel._label_of(SECOND) == "2 takes, none in cut"
    assert panel.controller.model[FIRST].chosen == 1  # type: ignore[index]
    assert "placeholder" in panel.status.text() or "gap" in panel.status.text()

    # Reverting it again says so, and asks nothing.
    seen.clear()
    panel.revert_slot(SECOND)
    assert seen == [] and "nothing to revert" in panel.status.text()


def test_prune_from_the_keyboard_as_pickup_prune_does(
        qtbot, panel: PickupPanel, twins: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    written, cli = twins
    ok("reject", str(cli), FIRST, "T02")
    ok("prune", str(cli), "--keep", "temp")
    gone = written.parent / "cut.pickup" / "media" / f"{FIRST}_T02.mov"
    kept = written.parent / "cut.pickup" / "media" / f"{SECOND}_T02.mov"
    assert gone.is_file() and kept.is_file()

    # Reject T02 of the first slot in the panel (R on the takes), then Ctrl+Shift+P.
    panel.select_slot(FIRST)
    panel.takes.select_take(2)
    panel.takes.list.setFocus()
    qtbot.keyClick(panel.takes.list, Qt.Key.Key_R)
    assert panel.controller.model[FIRST].take(2).status == "rejected"  # type: ignore[index]
    model = panel.controller.model
    seen: list[str] = []
    _answer("Only the 1 rejected", seen)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_P,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    _reloaded(qtbot, panel, model)
    assert len(seen) == 1, seen
    assert "Remove 2 take(s) nobody uses" in seen[0]
    assert f"{FIRST} T02" in seen[0] and f"{SECOND} T02" in seen[0]
    assert not gone.exists() and kept.is_file()
    mine, theirs = _same(written, cli)
    assert mine == theirs, _diff(mine, theirs)
    by_id = {r["id"]: [t["key"] for t in r["takes"]] for r in mine["slots"]}
    assert by_id == {FIRST: ["T01"], SECOND: ["T01", "T02"]}
    assert [t.number for t in panel.controller.model[FIRST].takes] == [1]  # type: ignore[index]
    assert panel.selected == FIRST and panel.takes.list.count() == 1
    assert panel.status.text().startswith("pruned 1 take(s)")


def test_prune_cancelled_removes_nothing(
        qtbot, panel: PickupPanel, twins: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    written, _cli = twins
    media = sorted((written.parent / "cut.pickup" / "media").iterdir())
    seen: list[str] = []
    _answer("Cancel", seen)
    qtbot.mouseClick(panel.prune_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "prune cancelled" in panel.status.text(), timeout=20000)
    assert "Remove 2 take(s)" in seen[0]
    assert sorted((written.parent / "cut.pickup" / "media").iterdir()) == media


def test_keys_are_on_the_sheet_and_the_takes_menu(qtbot) -> None:  # type: ignore[no-untyped-def]
    from pickup.ui.app import PanelWindow

    keys = {k: what for _where, k, what in SHORTCUTS}
    assert "revert" in keys["Ctrl+Shift+R"] and "prune" in keys["Ctrl+Shift+P"]
    window = PanelWindow()
    qtbot.addWidget(window)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Takes")
    texts = [a.text() for a in menu.actions()]  # type: ignore[union-attr]
    assert texts == ["&Revert slot…\tCtrl+Shift+R", "&Prune takes…\tCtrl+Shift+P"]
    assert "Ctrl+Shift+P" in window.prune_action.toolTip()
    assert "Ctrl+Shift+R" in window.revert_action.toolTip()
    window.panel.close_panel()


def test_revert_and_prune_wait_while_takes_are_made(
        qtbot, panel: PickupPanel, twins: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    from pickup.ui.controller import JobView

    written, _cli = twins
    before = written.read_bytes()
    media = sorted((written.parent / "cut.pickup" / "media").iterdir())
    job = JobView(key=99, slot_id=FIRST, take=3, provider="previz", state="running")
    panel.controller.jobs[99] = job  # a take being made for this project
    failed: list[str] = []
    panel.controller.takeVerbFailed.connect(failed.append)
    panel.confirm_revert = lambda *_: True
    assert panel.revert_slot(SECOND) is None
    assert panel.prune() is None
    assert len(failed) == 2 and "takes are being made" in failed[0]
    assert "takes are being made" in panel.status.text()
    assert written.read_bytes() == before
    assert sorted((written.parent / "cut.pickup" / "media").iterdir()) == media
    job.ended = job.started  # done: the verbs run again
    model = panel.controller.model
    assert panel.revert_slot(SECOND) is not None
    _reloaded(qtbot, panel, model)
    assert written.read_bytes() != before


def test_revert_in_fcp7_xml_gives_back_the_file_as_it_was(
        qtbot, xml_cut: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.takes.conftest import XML_SLOTS

    slot = XML_SLOTS[0]
    original = xml_cut.read_bytes()
    written = fill(xml_cut, (slot,), "--takes", "2")
    panel = PickupPanel(size=(64, 36))
    qtbot.addWidget(panel)
    panel.show()
    panel.open(written)
    qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
    panel.select_slot(slot)
    model = panel.controller.model
    seen: list[str] = []
    _answer("Revert", seen)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    _reloaded(qtbot, panel, model)
    assert seen and f"Put the placeholder of {slot} back?" in seen[0]
    assert written.read_bytes() == original  # the gap again, byte for byte
    row = next(r for r in takes_json(written)["slots"] if r["id"] == slot)
    assert [t["key"] for t in row["takes"]] == ["T01", "T02"]  # the takes are kept
    assert panel.controller.model[slot].chosen is None  # type: ignore[index]
    assert "gap again" in panel.status.text()
    panel.close_panel()
