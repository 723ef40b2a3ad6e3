"""The strip reads like an NLE's: rows that fit names, distinct slot colours, adjacent
slots kept apart, labels that never collide, whole-timecode ruler ticks, markers, a
playhead that follows the player, zoom; the slot list beside it; the player follows."""

from __future__ import annotations

import itertools
from pathlib import Path

import opentimelineio as otio
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFontMetricsF

from pickup.ui.panel import PickupPanel
from pickup.ui.player import slate_text
from pickup.ui.services import Segment
from pickup.ui.strip import tick_steps
from pickup.ui.theme import ITEM_COLOURS, STATUS_COLOURS

RATE = 24


def _distance(a: str, b: str) -> float:
    ca, cb = QColor(a), QColor(b)
    return ((ca.red() - cb.red()) ** 2 + (ca.green() - cb.green()) ** 2
            + (ca.blue() - cb.blue()) ** 2) ** 0.5


def _rt(frames: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, RATE)


def _clip(name: str, frames: int) -> otio.schema.Clip:
    return otio.schema.Clip(
        name=name, media_reference=otio.schema.ExternalReference(
            target_url=f"/nowhere/{name}.mov"),
        source_range=otio.opentime.TimeRange(_rt(0), _rt(frames)))


def _gap(frames: int, prompt: str) -> otio.schema.Gap:
    gap = otio.schema.Gap(source_range=otio.opentime.TimeRange(_rt(0), _rt(frames)))
    gap.markers.append(otio.schema.Marker(
        name=f"GEN insert: {prompt}",
        marked_range=otio.opentime.TimeRange(_rt(0), _rt(frames))))
    return gap


def _adjacent(path: Path, start_tc: int = 86393) -> Path:
    """A cut starting at an odd frame (00:59:59:17 at 24 fps, as EDLs do) with two
    adjacent 16-frame slots between long clips and a red marker on the first clip."""
    track = otio.schema.Track(name="V1")
    first = _clip("A001_intro", 240)
    first.markers.append(otio.schema.Marker(
        name="check focus", color="RED",
        marked_range=otio.opentime.TimeRange(_rt(100), _rt(0))))
    for item in (first, _gap(16, "a door opens"), _gap(16, "a hand on the latch"),
                 _clip("A002_end", 240)):
        track.append(item)
    tl = otio.schema.Timeline(name="adjacent")
    tl.tracks.append(track)
    tl.global_start_time = _rt(start_tc)
    otio.adapters.write_to_file(tl, str(path))
    return path


@pytest.fixture
def panel(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    widget = PickupPanel(size=(160, 90))
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    widget.open(_adjacent(tmp_path / "adjacent.otio"))
    qtbot.waitUntil(lambda: widget.controller.model is not None, timeout=20000)
    yield widget
    widget.close_panel()


def test_slot_colours_are_not_clip_colours() -> None:
    for status, c in STATUS_COLOURS.items():
        for kind, k in ITEM_COLOURS.items():
            assert _distance(c, k) > 90, (status, kind)
    assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)


def test_rows_fit_names_and_adjacent_slots_stay_apart(qtbot, panel: PickupPanel) -> None:
    strip = panel.strip
    fm = QFontMetricsF(strip._font)
    assert strip.track_h >= fm.height() + 8
    first, second = panel.controller.model.order  # type: ignore[union-attr]
    # Zoomed out: each 16-frame slot is a few pixels; they are still two boxes with a
    # gap of background between them, and each is clickable.
    strip.fit()
    a, b = strip.slot_rect(first), strip.slot_rect(second)
    assert a is not None and b is not None
    assert a.right() < b.left()
    image = strip.canvas.grab().toImage()
    y = int(a.center().y())
    between = image.pixelColor(int((a.right() + b.left()) / 2), y).name()
    assert between not in STATUS_COLOURS.values()
    qtbot.mouseClick(strip.canvas, Qt.MouseButton.LeftButton, pos=b.center().toPoint())
    assert panel.selected == second
    # Labels in the lane never overlap, and the selected slot's is always there.
    strip.canvas.grab()
    spans = sorted(strip.label_spans, key=lambda s: s[1])
    assert second in [s[0] for s in spans]
    for (_, _, right), (_, left, _) in itertools.pairwise(spans):
        assert right <= left
    # Zoomed to the slot, both boxes carry their state in words.
    strip.fit_slot()
    assert strip.slot_rect(second).width() > 100  # type: ignore[union-attr]
    strip.canvas.grab()
    assert {s[0] for s in strip.label_spans} == {first, second}


