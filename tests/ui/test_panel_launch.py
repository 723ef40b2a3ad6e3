"""Launching the panel on a timeline: the sketch of a large .otio file (quickread, in its
own process) is what the full read gives, the strip draws it at once and the full read
follows; the other parts are made after that first paint; the strip draws every track
and merges items narrower than a pixel without losing slot clicks."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest
from PySide6.QtCore import QPointF, Qt

from pickup.errors import TimelineError
from pickup.timeline import read_timeline
from pickup.ui import quickread, services
from pickup.ui.app import PanelWindow
from pickup.ui.panel import PickupPanel
from pickup.ui.services import Session, Sketch
from tests.conftest import FIXTURES

RATE = 24


def _timeline(path: Path, clips: int = 300, tracks: int = 2, audio: int = 1) -> Path:
    """Clips on video and audio tracks; a GEN-marked gap every 50th item of V1; a
    transition, a placeholder and a nested stack on V2; a start timecode at 25 fps."""
    made = []
    for t in range(tracks + audio):
        kind = otio.schema.TrackKind.Video if t < tracks else otio.schema.TrackKind.Audio
        track = otio.schema.Track(name=f"T{t}", kind=kind)
        for i in range(clips):
            frames = 10 + (i * 7 + t) % 49
            track.append(otio.schema.Clip(
                name=f"shot_{t}_{i}",
                media_reference=otio.schema.ExternalReference(target_url=f"/m/{t}_{i}.mov"),
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(0, RATE),
                    otio.opentime.RationalTime(frames, RATE))))
            if t == 0 and i % 50 == 25:
                gap = otio.schema.Gap(duration=otio.opentime.RationalTime(48, RATE))
                gap.markers.append(otio.schema.Marker(name=f"GEN insert: detail {i}"))
                track.append(gap)
        if t == 1:
            track.insert(3, otio.schema.Transition(
                in_offset=otio.opentime.RationalTime(4, RATE),
                out_offset=otio.opentime.RationalTime(4, RATE)))
            track.append(otio.schema.Clip(
                name="slug", media_reference=otio.schema.GeneratorReference(
                    generator_kind="SolidColor",
                    available_range=otio.opentime.TimeRange(
                        otio.opentime.RationalTime(0, RATE),
                        otio.opentime.RationalTime(30, RATE)))))
            nested = otio.schema.Stack(name="nest", source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, 48), otio.opentime.RationalTime(96, 48)))
            track.append(nested)
        made.append(track)
    timeline = otio.schema.Timeline(name="launch", tracks=made,
                                    global_start_time=otio.opentime.RationalTime(90000, 25))
    otio.adapters.write_to_file(timeline, str(path))
    return path


def _same(sketch: Sketch, session: Session) -> None:
    assert sketch.tracks == session.tracks
    assert (sketch.duration, sketch.rate, sketch.start_frame) == (
        session.duration, session.rate, session.start_frame)


def _sketch_of(path: Path, rate: float | None = None) -> Sketch | None:
    data = quickread.sketch_file(str(path), rate)
    return None if data is None else services.sketch_from(data, path)


# -- quickread ------------------------------------------------------------------------------
def test_sketch_equals_the_full_read(tmp_path: Path) -> None:
    path = _timeline(tmp_path / "cut.otio")
    sketch = _sketch_of(path)
    assert sketch is not None
    session = services.read_session(path)
    _same(sketch, session)
    assert [t.label for t in sketch.tracks] == ["V2", "V1", "A1"]
    assert {"gap", "clip", "placeholder", "other"} <= set(sketch.tracks[0].kinds
                                                           + sketch.tracks[1].kinds)
    # A rate given on the command line wins, as in read_timeline.
    again = _sketch_of(path, 30.0)
    assert again is not None
    _same(again, services.read_session(path, rate=30.0))


def _fixture_timelines() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.iterdir() if p.suffix.lower() in (
        ".otio", ".xml", ".edl", ".fcpxml", ".aaf"))


@pytest.mark.parametrize("src", _fixture_timelines(), ids=lambda p: p.name)
def test_sketch_of_real_timelines_is_the_full_read_or_nothing(tmp_path: Path,
                                                               src: Path) -> None:
    """Every real editor's timeline, written as OTIO JSON: the sketch is exactly what
    the full read lays out, or quickread says it does not cover the file."""
    try:
        loaded = read_timeline(src)
    except TimelineError:
        pytest.skip("the fixture does not read here")
    path = src if src.suffix == ".otio" else tmp_path / f"{src.stem}.otio"
    if path != src:
        otio.adapters.write_to_file(loaded.timeline, str(path))
    rate = loaded.rate if src.suffix.lower() == ".edl" else None
    sketch = _sketch_of(path, rate)
    if sketch is not None:
        _same(sketch, services.read_session(path, rate=rate))


@pytest.mark.parametrize("text", [
    "not json", "[]", '{"OTIO_SCHEMA": "SerializableCollection.1", "children": []}',
    '{"OTIO_SCHEMA": "Timeline.2", "tracks": null}',
])
def test_sketch_refuses_what_it_does_not_cover(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.otio"
    path.write_text(text, encoding="utf-8")
    assert quickread.sketch_file(str(path)) is None
    assert quickread.run([str(path)]) == 3


def test_sketch_refuses_nested_track_without_range(tmp_path: Path) -> None:
    track = otio.schema.Track(name="V1")
    inner = otio.schema.Track(name="inner")
    inner.append(otio.schema.Gap(duration=otio.opentime.RationalTime(10, RATE)))
    track.append(inner)
    path = tmp_path / "nested.otio"
    otio.adapters.write_to_file(otio.schema.Timeline(tracks=[track]), str(path))
    assert quickread.sketch_file(str(path)) is None


def test_sketch_process_round_trip_and_opt_out(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = _timeline(tmp_path / "cut.otio", clips=40)
    assert services.start_sketch(path) is None  # small: read the usual way
    proc = services.start_sketch(path, min_bytes=0)
    assert proc is not None
    sketch = services.wait_sketch(proc, path)
    assert proc.returncode == 0 and sketch is not None
    _same(sketch, services.read_session(path))
    monkeypatch.setenv("PICKUP_PANEL_SKETCH", "0")
    assert services.start_sketch(path, min_bytes=0) is None
    monkeypatch.delenv("PICKUP_PANEL_SKETCH")
    assert services.sketch_command(tmp_path / "cut.xml", min_bytes=0) is None
    odd = tmp_path / "odd.otio"
    odd.write_text("[]", encoding="utf-8")
    proc = services.start_sketch(odd, min_bytes=0)
    assert proc is not None
    assert services.wait_sketch(proc, odd) is None and proc.returncode == 3


# -- the panel --------------------------------------------------------------------------------
def test_launch_draws_the_sketch_then_reads_and_builds_the_parts(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "SKETCH_MIN_BYTES", 0)
    path = _timeline(tmp_path / "cut.otio")
    seen: list[object] = []
    window = PanelWindow(timeline=path)
    qtbot.addWidget(window)
    panel = window.panel
    panel.controller.timelineSketched.connect(seen.append)
    panel.controller.timelineRead.connect(seen.append)
    assert panel.parts_built() == 0  # made after the strip shows the timeline
    strip = panel.strip
    painted: list[object] = []
    strip.painted.connect(lambda: painted.append(strip.view))
    window.show()
    qtbot.waitUntil(lambda: bool(painted), timeout=20000)
    first = painted[0]
    assert isinstance(first, Sketch)
    qtbot.waitUntil(lambda: panel.controller.session is not None, timeout=20000)
    session = panel.controller.session
    assert session is not None
    _same(first, session)
    assert [type(v) for v in seen] == [Sketch, Session]
    qtbot.waitUntil(lambda: panel.parts_built() == 4, timeout=5000)
    # The parts work: the first slot is selected and shown, its takes and jobs empty.
    assert panel.selected == session.slots[0].id
    assert panel.inspector.title.text().startswith(session.slots[0].id)
    assert panel.inspector.parent() is panel._middle and panel._middle.count() == 3
    assert panel.split.widget(2) is panel.jobs
    assert isinstance(strip.view, Session)
    assert panel.close_panel()


def test_launch_of_a_file_quickread_refuses_reads_it_the_usual_way(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "SKETCH_MIN_BYTES", 0)
    track = otio.schema.Track(name="V1")
    inner = otio.schema.Track(name="inner")
    inner.append(otio.schema.Clip(name="a", source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, RATE), otio.opentime.RationalTime(24, RATE))))
    track.append(inner)
    path = tmp_path / "nested.otio"
    otio.adapters.write_to_file(otio.schema.Timeline(tracks=[track]), str(path))
    sketched: list[object] = []
    panel = PickupPanel(timeline=path)
    qtbot.addWidget(panel)
    panel.controller.timelineSketched.connect(sketched.append)
    panel.show()
    qtbot.waitUntil(lambda: panel.controller.session is not None or bool(panel.last_error),
                    timeout=20000)
    assert not panel.last_error and not sketched
    assert panel.strip.view is panel.controller.session
    assert panel.close_panel()


def test_closing_while_sketching_ends_the_process(qtbot, tmp_path: Path) -> None:
    path = _timeline(tmp_path / "cut.otio", clips=40)
    proc = services.start_sketch(path, min_bytes=0)
    assert proc is not None
    panel = PickupPanel(timeline=path, sketcher=proc)
    qtbot.addWidget(panel)
    assert panel.close_panel()  # at once: the sketch may still be running
    assert proc.returncode is not None  # ended and reaped: no zombie
    assert panel.controller.session is None


def test_parts_are_made_when_first_needed(qtbot, tmp_path: Path) -> None:
    path = _timeline(tmp_path / "cut.otio", clips=20)
    panel = PickupPanel(timeline=path)
    qtbot.addWidget(panel)
    assert panel.parts_built() == 0
    player = panel.player  # asked for before its turn: made now, in its place
    assert panel.parts_built() == 1 and panel._middle.indexOf(player) == 2
    assert panel._middle.count() == 3  # the others' stand-ins hold their places
    takes = panel.takes
    assert panel._middle.indexOf(takes) == 1
    assert panel.jobs is panel.jobs and panel.split.widget(2) is panel.jobs
    qtbot.waitUntil(lambda: panel.controller.session is not None, timeout=20000)
    assert panel.parts_built() == 4
    assert [panel._middle.widget(i) for i in range(3)] == [panel.inspector, takes, player]
    assert panel.close_panel()


def test_empty_panel_builds_everything_at_once(qtbot) -> None:
    panel = PickupPanel()
    qtbot.addWidget(panel)
    assert panel.parts_built() == 4


# -- the strip ----------------------------------------------------------------------------------
def test_strip_paints_every_track_and_merges_subpixel_items(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _timeline(tmp_path / "cut.otio", clips=1500, tracks=4, audio=2)
    panel = PickupPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()
    panel.open(path)
    qtbot.waitUntil(lambda: panel.controller.session is not None, timeout=30000)
    session = panel.controller.session
    assert session is not None
    strip = panel.strip
    rows_h = strip._top() + strip.track_h * len(session.tracks)
    strip.setMinimumHeight(rows_h + 40)
    panel.split.setSizes([rows_h + 60, 300, 100])
    qtbot.waitUntil(lambda: strip.canvas.height() >= rows_h)
    strip.fit()
    fills: list[tuple[str, float, float]] = []
    real_fill = strip._fill

    def counting(p, kind, x0, x1, *rest):  # type: ignore[no-untyped-def]
        fills.append((kind, x0, x1))
        return real_fill(p, kind, x0, x1, *rest)

    monkeypatch.setattr(strip, "_fill", counting)
    image = strip.canvas.grab().toImage()
    # ~1,500 items a track, under a pixel each: merged runs, a handful of fills a track.
    items = sum(len(t.starts) for t in session.tracks)
    assert 0 < len(fills) < items / 10
    # Every track's row has item colour from the label to the right end.
    background = image.pixelColor(image.width() - 1, 5).name()
    for row in range(len(session.tracks)):
        y = strip._top() + row * strip.track_h + strip.track_h // 2
        colours = {image.pixelColor(x, y).name() for x in range(strip.label_w + 6,
                                                                 strip.canvas.width() - 4, 25)}
        assert colours - {background, "#18191c"}, f"row {row} is empty"
    # A slot is still clicked where it is drawn, zoomed out as far as it goes.
    slot = session.slots[1]
    rect = strip.slot_rect(slot.id)
    assert rect is not None and rect.width() >= 3
    clicked: list[str] = []
    strip.slotClicked.connect(clicked.append)
    qtbot.mouseClick(strip.canvas, Qt.MouseButton.LeftButton,
                     pos=QPointF(rect.center()).toPoint())
    assert clicked == [slot.id]
    # Zoomed in, items are drawn one by one again, with their names.
    fills.clear()
    strip.zoom(30.0, strip.x_of(slot.start))
    strip.canvas.grab()
    narrow = [f for f in fills if f[2] - f[1] < 2]  # at most cut at either edge
    assert fills and len(narrow) <= 2 * len(session.tracks)
    assert panel.close_panel()
