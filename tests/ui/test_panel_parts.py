"""The panel's parts on their own: providers dialog and keyring, real editors' timelines,
the budget question, cancel and retry of one job, the screenshot command."""

from __future__ import annotations

import http.server
import shutil
import threading
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import QSettings, Qt

from pickup.timeline import find_slots, read_timeline
from pickup.ui.panel import PickupPanel
from pickup.ui.providers_dialog import ProvidersDialog, provider_options
from tests.conftest import FIXTURES, MemoryKeyring


@pytest.fixture
def memory_keyring():  # type: ignore[no-untyped-def]
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_providers_dialog_stores_key_masked_and_tests_comfyui(qtbot, tmp_path: Path,
                                                              memory_keyring) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dialog = ProvidersDialog(settings, "previz")
    qtbot.addWidget(dialog)
    names = [dialog.names.item(i).text() for i in range(dialog.names.count())]
    assert {"previz", "comfyui", "runway"} <= set(names)

    dialog.names.setCurrentItem(dialog.names.findItems("runway", Qt.MatchFlag.MatchExactly)[0])
    assert dialog.key.echoMode() == dialog.key.EchoMode.Password
    secret = "rk_live_0123456789abcdef"
    dialog.key.setText(secret)
    qtbot.mouseClick(dialog.save_key, Qt.MouseButton.LeftButton)
    assert memory_keyring.store[("pickup", "runway")] == secret
    assert dialog.key.text() == ""
    assert dialog.key_status.text() == "rk_l…cdef in the OS keyring"
    assert secret not in dialog.key_status.text()
    qtbot.mouseClick(dialog.clear_key, Qt.MouseButton.LeftButton)
    assert ("pickup", "runway") not in memory_keyring.store

    # ComfyUI: URLs are stored, and Test connection asks the server off the GUI thread.
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == "/system_stats"
            self.send_response(200 if ok else 404)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dialog.names.setCurrentItem(
            dialog.names.findItems("comfyui", Qt.MatchFlag.MatchExactly)[0])
        url = f"http://127.0.0.1:{server.server_address[1]}"
        dialog.urls.setPlainText(url)
        assert provider_options(settings, "comfyui") == {"urls": [url]}
        qtbot.mouseClick(dialog.test, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_label.text().startswith(("✓", "✗")), timeout=10000)
        assert dialog.result_label.text() == "✓ 1 ComfyUI server(s) answered"
        dialog.urls.setPlainText("http://127.0.0.1:9")  # nothing listens there
        qtbot.mouseClick(dialog.test, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.result_label.text().startswith(("✓", "✗")), timeout=10000)
        assert "cannot reach http://127.0.0.1:9" in dialog.result_label.text()
    finally:
        server.shutdown()
    qtbot.mouseClick(dialog.use, Qt.MouseButton.LeftButton)
    assert dialog.chosen == "comfyui" and settings.value("provider") == "comfyui"