def test_ruler_ticks_land_on_whole_timecode_units(qtbot, panel: PickupPanel) -> None:
    assert tick_steps(24)[:7] == [1, 2, 3, 4, 6, 8, 12]
    assert tick_steps(25)[:3] == [1, 5, 25]
    strip = panel.strip
    start = panel.controller.session.start_frame  # type: ignore[union-attr]
    assert start % 24 != 0  # the cut starts at an odd frame, like an EDL's
    for zoom in (1.0, 4.0, 0.5):
        strip.fit()
        strip.zoom(zoom)
        strip.canvas.grab()
        ticks = strip.tick_frames
        assert len(ticks) >= 2
        step = ticks[1] - ticks[0]
        assert step in tick_steps(24)
        assert all(t % step == 0 for t in ticks)
        if step >= 24:
            assert all(t % 24 == 0 for t in ticks)  # ...:00 frames, whole seconds


def test_markers_drawn_and_playhead_follows_player(qtbot, panel: PickupPanel) -> None:
    strip = panel.strip
    qtbot.waitUntil(lambda: bool(strip.markers), timeout=10000)
    marker = strip.markers[0]
    assert (marker.frame, marker.name) == (100, "check focus")
    strip.fit()
    image = strip.canvas.grab().toImage()
    x = int(strip.x_of(marker.frame))
    assert image.pixelColor(x, 13).name() == marker.colour
    assert "check focus" in strip.tip_at(x, 12)
    # The player shows the selected slot: the playhead is at the slot's first frame.
    slot = panel.controller.model[panel.selected].slot  # type: ignore[index]
    qtbot.waitUntil(lambda: strip.playhead == slot.start, timeout=5000)
    panel.player.step(5)
    assert strip.playhead == slot.start + 5
    image = strip.canvas.grab().toImage()
    assert image.pixelColor(int(strip.x_of(slot.start + 5)), 40).name() == "#ff3b3b"
    # A click on the ruler moves the player there (zoomed in: a frame is many pixels).
    strip.fit_slot()
    qtbot.mouseClick(strip.canvas, Qt.MouseButton.LeftButton,
                     pos=QPointF(strip.x_of(slot.start + 2) + 0.5, 5).toPoint())
    assert panel.player.playlist is not None
    assert panel.player.position == slot.start + 2 - (
        panel.player.playlist.start_frame - panel.controller.session.start_frame)  # type: ignore[union-attr]


def test_zoom_keys_and_buttons(qtbot, panel: PickupPanel) -> None:
    strip = panel.strip
    strip.setFocus()
    strip.fit()
    fitted = strip.scale
    qtbot.keyClick(strip, Qt.Key.Key_Plus)
    assert strip.scale == pytest.approx(fitted * 1.5)
    qtbot.keyClick(strip, Qt.Key.Key_Minus)
    assert strip.scale == pytest.approx(fitted)
    qtbot.keyClick(strip, Qt.Key.Key_F, Qt.KeyboardModifier.ShiftModifier)
    slot = panel.controller.model[panel.selected].slot  # type: ignore[index]
    assert strip.slot_rect(slot.id).width() == pytest.approx(  # type: ignore[union-attr]
        strip._width() / 3, abs=3)
    qtbot.mouseClick(strip.fit_button, Qt.MouseButton.LeftButton)
    assert strip.scale == pytest.approx(fitted)
    qtbot.mouseClick(strip.zoom_in_button, Qt.MouseButton.LeftButton)
    assert strip.scale > fitted
    for b in (strip.fit_button, strip.fit_slot_button, strip.zoom_in_button,
              strip.zoom_out_button):
        assert b.toolTip() and b.accessibleName()


