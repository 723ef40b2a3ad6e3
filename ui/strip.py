"""The timeline strip: every track's clips and gaps to scale, slots coloured by status.

Draws only what is visible (items are found by bisection), and runs of items of one
kind narrower than a pixel or two as one rectangle, so a 10,000-clip timeline paints
as fast as a 10-clip one.  Ctrl+wheel or +/- zooms around the pointer, the wheel
scrolls, a click selects a slot, ``F`` fits the whole sequence, ``Shift+F`` the selected
slot.  Rows are as tall as their names need; a label lane under the ruler names every
slot whose label has room (labels never overlap; the selected slot's always shows);
slots are inset from each other, so adjacent slots stay two boxes; the ruler's ticks
fall on whole timecode units; markers are drawn on the ruler; the playhead follows the
preview player.

It draws a :class:`~pickup.ui.services.Session` or, while the file is still being
read, its :class:`~pickup.ui.services.Sketch` (the same tracks, no slots yet).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollBar,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from pickup.timeline import frames_to_timecode
from pickup.ui.markers import MarkerView
from pickup.ui.services import Session, Sketch
from pickup.ui.theme import ITEM_COLOURS, PLAYHEAD_COLOUR, colour

__all__ = ["TimelineStrip", "tick_steps"]

_RULER = 18
#: clips at least this wide show a picture of their media at their head
_THUMB_MIN_PX = 90
#: ruler steps in whole seconds (x the timecode base), after the sub-second ones
_SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def tick_steps(rate: float) -> list[int]:
    """Ruler steps in frames that land on whole timecode units at ``rate``: divisors of
    the timecode base (frames within a second), then whole seconds and minutes."""
    base = max(1, round(rate))
    return [d for d in range(1, base) if base % d == 0] + [base * s for s in _SECOND_STEPS]
#: items narrower than this many pixels are drawn merged with their neighbours of the
#: same kind (their 1 px separators would cover them anyway)
_MERGE_PX = 2.0
#: drawn over a merged run of clips: a fine texture of separator-coloured dots
_DENSE_COLOUR, _DENSE_STYLE = "#18191c", Qt.BrushStyle.Dense6Pattern


def _path(view: Session | Sketch) -> object:
    return view.path if isinstance(view, Sketch) else view.loaded.path


class _Canvas(QWidget):
    def __init__(self, strip: TimelineStrip) -> None:
        super().__init__(strip)
        self.strip = strip
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.strip.paint(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.strip.click(event.position().x(), event.position().y())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        tip = self.strip.tip_at(event.position().x(), event.position().y())
        if tip:
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        else:
            QToolTip.hideText()

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.strip.wheel(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.strip.menu_at(event.pos().x(), event.pos().y())
        if menu is not None:
            menu.exec(event.globalPos())


def _tool(parent: QWidget, text: str, tip: str, name: str) -> QToolButton:
    b = QToolButton(parent)
    b.setText(text)
    b.setToolTip(tip)
    b.setAccessibleName(name)
    b.setAutoRaise(True)
    return b


class TimelineStrip(QWidget):
    """See the module docstring.  ``status_of(slot_id)`` gives a slot's status,
    ``label_of(slot_id)`` what its box says (e.g. ``T02 approved``)."""

    slotClicked = Signal(str)
    #: the strip has been painted with a new view for the first time
    painted = Signal()
    #: the ruler was clicked at this frame (from the sequence start)
    seekRequested = Signal(int)
    #: a clip's picture is wanted: key, media path, frame index (decoded elsewhere)
    thumbnailWanted = Signal(str, object, int)
    #: "Mark as slot…" on a track item: stack index, item index
    markWanted = Signal(int, int)
    #: "Unmark" on a slot marked in Pickup: slot id
    unmarkWanted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: what is drawn: the session, or its sketch while the file is being read
        self.view: Session | Sketch | None = None
        #: when the strip was first painted with the current view (perf_counter)
        self.painted_at: float | None = None
        self._rows: dict[int, int] = {}  # stack index -> row
        self._brushes = {kind: QBrush(QColor(c)) for kind, c in ITEM_COLOURS.items()}
        self._hatch = QBrush(QColor("#5c5c5c"), Qt.BrushStyle.BDiagPattern)
        self._audio_brush = QBrush(QColor("#2f4a3f"))
        self._dense_brush = QBrush(QColor(_DENSE_COLOUR), _DENSE_STYLE)
        self._bg, self._label_bg = QColor("#18191c"), QColor("#26292e")
        self._label_pen, self._text_pen = QColor("#a9aeb6"), QColor("#c3c7ce")
        self._playhead_pen = QPen(QColor(PLAYHEAD_COLOUR), 1)
        self.status_of: Callable[[str], str] = lambda _: "empty"
        self.label_of: Callable[[str], str] = lambda slot_id: self.status_of(slot_id)
        self.selected: str | None = None
        self.markers: list[MarkerView] = []
        self._marker_frames: list[int] = []
        #: clips with online media: (stack index, item index) -> (path, frame)
        self.clip_media: dict[tuple[int, int], tuple[object, int]] = {}
        self.thumbs: dict[str, QImage] = {}
        self._asked: set[str] = set()
        #: what the last paint drew (for tests): slot labels (id, x0, x1), ruler ticks
        #: (absolute timecode frames)
        self.label_spans: list[tuple[str, float, float]] = []
        self.tick_frames: list[int] = []
        #: the playhead, in frames from the sequence start (None: not shown)
        self.playhead: float | None = None
        self.scale = 1.0  # pixels per frame
        self.offset = 0.0  # first visible frame
        self._fitted = False
        self._font = QFont(self.font())
        if self._font.pixelSize() > 0:  # the style sheet sets sizes in pixels
            self._font.setPixelSize(max(9, self._font.pixelSize() - 1))
        else:
            self._font.setPointSizeF(max(7.0, self._font.pointSizeF() - 1.0))
        fm = QFontMetricsF(self._font)
        self._fm = fm
        #: row height: the clip name's line and room above and below it
        self.track_h = int(fm.height() + 12)
        self.lane_h = int(fm.height() + 4)  # the slot label lane under the ruler
        self.label_w = 34
        self.canvas = _Canvas(self)
        self.bar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.bar.setAccessibleName("Timeline scroll")
        self.bar.valueChanged.connect(self._scrolled)
        tools = QHBoxLayout()
        tools.setContentsMargins(4, 0, 4, 0)
        tools.setSpacing(2)
        self.zoom_label = QLabel("", self)
        self.zoom_label.setObjectName("muted")
        self.fit_button = _tool(self, "Fit", "Fit the whole sequence (F)", "Fit all")
        self.fit_slot_button = _tool(self, "Slot", "Zoom to the selected slot (Shift+F)",
                                     "Fit slot")
        self.zoom_out_button = _tool(self, "−", "Zoom out (-, Ctrl+wheel)", "Zoom out")
        self.zoom_in_button = _tool(self, "+", "Zoom in (+, Ctrl+wheel)", "Zoom in")
        self.fit_button.clicked.connect(self.fit)
        self.fit_slot_button.clicked.connect(self.fit_slot)
        self.zoom_out_button.clicked.connect(lambda: self.zoom(1 / 1.5))
        self.zoom_in_button.clicked.connect(lambda: self.zoom(1.5))
        tools.addWidget(self.zoom_label, 1)
        for b in (self.fit_button, self.fit_slot_button, self.zoom_out_button,
                  self.zoom_in_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the strip itself takes the keys
            tools.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(tools)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.bar)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Timeline strip")
        self.setToolTip("")
        self.setMinimumHeight(self._top() + self.track_h + 40)

    def _top(self) -> int:
        """Where the first track row starts: under the ruler and the label lane."""
        return _RULER + self.lane_h

    # -- data ------------------------------------------------------------------------------
    def set_view(self, view: Session | Sketch) -> None:
        """Draw ``view``: fitted to the width, or where it was when it is the same file
        and length as the view before (its sketch, or the session before its slots)."""
        same = self.view is not None and _path(self.view) == _path(view) \
            and self.view.duration == view.duration
        if not same:
            self.markers, self._marker_frames = [], []
            self.clip_media = {}
            self.playhead = None
        self.view = view
        self.painted_at = None
        self._rows = {t.stack_index: row for row, t in enumerate(view.tracks)}
        fm = self._fm
        self.label_w = int(max([34.0] + [fm.horizontalAdvance(t.label) + 12
                                         for t in view.tracks]))
        rows = min(len(view.tracks), 3)
        self.setMinimumHeight(self._top() + max(1, rows) * self.track_h + 40)
        if same:
            self._set_offset(self.offset)
        else:
            self.fit()

    set_session = set_view

    def set_markers(self, markers: list[MarkerView]) -> None:
        self.markers = list(markers)
        self._marker_frames = [m.frame for m in self.markers]
        self.canvas.update()

    def set_clip_media(self, media: dict[tuple[int, int], tuple[object, int]]) -> None:
        self.clip_media = dict(media)
        self.canvas.update()

    def set_thumb(self, key: str, image: QImage) -> None:
        self.thumbs[key] = image
        self.canvas.update()

    def set_playhead(self, frame: float | None) -> None:
        """Move the playhead (frames from the sequence start); the view follows when it
        would leave the visible part."""
        if frame == self.playhead:
            return
        self.playhead = frame
        if frame is not None and self.view is not None:
            visible = self._width() / self.scale
            if frame < self.offset or frame > self.offset + visible:
                self._set_offset(frame - 0.25 * visible)
        self.canvas.update()

    @property
    def session(self) -> Session | None:
        """The session drawn, once the file is fully read (None while sketched)."""
        view = self.view
        return view if isinstance(view, Session) else None

    def select(self, slot_id: str | None) -> None:
        self.selected = slot_id
        slot = self._slot(slot_id)
        if slot is not None and self.view is not None:
            width = self._width()
            first, last = slot.start, slot.end
            if first < self.offset or last > self.offset + width / self.scale:
                self._set_offset(first - 0.25 * width / self.scale)
        self.canvas.update()

    def _slot(self, slot_id: str | None):  # type: ignore[no-untyped-def]
        if self.view is None or slot_id is None:
            return None
        return next((s for s in self.view.slots if s.id == slot_id), None)

    # -- geometry ----------------------------------------------------------------------------
    def _width(self) -> float:
        return max(10.0, self.canvas.width() - self.label_w)

    def fit(self) -> None:
        if self.view is None:
            return
        self.scale = self._width() / max(1, self.view.duration)
        self._set_offset(0)
        self._fitted = True  # stays fitted when the strip is resized

    def fit_slot(self) -> None:
        """Zoom so the selected slot fills the middle third of the view."""
        slot = self._slot(self.selected)
        if slot is None or self.view is None:
            return
        self.scale = min(40.0, self._width() / 3 / max(1, slot.duration))
        visible = self._width() / self.scale
        self._set_offset(slot.start + slot.duration / 2 - visible / 2)

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        if self.view is None:
            return
        anchor_x = self._width() / 2 if anchor_x is None else anchor_x - self.label_w
        frame = self.offset + anchor_x / self.scale
        lo = self._width() / max(1, self.view.duration) * 0.5
        self.scale = min(40.0, max(lo, self.scale * factor))
        self._set_offset(frame - anchor_x / self.scale)

    def _set_offset(self, frame: float) -> None:
        self._fitted = False
        if self.view is None:
            return
        visible = self._width() / self.scale
        self.offset = max(0.0, min(frame, max(0.0, self.view.duration - visible)))
        self.bar.blockSignals(True)
        self.bar.setRange(0, int(max(0.0, self.view.duration - visible)))
        self.bar.setPageStep(max(1, int(visible)))
        self.bar.setSingleStep(max(1, int(visible / 20)))
        self.bar.setValue(int(self.offset))
        self.bar.blockSignals(False)
        fitted = visible >= self.view.duration
        self.zoom_label.setText("whole sequence" if fitted else
                                f"{visible / max(1.0, self.view.rate):.1f} s in view")
        self.canvas.update()

    def _scrolled(self, value: int) -> None:
        self._fitted = False
        self.offset = float(value)
        self.canvas.update()

    def x_of(self, frame: float) -> float:
        return self.label_w + (frame - self.offset) * self.scale

    def frame_at(self, x: float) -> float:
        return self.offset + (x - self.label_w) / self.scale

    def slot_rect(self, slot_id: str) -> QRectF | None:
        """Where a slot's box is drawn on the canvas (for clicks and tests): inset a pixel
        from each neighbour so adjacent slots stay apart, at least 3 px wide."""
        slot = self._slot(slot_id)
        if slot is None or self.view is None:
            return None
        row = self._rows.get(slot.stack_index)
        if row is None:
            return None
        x0, x1 = self.x_of(slot.start), self.x_of(slot.end)
        if x1 - x0 > 5:
            x0, x1 = x0 + 1, x1 - 1
        top = self._top() + row * self.track_h
        return QRectF(x0, top + 1, max(3.0, x1 - x0), self.track_h - 3)

    # -- input -------------------------------------------------------------------------------
    def _slot_at(self, x: float, y: float) -> str | None:
        if self.view is None:
            return None
        if _RULER <= y < self._top():  # the label lane: the slot under the pointer
            frame = self.frame_at(x)
            best = None
            for slot in self.view.slots:
                if slot.start - 2 / self.scale <= frame <= slot.end + 2 / self.scale:
                    if slot.id == self.selected:
                        return slot.id
                    best = best or slot.id
            return best
        for slot in self.view.slots:
            rect = self.slot_rect(slot.id)
            if rect is not None and rect.adjusted(-2, 0, 2, 0).contains(x, y):
                return slot.id
        return None

    def click(self, x: float, y: float) -> None:
        if self.view is None:
            return
        if y < _RULER and x >= self.label_w:
            self.seekRequested.emit(round(self.frame_at(x)))
            return
        slot_id = self._slot_at(x, y)
        if slot_id is not None:
            self.slotClicked.emit(slot_id)

    def item_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The track item under the pointer: (stack index, item index), or None."""
        view = self.view
        if view is None or y < self._top() or x < self.label_w:
            return None
        row = int((y - self._top()) // self.track_h)
        if not 0 <= row < len(view.tracks):
            return None
        track = view.tracks[row]
        index = track.index_at(int(self.frame_at(x)))
        return None if index is None else (track.stack_index, index)

    def item_at_frame(self, frame: int) -> tuple[int, int] | None:
        """The item ``M`` marks at ``frame``: the top-most video clip there, else the gap
        on the lowest video track (as ``pickup mark --at`` picks)."""
        view = self.view
        if view is None:
            return None
        tracks = sorted((t for t in view.tracks if t.video), key=lambda t: t.stack_index)
        hits = [(t, i) for t in tracks
                if (i := t.index_at(frame)) is not None and t.kinds[i] != "other"]
        clips = [h for h in hits if h[0].kinds[h[1]] != "gap"]
        chosen = clips[-1] if clips else (hits[0] if hits else None)
        if chosen is None:
            return None
        return chosen[0].stack_index, chosen[1]

    def slot_on(self, stack_index: int, index: int) -> str | None:
        """The slot on a track item (its id), if any."""
        view = self.view
        track = next((t for t in view.tracks if t.stack_index == stack_index), None) \
            if view is not None else None
        if view is None or track is None:
            return None
        start, end = track.starts[index], track.starts[index] + track.durations[index]
        for slot in view.slots:
            if slot.stack_index == stack_index and start <= slot.start < end:
                return slot.id
        return None

    def menu_at(self, x: float, y: float) -> QMenu | None:
        """The strip's context menu on the item under the pointer: "Mark as slot…" (or
        "Edit slot mark…" on a slot marked in Pickup) and "Unmark"."""
        if not isinstance(self.view, Session):
            return None
        hit = self.item_at(x, y)
        if hit is None:
            return None
        stack_index, index = hit
        track = next(t for t in self.view.tracks if t.stack_index == stack_index)
        slot_id = self.slot_on(stack_index, index)
        slot = self._slot(slot_id)
        marked = slot is not None and slot.mark == "project"
        menu = QMenu(self)
        menu.setAccessibleName("Strip menu")
        what = "gap" if track.kinds[index] == "gap" else "clip"
        mark = menu.addAction("Edit slot mark…" if marked else "Mark as slot…")
        mark.setShortcut("M")
        can_mark = track.video and track.kinds[index] != "other" and (slot is None or marked)
        mark.setEnabled(can_mark)
        mark.setToolTip(f"Make this {what} a slot with a kind and prompt, kept in the "
                        "project (the file is not changed)" if can_mark else
                        "Already a slot marked in the file" if slot is not None else
                        "Only gaps and clips on video tracks can be slots")
        mark.triggered.connect(lambda: self.markWanted.emit(stack_index, index))
        unmark = menu.addAction("Unmark")
        unmark.setShortcut("Shift+M")
        unmark.setEnabled(marked)
        if marked and slot_id is not None:
            unmark.triggered.connect(lambda: self.unmarkWanted.emit(slot_id))
        menu.setToolTipsVisible(True)
        return menu

    def tip_at(self, x: float, y: float) -> str:
        """The tooltip where the pointer is: a slot's id and state, or a marker."""
        if self.view is None:
            return ""
        if y < _RULER and self.markers:
            frame = self.frame_at(x)
            near = [m for m in self.markers
                    if abs(m.frame - frame) * self.scale <= 4]
            return "\n".join(f"marker: {m.name or '(no name)'}" for m in near[:5])
        slot_id = self._slot_at(x, y)
        if slot_id is None:
            return ""
        slot = self._slot(slot_id)
        assert slot is not None
        start = self.view.start_frame
        origin = " · marked in Pickup" if slot.mark == "project" else ""
        return (f"{slot.id} · {self.label_of(slot.id)}{origin}\n{slot.record_in(start)} – "
                f"{slot.record_out(start)} · {slot.duration} f\n{slot.prompt or ''}").strip()

    def wheel(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if delta > 0 else 0.8, event.position().x())
        else:
            self._set_offset(self.offset - delta / 120 * 60 / self.scale)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom(1 / 1.5)
        elif key == Qt.Key.Key_F and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.fit_slot()
        elif key == Qt.Key.Key_F:
            self.fit()
        elif key == Qt.Key.Key_M and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            if self.selected is not None:
                slot = self._slot(self.selected)
                if slot is not None and slot.mark == "project":
                    self.unmarkWanted.emit(slot.id)
        elif key == Qt.Key.Key_M:
            hit = self.item_at_frame(int(self.playhead)) if self.playhead is not None \
                else None
            if hit is None and self.selected is not None:
                slot = self._slot(self.selected)
                hit = self.item_at_frame(slot.start) if slot is not None else None
            if hit is not None:
                self.markWanted.emit(*hit)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self.view is not None:
            if self._fitted:
                self.fit()
            else:
                self._set_offset(self.offset)

    # -- painting ------------------------------------------------------------------------------
    def paint(self, canvas: QWidget) -> None:
        p = QPainter(canvas)
        p.fillRect(canvas.rect(), self._bg)
        p.setFont(self._font)
        view = self.view
        if view is None:
            p.setPen(QColor("#8b9099"))
            p.drawText(canvas.rect(), Qt.AlignmentFlag.AlignCenter,
                       "Open a timeline (Ctrl+O) to see its slots")
            p.end()
            return
        self._paint_ruler(p, canvas.width())
        first_frame = self.offset
        last_frame = self.offset + self._width() / self.scale
        scale, offset = self.scale, self.offset
        label_w, track_h, top0 = self.label_w, self.track_h, self._top()
        align = Qt.AlignmentFlag.AlignVCenter
        p.fillRect(QRectF(0, _RULER, canvas.width(), self.lane_h - 1), QColor("#1b1c20"))
        for row, track in enumerate(view.tracks):
            y = top0 + row * track_h
            if y > canvas.height():
                break
            p.fillRect(QRectF(0, y, label_w - 2, track_h - 1), self._label_bg)
            p.setPen(self._label_pen)
            p.drawText(QRectF(4, y, label_w - 6, track_h - 1), align, track.label)
            starts, durations, kinds, names = (track.starts, track.durations, track.kinds,
                                               track.names)
            lo = max(0, bisect.bisect_right(starts, first_frame) - 1)
            hi = bisect.bisect_right(starts, last_frame)
            p.setPen(self._text_pen)
            top, height = y + 1, track_h - 3
            run_kind: str | None = None  # a run of narrow items of one kind, not drawn yet
            run_x0 = run_x1 = 0.0
            run_n = 0
            drawn_to = -1.0
            video = track.video
            media = video and bool(self.clip_media)
            for i in range(lo, hi):
                x0 = label_w + (starts[i] - offset) * scale
                x1 = x0 + durations[i] * scale
                if x0 < label_w:
                    x0 = label_w
                if x1 <= x0:
                    continue
                kind = kinds[i]
                if x1 - x0 < _MERGE_PX:
                    if kind == run_kind:
                        run_x1 = x1
                        run_n += 1
                        continue
                    if run_kind is not None:
                        drawn_to = self._fill(p, run_kind, run_x0, run_x1, top, height,
                                              video, drawn_to, run_n > 1)
                    run_kind, run_x0, run_x1, run_n = kind, x0, x1, 1
                    continue
                if run_kind is not None:
                    drawn_to = self._fill(p, run_kind, run_x0, run_x1, top, height, video,
                                          drawn_to, run_n > 1)
                    run_kind = None
                drawn_to = self._fill(p, kind, x0, x1, top, height, video, drawn_to)
                text_x = x0 + 3
                if media and x1 - x0 >= _THUMB_MIN_PX and kind == "clip":
                    text_x = self._thumb(p, track.stack_index, i, x0, top, height, text_x)
                if x1 - text_x > 28 and kind != "gap" and names[i]:
                    p.drawText(QRectF(text_x, top, x1 - text_x - 3, height), align, names[i])
            if run_kind is not None:
                self._fill(p, run_kind, run_x0, run_x1, top, height, video, drawn_to,
                           run_n > 1)
        self._paint_slots(p, view, first_frame, last_frame)
        self._paint_markers(p, canvas.height())
        if self.playhead is not None and first_frame <= self.playhead <= last_frame:
            x = int(self.x_of(self.playhead))
            p.setPen(self._playhead_pen)
            p.drawLine(x, 0, x, canvas.height())
            p.setBrush(QColor(PLAYHEAD_COLOUR))
            p.drawPolygon(QPolygonF([QPointF(x - 5, 0), QPointF(x + 5, 0),
                                     QPointF(x, 7)]))
        p.end()
        if self.painted_at is None:
            self.painted_at = time.perf_counter()
            self.painted.emit()

    def _thumb(self, p: QPainter, stack_index: int, index: int, x0: float, top: float,
               height: int, text_x: float) -> float:
        """Draw a clip's picture at its head (asking for it the first time); where the
        clip's name starts then."""
        found = self.clip_media.get((stack_index, index))
        if found is None:
            return text_x
        path, frame = found
        key = f"clip:{path}:{frame}"
        image = self.thumbs.get(key)
        if image is None:
            if key not in self._asked:
                self._asked.add(key)
                self.thumbnailWanted.emit(key, path, frame)
            return text_x
        h = height - 2
        w = h * image.width() / max(1, image.height())
        p.drawImage(QRectF(x0 + 1, top + 1, w, h), image)
        return x0 + w + 4

    def _paint_slots(self, p: QPainter, view: Session | Sketch, first_frame: float,
                     last_frame: float) -> None:
        visible = [s for s in view.slots if s.end >= first_frame and s.start <= last_frame]
        self.label_spans = []
        if not visible:
            return
        fm = self._fm
        dark = QPen(QColor("#0e0f11"), 2)
        for slot in visible:
            rect = self.slot_rect(slot.id)
            if rect is None:
                continue
            status = self.status_of(slot.id)
            rect = QRectF(max(rect.left(), self.label_w), rect.top(), rect.width(),
                          rect.height())
            p.fillRect(rect, colour(status))
            selected = slot.id == self.selected
            p.setPen(QPen(QColor("#ffffff"), 2) if selected else dark)
            p.drawRect(rect.adjusted(1, 1, -1, -1))
            text = self.label_of(slot.id)
            if rect.width() > fm.horizontalAdvance(text) + 8:
                p.setPen(QColor("#101114"))
                p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, text)
        # the label lane: the selected slot's label first, then the others left to right
        # wherever they fit beside those already placed (never over one another)
        placed: list[tuple[float, float]] = []
        lane = QRectF(0, _RULER, 0, self.lane_h - 1)
        order = sorted(visible, key=lambda s: (s.id != self.selected, s.start))
        for slot in order:
            x0 = max(self.x_of(slot.start), float(self.label_w))
            width = fm.horizontalAdvance(slot.id) + 8
            x1 = x0 + width
            if any(x0 < b and a < x1 for a, b in placed):
                continue
            placed.append((x0, x1))
            self.label_spans.append((slot.id, x0, x1))
            status = self.status_of(slot.id)
            p.fillRect(QRectF(x0, lane.top() + 1, 3, lane.height() - 2), colour(status))
            p.setPen(QColor("#ffffff" if slot.id == self.selected else "#c3c7ce"))
            p.drawText(QRectF(x0 + 5, lane.top(), width, lane.height()),
                       Qt.AlignmentFlag.AlignVCenter, slot.id)

    def _paint_markers(self, p: QPainter, height: int) -> None:
        if not self.markers:
            return
        first = self.offset
        last = self.offset + self._width() / self.scale
        lo = bisect.bisect_left(self._marker_frames, first)
        hi = bisect.bisect_right(self._marker_frames, last)
        p.setPen(Qt.PenStyle.NoPen)
        drawn = -10
        for m in self.markers[lo:hi]:
            x = int(self.x_of(m.frame))
            if x - drawn < 3:  # one triangle per couple of pixels
                continue
            drawn = x
            p.setBrush(QColor(m.colour))
            p.drawPolygon(QPolygonF([QPointF(x - 4, _RULER - 8), QPointF(x + 4, _RULER - 8),
                                     QPointF(x, _RULER - 1)]))
            if m.track is not None and m.track in self._rows:
                y = self._top() + self._rows[m.track] * self.track_h
                p.fillRect(QRectF(x, y + 1, 1, 4), QColor(m.colour))

    def _fill(self, p: QPainter, kind: str, x0: float, x1: float, top: float, height: int,
              video: bool, drawn_to: float, dense: bool = False) -> float:
        """Fill one item (or a merged run of ``dense`` items) from ``x0`` to ``x1`` with a
        1 px separator at its right; skipped when it falls in a pixel already drawn.  A
        dense run gets a fine texture, so many short clips do not look like one long
        one.  The new drawn-to x."""
        if x1 <= drawn_to:
            return drawn_to
        brush = (self._brushes.get(kind) or self._brushes["other"]) if video \
            else self._audio_brush
        rect = QRectF(x0, top, max(1.0, x1 - x0 - 1), height)
        p.fillRect(rect, brush)
        if dense and kind != "gap":
            p.fillRect(rect, self._dense_brush)
        elif kind == "placeholder" and video:
            p.fillRect(rect, self._hatch)
        return float(int(x1))

    def _paint_ruler(self, p: QPainter, width: int) -> None:
        assert self.view is not None
        p.fillRect(QRectF(0, 0, width, _RULER - 1), QColor("#24262a"))
        label = self._fm.horizontalAdvance("00:00:00:00") + 12
        steps = tick_steps(self.view.rate)
        step = next((t for t in steps if t * self.scale >= label), steps[-1])
        start = self.view.start_frame
        # ticks on whole multiples of the step in absolute (timecode) frames
        first_abs = -(-int(start + self.offset) // step) * step
        frame = first_abs - start
        end = self.offset + self._width() / self.scale
        p.setPen(QColor("#8b9099"))
        self.tick_frames = []
        while frame <= end:
            x = self.x_of(frame)
            if x >= self.label_w:
                self.tick_frames.append(start + frame)
                p.drawLine(int(x), _RULER - 6, int(x), _RULER - 1)
                p.drawText(int(x) + 3, _RULER - 5,
                           frames_to_timecode(start + int(frame), self.view.rate))
            frame += step