@pytest.mark.parametrize("name", ["premiere_example.xml", "multitrack.otio", "gap_test.edl"])
def test_real_timelines_open_with_every_track_and_slot(qtbot, tmp_path: Path,
                                                       name: str) -> None:
    src = FIXTURES / name
    if not src.is_file():
        pytest.skip(f"fixture {name} not found")
    path = tmp_path / name
    shutil.copy(src, path)
    panel = PickupPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    panel.open(path)
    qtbot.waitUntil(lambda: panel.controller.session is not None or bool(panel.last_error),
                    timeout=20000)
    assert not panel.last_error
    session = panel.controller.session
    loaded = read_timeline(path)
    assert len(session.tracks) == len(loaded.timeline.tracks)
    assert [len(t.items) for t in session.tracks if not t.video] == [
        len(t) for t in loaded.timeline.audio_tracks()]
    expected = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame)
    assert [s.id for s in session.slots] == [s.id for s in expected]
    assert session.duration == max(round(t.duration().value_rescaled_to(loaded.rate))
                                   for t in loaded.timeline.tracks)
    # Zoom and scroll keep the view inside the sequence.
    panel.strip.zoom(8)
    panel.strip.bar.setValue(panel.strip.bar.maximum())
    assert panel.strip.offset + panel.strip._width() / panel.strip.scale <= session.duration + 1
    panel.strip.fit()
    assert panel.strip.offset == 0
    panel.close_panel()
    # Opening and closing wrote nothing beside the file (no project folder).
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_budget_question_cancel_and_retry(qtbot, example: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[prices]\npreviz = 1.0\n", encoding="utf-8")  # $1 per second
    monkeypatch.setenv("PICKUP_CONFIG", str(config))
    panel = PickupPanel(size=(160, 90))
    qtbot.addWidget(panel)
    panel.show()
    panel.open(example)
    qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
    model = panel.controller.model
    slot_id = model.order[0]  # 72 frames = 3 s = $3 a take
    qtbot.waitUntil(lambda: panel.inspector.cost.text() == "est. $6.00 for 2 take(s)",
                    timeout=10000)
    panel.budget.limit.setValue(4.0)
    assert panel.controller.budget == 4.0
    questions: list[tuple[float, float, float]] = []
    panel.controller.confirm_budget = lambda *a: questions.append(a) or False
    panel.generate(slot_id)
    qtbot.waitUntil(lambda: bool(questions), timeout=20000)
    assert questions == [(6.0, 0.0, 4.0)]
    qtbot.waitUntil(lambda: not panel.controller.busy(slot_id), timeout=20000)
    assert not panel.controller.jobs  # nothing started
    assert "budget" in panel.status.text()

    # Said yes: both start; cancel the second before or while it runs, then retry it.
    panel.controller.job_workers = 1  # the engine host is not started yet
    panel.controller.confirm_budget = lambda *a: True
    panel.generate(slot_id)
    qtbot.waitUntil(lambda: len(panel.controller.jobs) == 2, timeout=20000)
    assert "Queued est. $6.00" in panel.budget.label.text()
    second = max(panel.controller.jobs)
    panel.controller.cancel(second)
    qtbot.waitUntil(lambda: not panel.controller.running(), timeout=60000)
    states = {k: j.state for k, j in panel.controller.jobs.items()}
    assert states[second] == "cancelled"
    assert sorted(states.values()) == ["cancelled", "conformed"]
    assert "Spent $3.00" in panel.budget.label.text()
    panel.controller.retry(second)
    qtbot.waitUntil(lambda: len(model[slot_id].takes) == 2 and not panel.controller.running()
                    and not panel.controller.busy(slot_id), timeout=60000)
    assert sorted(t.number for t in model[slot_id].takes) == [1, 2]
    assert "Spent $6.00" in panel.budget.label.text()
    panel.close_panel()


def test_screenshot_command_writes_a_png(tmp_path: Path, example: Path) -> None:
    from PySide6.QtGui import QImage

    from pickup.ui.app import main

    out = tmp_path / "panel.png"
    assert main(["--screenshot", str(out), str(example), "--window", "1100x700"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1100, 700)
    # Dark theme: the top-left corner is the window background, not white.
    assert image.pixelColor(5, 40).lightness() < 80, image.pixelColor(5, 40).name()


def test_panel_state_is_saved_only_when_it_changes(qtbot, example: Path) -> None:
    project = example.with_suffix(".pickup")
    state = project / "panel.json"
    state.unlink(missing_ok=True)

    def opened() -> PickupPanel:
        panel = PickupPanel()
        qtbot.addWidget(panel)
        panel.open(example)
        qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
        return panel

    panel = opened()
    panel.close_panel()
    assert not state.exists()  # opened and closed: nothing to keep
    panel = opened()
    slot_id = panel.controller.model.order[0]
    panel.edit_prompt(slot_id, "a barn at dawn, static")
    panel.close_panel()
    assert state.is_file()
    panel = opened()
    assert panel.controller.model[slot_id].prompt == "a barn at dawn, static"
    panel.close_panel()


def test_a_failed_state_save_is_written_on_close(qtbot, example: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The debounced save fails (disk full): the state stays unsaved, and closing the
    panel writes it, so the prompt typed is not lost."""
    from pickup.ui import services

    state = example.with_suffix(".pickup") / "panel.json"
    state.unlink(missing_ok=True)
    panel = PickupPanel()
    qtbot.addWidget(panel)
    panel.open(example)
    qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
    real, calls = services.save_panel_state, []

    def flaky(project, data, previous=None):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real(project, data, previous)

    monkeypatch.setattr(services, "save_panel_state", flaky)
    slot_id = panel.controller.model.order[0]
    panel.edit_prompt(slot_id, "a barn at dawn, static")
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    qtbot.wait(300)
    assert not state.exists()
    panel.close_panel()
    assert len(calls) == 2 and "a barn at dawn, static" in state.read_text()