def test_slot_list_sorts_and_selects(qtbot, panel: PickupPanel) -> None:
    model = panel.controller.model
    assert model is not None
    first, second = model.order
    rows = panel.slot_list
    assert rows.items.rowCount() == 2
    assert rows.slot_at(0) == first  # sorted by record in
    rows.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert rows.slot_at(0) == second
    index = rows.proxy.index(0, 0)
    qtbot.mouseClick(rows.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=rows.table.visualRect(index).center())
    assert panel.selected == second
    assert panel.inspector.title.text().startswith(second)
    # ] and [ step through the slots, and the list follows.
    panel.strip.setFocus()
    qtbot.keyClick(panel.strip, Qt.Key.Key_BracketLeft)
    assert panel.selected == first
    assert rows.table.currentIndex().data(Qt.ItemDataRole.UserRole) == first


def test_slate_texts() -> None:
    offline = Segment("prev", "A001", None, 0, 10, offline="A001_C003.mov")
    assert slate_text(offline, set()) == "MEDIA OFFLINE\nA001_C003.mov"
    empty = Segment("take", "S1 (empty)", None, 0, 10)
    assert slate_text(empty, set()).startswith("NO TAKE YET")
    online = Segment("next", "A002", Path("/m/a.mov"), 0, 10)
    assert slate_text(online, set()) == ""
    assert slate_text(online, {"/m/a.mov"}) == "MEDIA OFFLINE\na.mov"


