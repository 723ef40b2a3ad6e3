"""The editor's loop in the panel: open, select, edit, generate, preview, choose, undo,
send back; and the main thread stays responsive while takes are made."""

from __future__ import annotations

import time
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from pickup.engine.journal import Journal
from pickup.ui.panel import PickupPanel

SIZE = (160, 90)


def decode(path: Path, index: int, size: tuple[int, int]) -> np.ndarray:
    """Frame ``index`` of ``path`` decoded straight through PyAV, in order from the start."""
    with av.open(str(path)) as container:
        for n, frame in enumerate(container.decode(video=0)):
            if n == index:
                return frame.to_ndarray(width=size[0], height=size[1], format="rgb24")
    raise AssertionError(f"{path} has no frame {index}")


class StallProbe:
    """A 5 ms QTimer on the GUI thread; ``longest_ms`` is the longest gap between ticks."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.longest_ms = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        gap = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.ticks += 1
        self.longest_ms = max(self.longest_ms, gap)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


@pytest.fixture
def panel(qtbot, example: Path) -> PickupPanel:  # type: ignore[no-untyped-def]
    widget = PickupPanel(size=SIZE)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    widget.open(example)
    qtbot.waitUntil(lambda: widget.controller.model is not None, timeout=20000)
    yield widget
    widget.close_panel()


def test_open_select_edit_generate_preview_choose_undo_send(qtbot, panel: PickupPanel,
                                                            example: Path) -> None:
    model = panel.controller.model
    assert model is not None
    assert [s.mark for s in panel.controller.session.slots] == ["marker", "placeholder"]
    gap_slot, stunt_slot = model.order
    assert panel.selected == gap_slot  # the first slot is selected on open

    # Click the stunt slot on the strip.
    rect = panel.strip.slot_rect(stunt_slot)
    assert rect is not None
    qtbot.mouseClick(panel.strip.canvas, Qt.MouseButton.LeftButton,
                     pos=rect.center().toPoint())
    assert panel.selected == stunt_slot
    assert panel.inspector.title.text().startswith(stunt_slot)
    assert "stunt double" in panel.inspector.prompt.toPlainText()

    # Edit the prompt through the inspector: one undoable command.
    panel.inspector.prompt.setPlainText("a stunt double leaps across a gap, handheld")
    panel.inspector.commit_prompt()
    assert model[stunt_slot].prompt == "a stunt double leaps across a gap, handheld"
    assert panel.undo.count() == 1

    # Two takes with previz, while a probe watches the GUI thread.
    panel.inspector.takes.setValue(2)
    assert model[stunt_slot].takes_wanted == 2
    probe = StallProbe()
    probe.start()
    started = time.perf_counter()
    qtbot.mouseClick(panel.inspector.generate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.jobs.jobs) == 2, timeout=20000)
    assert panel._status_of(stunt_slot) == "generating"
    qtbot.waitUntil(lambda: len(model[stunt_slot].takes) == 2
                    and not panel.controller.running(), timeout=60000)
    elapsed = time.perf_counter() - started
    probe.stop()
    print(f"\ngenerate 2 previz takes: {elapsed:.2f} s; longest GUI stall "
          f"{probe.longest_ms:.1f} ms over {probe.ticks} ticks")
    assert probe.ticks > 20
    assert probe.longest_ms < 1000  # generous: a frozen GUI would be seconds
    assert [j.state for j in panel.jobs.jobs.values()] == ["conformed", "conformed"]
    assert panel.jobs.table.item(0, 3).text() == "ready"  # the state in an editor's words
    assert panel._status_of(stunt_slot) == "takes"
    take1, take2 = model[stunt_slot].takes
    assert (take1.number, take2.number) == (1, 2)
    assert take2.path.is_file() and take2.path.parent.name == "media"
    assert take2.path.parent.parent == example.with_name("farmhouse.pickup")
    assert panel.takes.list.count() == 2
    qtbot.waitUntil(lambda: f"take:{take2.path}" in panel.takes.images, timeout=10000)

    # Preview take 2 in context: the displayed frame is the decoded frame.
    panel.preview(stunt_slot, 2)
    player = panel.player
    segments = player.playlist.segments
    assert [s.role for s in segments] == ["prev", "take", "next"]
    take_start = segments[0].frames
    assert player.position == take_start
    player.seek(take_start + 5)
    qtbot.waitUntil(lambda: player.shown_index == take_start + 5, timeout=10000)
    assert np.array_equal(player.shown_frame, decode(take2.path, 5, SIZE))
    assert player.tc.text() == panel.controller.session.timecode(
        model[stunt_slot].slot.start + 5)
    # ...and the tail of the previous shot is the previous clip's own frames.
    prev = segments[0]
    player.seek(3)
    qtbot.waitUntil(lambda: player.shown_index == 3, timeout=10000)
    assert np.array_equal(player.shown_frame, decode(prev.path, prev.first + 3, SIZE))
    # Frame steps and shuttle from the keyboard.
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_Right)
    assert player.position == 4
    qtbot.keyClick(player, Qt.Key.Key_Left)
    qtbot.keyClick(player, Qt.Key.Key_Left)
    assert player.position == 2
    qtbot.keyClick(player, Qt.Key.Key_Down)  # next segment: the take
    assert player.position == take_start
    qtbot.keyClick(player, Qt.Key.Key_L)
    assert player.speed == 1
    qtbot.keyClick(player, Qt.Key.Key_L)
    assert player.speed == 2
    qtbot.wait(150)
    qtbot.keyClick(player, Qt.Key.Key_K)
    assert player.speed == 0 and player.position > take_start
    qtbot.keyClick(player, Qt.Key.Key_J)
    assert player.speed == -1
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.speed == 0
    assert not player.errors()

    # Use take 2, undo, redo.
    panel.takes.select_take(2)
    qtbot.mouseClick(panel.takes.use, Qt.MouseButton.LeftButton)
    assert model[stunt_slot].chosen == 2
    panel.undo.undo()
    assert model[stunt_slot].chosen is None
    panel.undo.redo()
    assert model[stunt_slot].chosen == 2
    # A prompt edit makes the takes stale; undo makes them fresh again.
    panel.edit_prompt(stunt_slot, "something else entirely")
    assert panel._status_of(stunt_slot) == "stale"
    assert "stale" in panel.takes.list.item(1).text()
    panel.undo.undo()
    assert panel._status_of(stunt_slot) == "takes"
    assert model[stunt_slot].chosen == 2

    # Send back: the written file holds take 2, the input is untouched.
    before = example.read_bytes()
    qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.last_report is not None, timeout=20000)
    report = panel.last_report
    assert report.dest == example.with_name("farmhouse.pickup.otio")
    assert report.backup is None
    assert [(s.slot_id, s.action, s.take) for s in report.slots] == [(stunt_slot, "filled", 2)]
    assert example.read_bytes() == before
    written = otio.adapters.read_from_file(str(report.dest))
    clips = {c.name: c for c in written.find_clips()}
    clip = clips[f"{stunt_slot}_T02"]
    assert clip.active_media_reference_key == "T02"
    assert clip.media_reference.target_url.endswith(f"{stunt_slot}_T02.mov")
    assert set(clip.media_references()) == {"PLACEHOLDER", "T01", "T02"}
    assert clip.metadata["pickup"]["take"] == 2

    # Sending again keeps the first result as a backup.
    panel.approve_take(stunt_slot, 2)
    panel.last_report = None
    panel.send_back()
    qtbot.waitUntil(lambda: panel.last_report is not None, timeout=20000)
    assert panel.last_report.backup is not None and panel.last_report.backup.is_file()
    assert panel._status_of(stunt_slot) == "approved"


def test_choices_survive_reopen_and_stalls_stay_small(qtbot, example: Path) -> None:
    panel = PickupPanel(size=SIZE)
    qtbot.addWidget(panel)
    panel.show()
    panel.open(example)
    qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
    model = panel.controller.model
    slot_id = model.order[0]
    model[slot_id].takes_wanted = 1
    panel.generate(slot_id)
    qtbot.waitUntil(lambda: bool(model[slot_id].takes) and not panel.controller.running(),
                    timeout=60000)
    number = model[slot_id].takes[0].number
    panel.approve_take(slot_id, number)
    panel.set_note(slot_id, number, "lovely light")
    assert panel.close_panel()

    again = PickupPanel(size=SIZE)
    qtbot.addWidget(again)
    again.open(example)
    qtbot.waitUntil(lambda: again.controller.model is not None, timeout=20000)
    state = again.controller.model[slot_id]
    assert state.chosen == number
    assert state.take(number).status == "approved"
    assert state.take(number).note == "lovely light"
    assert again._status_of(slot_id) == "approved"
    again.close_panel()


def test_close_with_running_jobs_asks_and_leaves_the_journal_consistent(
        qtbot, example: Path) -> None:
    panel = PickupPanel(size=(640, 360))  # big enough that the takes are still running
    qtbot.addWidget(panel)
    panel.show()
    panel.open(example)
    qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
    model = panel.controller.model
    slot_id = model.order[0]
    model[slot_id].takes_wanted = 3
    panel.generate(slot_id)
    qtbot.waitUntil(lambda: any(j.state in ("submitting", "submitted", "running")
                                for j in panel.controller.jobs.values()), timeout=20000)
    asked: list[int] = []
    panel.ask_close = lambda n: asked.append(n) or False
    assert not panel.close_panel()  # the editor said no: nothing stops
    assert asked and asked[0] >= 1
    assert panel.controller.running()
    panel.ask_close = lambda n: True
    assert panel.close_panel()
    assert not panel.controller.host.alive  # the engine's process has ended
    journal = Journal(example.with_name("farmhouse.pickup") / "journal.sqlite")
    try:
        states = [r.state for r in journal.all()]
    finally:
        journal.close()
    assert states and not {"submitting", "submitted", "running"} & set(states)

    # The next open shows what is left and can finish it.
    again = PickupPanel(size=(640, 360))
    qtbot.addWidget(again)
    again.open(example)
    qtbot.waitUntil(lambda: again.controller.model is not None, timeout=20000)
    interrupted = [j for j in again.controller.jobs.values() if j.state == "interrupted"]
    assert len(interrupted) == sum(s in ("planned", "succeeded", "fetched") for s in states)
    if interrupted:
        assert again.jobs.resume.isVisibleTo(again)
        again.controller.resume()
        qtbot.waitUntil(lambda: not again.controller.running(), timeout=60000)
        assert all(j.state == "conformed" for j in interrupted)
    again.close_panel()
