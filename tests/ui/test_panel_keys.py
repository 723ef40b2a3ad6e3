"""The keyboard, honest progress and controls that are disabled when they do nothing:
focus order, Esc leaves text fields, the ? sheet, tooltips and accessible names,
every inspector edit undoable, jobs in editor words with focusable cancel/retry."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from pickup.ui.controller import JobView
from pickup.ui.jobs import JobsDock, _bar, progress_text, state_words
from pickup.ui.panel import OPEN_FILTER, PickupPanel
from pickup.ui.providers_dialog import ProvidersDialog
from pickup.ui.shortcuts import SHORTCUTS
from tests.conftest import MemoryKeyring


@pytest.fixture
def panel(qtbot, example: Path):  # type: ignore[no-untyped-def]
    widget = PickupPanel(size=(160, 90))
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    widget.open(example)
    qtbot.waitUntil(lambda: widget.controller.model is not None, timeout=20000)
    yield widget
    widget.close_panel()


def _focused() -> QWidget | None:
    w = QApplication.focusWidget()
    # an editable combo box's line edit stands for the combo box
    while w is not None and w.parentWidget() is not None and w.focusProxy() is None \
            and type(w).__name__ == "QLineEdit" and type(w.parentWidget()).__name__ == "QComboBox":
        w = w.parentWidget()
    return w


def test_tab_order_runs_down_the_inspector_and_esc_leaves_fields(qtbot,
                                                                panel: PickupPanel) -> None:
    panel.activateWindow()
    panel.strip.setFocus()
    qtbot.waitUntil(lambda: panel.strip.hasFocus())
    ins = panel.inspector
    expected = [panel.slot_list.table, ins.kind, ins.prompt, ins.negative, ins.provider,
                ins.model_name, ins.handles]
    for want in expected:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert _focused() is want, (_focused(), want)
    # Tab left the prompt box (not stuck in it, no tab typed into it)
    assert "\t" not in ins.prompt.toPlainText()
    # Esc in a text field goes back to the strip, where the keys work again
    ins.negative.setFocus()
    qtbot.keyClick(ins.negative, Qt.Key.Key_Escape)
    assert panel.strip.hasFocus()
    ins.prompt.setFocus()
    qtbot.keyClick(ins.prompt, Qt.Key.Key_Escape)
    assert panel.strip.hasFocus()
    ins.seed.setFocus()
    qtbot.keyClick(ins.seed, Qt.Key.Key_Escape)
    assert panel.strip.hasFocus()


def test_every_control_has_a_tooltip_and_a_name_and_the_sheet_opens(qtbot,
                                                                    panel: PickupPanel) -> None:
    buttons = [b for b in panel.findChildren(QAbstractButton) if b.isVisibleTo(panel)
               and b.text() not in ("", )]
    assert buttons
    for b in buttons:
        assert b.toolTip(), f"{b.text()!r} has no tooltip"
    for w in panel.focus_chain():
        assert w.accessibleName(), f"{type(w).__name__} has no accessible name"
    # the keys named in the tooltips are the keys that work
    assert "(G)" in panel.inspector.generate.toolTip()
    assert "Ctrl+O" in panel.open_button.toolTip()
    panel.strip.setFocus()
    qtbot.keyClick(panel.strip, "?")
    sheet = getattr(panel, "shortcut_sheet", None)
    assert sheet is not None and sheet.isVisible()
    assert sheet.table.rowCount() == len(SHORTCUTS)
    keys = {sheet.table.item(r, 1).text() for r in range(sheet.table.rowCount())}
    assert {"G", "[ / ]", "Esc", "?", "F / Shift+F"} <= keys
    sheet.close()


def test_every_inspector_edit_is_undoable(qtbot, panel: PickupPanel) -> None:
    model = panel.controller.model
    assert model is not None
    state = model[panel.selected]  # type: ignore[index]
    ins = panel.inspector
    before = (state.kind, state.seed, state.takes_wanted, state.handles, state.negative,
              state.use_first)
    ins.seed.setFocus()
    for _ in range(3):
        qtbot.keyClick(ins.seed, Qt.Key.Key_Up)  # three steps: one undo step
    assert state.seed == 2
    ins.takes.setValue(5)
    ins.handles.setValue(6)
    ins.kind.setCurrentText("insert")
    ins.negative.setText("no people")
    ins.negative.editingFinished.emit()
    qtbot.mouseClick(ins.use_first, Qt.MouseButton.LeftButton)
    assert (state.kind, state.seed, state.takes_wanted, state.handles, state.negative,
            state.use_first) == ("insert", 2, 5, 6, "no people", not before[5])
    steps = panel.undo.count()
    while panel.undo.canUndo():
        panel.undo.undo()
    assert (state.kind, state.seed, state.takes_wanted, state.handles, state.negative,
            state.use_first) == before
    assert ins.seed.value() == (-1 if before[1] is None else before[1])  # the field follows
    assert ins.takes.value() == before[2]
    assert steps <= 7  # seed's three steps merged; kind typed in one go may merge too
    panel.undo.redo()
    assert state.seed is not None


def test_disabled_means_disabled(qtbot, panel: PickupPanel) -> None:
    assert panel.inspector.generate.isEnabled()
    for b in (panel.takes.use, panel.takes.approve, panel.takes.reject, panel.takes.note):
        assert not b.isEnabled()  # the slot has no takes yet
    panel.select_slot(None)
    assert not panel.inspector.generate.isEnabled()
    # the disabled Generate does not look like the bright primary button
    image = panel.inspector.generate.grab().toImage()
    centre = image.pixelColor(4, image.height() // 2)
    assert centre != QColor("#2f5d8f")
    assert "*.fountain" in OPEN_FILTER and "*.fdx" in OPEN_FILTER and "*.csv" in OPEN_FILTER


def test_jobs_in_editor_words_with_honest_bars_and_focusable_buttons(qtbot) -> None:
    assert state_words("submitting") == "sending"
    assert state_words("conformed") == "ready"
    dock = JobsDock()
    qtbot.addWidget(dock)
    dock.show()
    waiting = JobView(key=1, slot_id="S1", take=1, provider="runway", state="submitted")
    assert progress_text(waiting) == (-1, "queued at provider…")
    waiting.queue_position = 3
    assert progress_text(waiting) == (-1, "#3 in queue")
    waiting.queue_position, waiting.progress = None, 0.42
    assert progress_text(waiting) == (420, "42%")
    reopened = JobView(key=2, slot_id="S1", take=2, provider="runway", state="interrupted",
                       progress=0.0)
    dock.add(waiting)
    dock.add(reopened)
    assert dock.table.item(1, 4).background() == _bar(0)  # type: ignore[union-attr]
    assert _bar(0).color() == QColor("#202226")  # an empty bar, not a full one
    assert dock.table.item(1, 3).text() == "interrupted"  # type: ignore[union-attr]
    waiting.message = "new"  # a provider's bare status word says nothing: not shown
    dock.update_job(waiting)
    assert dock.table.item(0, 8).text() == ""  # type: ignore[union-attr]
    cancels: list[int] = []
    retries: list[int] = []
    dock.cancelRequested.connect(cancels.append)
    dock.retryRequested.connect(retries.append)
    cancel, retry = dock.button(1, "cancel"), dock.button(2, "retry")
    assert cancel is not None and retry is not None
    assert cancel.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert not dock.button(1, "retry").isEnabled()  # type: ignore[union-attr]
    assert not dock.button(2, "cancel").isEnabled()  # type: ignore[union-attr]
    cancel.setFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Space)
    retry.setFocus()
    qtbot.keyClick(retry, Qt.Key.Key_Space)
    assert (cancels, retries) == ([1], [2])


def test_providers_dialog_shows_each_providers_own_fields(qtbot, tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        dialog = ProvidersDialog(settings, "previz")
        qtbot.addWidget(dialog)
        dialog.show()

        def pick(name: str) -> None:
            dialog.names.setCurrentItem(
                dialog.names.findItems(name, Qt.MatchFlag.MatchExactly)[0])

        width = dialog.width()
        pick("previz")
        assert not dialog.urls.isVisible() and not dialog.key.isVisible()
        pick("runway")
        assert dialog.key.isVisible() and not dialog.urls.isVisible()
        assert dialog.save_key.isEnabled() and not dialog.clear_key.isEnabled()
        dialog.result_label.setText("x" * 400)  # a long answer wraps, never widens
        qtbot.wait(20)
        pick("comfyui")
        assert dialog.urls.isVisible() and not dialog.key.isVisible()
        assert dialog.width() == width == 560
    finally:
        keyring.set_keyring(previous)


def test_providers_dialog_disables_saving_without_a_keyring(qtbot, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from keyring.backends.fail import Keyring as FailKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        dialog = ProvidersDialog(settings, "runway")
        qtbot.addWidget(dialog)
        dialog.show()
        assert "keyring" in dialog.key_status.text().lower()
        assert not dialog.save_key.isEnabled()
    finally:
        keyring.set_keyring(previous)


def test_generate_all_asks_once_with_the_cost_and_state_json_reports_it(
        qtbot, panel: PickupPanel, tmp_path: Path) -> None:
    model = panel.controller.model
    assert model is not None
    for slot_id in model.order:
        model[slot_id].takes_wanted = 1
    asked: list[tuple[list[str], int, float, str]] = []

    def confirm(ids, takes, cost, note):  # type: ignore[no-untyped-def]
        asked.append((ids, takes, cost, note))
        return False

    panel.confirm_batch = confirm
    assert panel.generate_all_button.isEnabled()
    qtbot.mouseClick(panel.generate_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert asked == [(model.order, 2, 0.0, "")]  # previz is free
    assert not panel.controller.jobs  # declined: nothing started
    # Two slots picked in the list: Generate selected asks about those two only, once,
    # and starts both.
    rows = panel.slot_list
    rows.table.selectAll()
    assert rows.selected_ids() == model.order
    asked.clear()
    panel.confirm_batch = lambda ids, takes, cost, note: asked.append(
        (ids, takes, cost, note)) is None
    panel.strip.setFocus()
    qtbot.keyClick(panel.strip, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10000)
    qtbot.waitUntil(lambda: all(len(model[s].takes) == 1 for s in model.order)
                    and not panel.controller.running(), timeout=90000)
    assert len(asked) == 1
    state = panel.shown_state()
    assert [s["id"] for s in state["slots"]] == model.order  # type: ignore[index]
    jobs = state["jobs"]
    assert isinstance(jobs, list) and len(jobs) == 2
    assert {j["words"] for j in jobs} == {"ready"} and {j["bar"] for j in jobs} == {1.0}


def test_size_field_where_the_file_has_no_size(qtbot, example: Path, tmp_path: Path) -> None:
    from tests.conftest import FIXTURES

    edl = tmp_path / "cut.edl"
    edl.write_bytes((FIXTURES / "gap_test.edl").read_bytes())
    settings = QSettings(str(tmp_path / "panel.ini"), QSettings.Format.IniFormat)
    panel = PickupPanel(settings=settings)
    qtbot.addWidget(panel)
    panel.show()
    panel.open(edl)
    qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
    assert panel.size_field.isEnabled()  # an EDL says no size
    assert panel.size_field.text() == "1920x1080"
    panel.size_field.setText("1280x720")
    panel.size_field.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.controller.session is not None
                    and panel.controller.session.size == (1280, 720)
                    and panel.controller.model is not None, timeout=20000)
    assert panel.size_field.text() == "1280x720"
    panel.close_panel()
    # remembered for the file: a new panel opens it at that size
    again = PickupPanel(settings=settings)
    qtbot.addWidget(again)
    again.open(edl)
    qtbot.waitUntil(lambda: again.controller.session is not None
                    and again.controller.model is not None, timeout=20000)
    session = again.controller.session
    assert session is not None and session.size == (1280, 720)
    again.close_panel()
    # a file that says its size: the field shows it and cannot be edited
    third = PickupPanel(settings=settings)
    qtbot.addWidget(third)
    third.open(example)
    qtbot.waitUntil(lambda: third.controller.model is not None, timeout=20000)
    session = third.controller.session
    assert session is not None and session.size_note == "timeline metadata"
    assert not third.size_field.isEnabled()
    third.size_field.setText("nonsense")
    third.close_panel()