def test_offline_neighbour_shows_a_slate_naming_the_file(qtbot, panel: PickupPanel) -> None:
    player = panel.player
    qtbot.waitUntil(lambda: player.playlist is not None, timeout=5000)
    assert player.playlist is not None
    assert player.playlist.segments[0].offline == "A001_intro.mov"
    player.seek(0)
    qtbot.waitUntil(lambda: player.shown_index == 0, timeout=5000)
    assert player.view.slate == "MEDIA OFFLINE\nA001_intro.mov"
    image = player.view.grab().toImage()
    centre = image.pixelColor(image.width() // 2, image.height() // 2 - 60)
    assert centre.name() != "#000000"  # the slate's red field, not a black frame


def test_player_and_strip_follow_generation_and_take_choice(qtbot, example: Path) -> None:
    panel = PickupPanel(size=(160, 90))
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    panel.open(example)
    qtbot.waitUntil(lambda: panel.controller.model is not None, timeout=20000)
    model = panel.controller.model
    assert model is not None
    slot_id = panel.selected
    assert slot_id is not None
    player = panel.player
    qtbot.waitUntil(lambda: player.playlist is not None, timeout=5000)
    take_seg = next(s for s in player.playlist.segments if s.role == "take")  # type: ignore[union-attr]
    assert take_seg.path is None  # nothing made yet: the empty slot
    model[slot_id].takes_wanted = 2
    qtbot.mouseClick(panel.inspector.generate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(model[slot_id].takes) == 2
                    and not panel.controller.running(), timeout=60000)

    def shown_take():  # type: ignore[no-untyped-def]
        assert player.playlist is not None
        return next(s for s in player.playlist.segments if s.role == "take").path

    # The status bar says the work is done (not "planning…" from the start).
    qtbot.waitUntil(lambda: panel.status.text().startswith("done: 2 take(s) ready"),
                    timeout=5000)
    # Without pressing P, the player shows a take that was made.
    assert shown_take() in {t.path for t in model[slot_id].takes}
    t1, t2 = model[slot_id].takes
    # Use take 2 from the gallery: the player loads it at once, the strip and the slot
    # list name it as the take in the cut.
    panel.takes.select_take(2)
    qtbot.mouseClick(panel.takes.use, Qt.MouseButton.LeftButton)
    assert shown_take() == t2.path
    assert panel._label_of(slot_id) == "T02 in cut"
    row = panel.slot_list._rows[slot_id]
    assert panel.slot_list.items.item(row, 5).text() == "T02"
    panel.takes.select_take(1)
    qtbot.mouseClick(panel.takes.approve, Qt.MouseButton.LeftButton)
    assert shown_take() == t1.path
    assert panel._label_of(slot_id) == "T01 approved"
    panel.undo.undo()  # back to T02 in the cut: the player follows the undo too
    assert shown_take() == t2.path
    panel.close_panel()


def test_gallery_thumbnails_never_overlap_and_keep_the_in_use_colour(qtbot) -> None:

    from pickup.timeline import Slot
    from pickup.ui.model import SlotState
    from pickup.ui.services import TakeRecord

    slot = Slot(id="S1", track="V1", track_index=1, stack_index=0, track_name="V1",
                start=0, duration=48, rate=24.0, kind=None, prompt="p", mark="marker",
                item="gap", item_name="")
    state = SlotState(slot=slot, prompt="p")
    for n in (1, 2, 3):
        state.add_take(TakeRecord(number=n, path=Path(f"/t/S1_T{n:02d}.mov"),
                                  provider="previz", prompt="p", frames=48))
    state.chosen = 2
    from PySide6.QtWidgets import QApplication

    from pickup.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, palette, sheet = app.style().name(), app.palette(), app.styleSheet()
    apply_theme(app)  # the panel's look: the highlight is where the colour got lost
    try:
        _gallery_checks(qtbot, state)
    finally:
        app.setStyleSheet(sheet)
        app.setPalette(palette)
        app.setStyle(style)


def _gallery_checks(qtbot, state) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImage

    from pickup.ui.takes import TakesGallery

    gallery = TakesGallery()
    qtbot.addWidget(gallery)
    gallery.resize(600, 300)
    gallery.show()
    gallery.show_state(state)
    # thumbnails arrive one by one, after the first layout (as from the decoder)
    for n in (1, 2, 3):
        image = QImage(160, 90, QImage.Format.Format_RGB32)
        image.fill(QColor("#808080"))
        gallery.set_image(f"take:/t/S1_T{n:02d}.mov", image)
        qtbot.wait(10)
    rects = [gallery.list.visualItemRect(gallery.list.item(i)) for i in range(3)]
    for a in range(3):
        for b in range(a + 1, 3):
            assert not rects[a].intersects(rects[b]), (rects[a], rects[b])
    # the take in use, selected, is still drawn in the in-use colour
    gallery.select_take(2)
    item = gallery.list.item(1)
    option_brush = item.foreground()
    assert option_brush.color() == QColor(STATUS_COLOURS["takes"])
    image = gallery.list.viewport().grab().toImage()
    r = rects[1]
    pixels = [image.pixelColor(x, y) for x in range(r.left(), r.right())
              for y in range(r.bottom() - 30, r.bottom())]
    # green text on the blue selection: some pixels are clearly green, not blue/white
    assert any(c.green() > c.red() + 60 and c.green() > c.blue() + 20 for c in pixels)


def test_clips_with_online_media_show_a_picture(qtbot, example: Path,
                                                 panel: PickupPanel) -> None:
    # offline media (the adjacent-slots cut points at /nowhere): no pictures asked for
    qtbot.wait(300)
    assert panel.strip.clip_media == {} and panel.strip.thumbs == {}
    online = PickupPanel(size=(160, 90))
    qtbot.addWidget(online)
    online.resize(1200, 760)
    online.show()
    online.open(example)
    qtbot.waitUntil(lambda: online.controller.model is not None, timeout=20000)
    strip = online.strip
    qtbot.waitUntil(lambda: len(strip.clip_media) == 3, timeout=10000)
    assert all(Path(str(p)).is_file() for p, _ in strip.clip_media.values())
    strip.fit()
    strip.canvas.grab()  # asks for the pictures of the clips wide enough
    qtbot.waitUntil(lambda: len(strip.thumbs) == 3, timeout=20000)
    image = strip.canvas.grab().toImage()
    track = strip.view.tracks[0]  # type: ignore[union-attr]
    x = int(strip.x_of(track.starts[0])) + 6
    y = strip._top() + strip.track_h // 2
    assert image.pixelColor(x, y).name() != ITEM_COLOURS["clip"]  # a picture, not the fill
    online.close_panel()
