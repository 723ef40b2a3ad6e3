"""The timeline strip: every track's clips and gaps to scale, slots coloured by status.

Draws only what is visible (items are found by bisection), and runs of items of one
kind narrower than a pixel or two as one rectangle, so a 10,000-clip timeline paints
as fast as a 10-clip one.  Ctrl+wheel or +/- zooms around the pointer, the wheel
scrolls, a click selects a slot, ``F`` fits the whole sequence.

It draws a :class:`~pickup.ui.services.Session` or, while the file is still being
read, its :class:`~pickup.ui.services.Sketch` (the same tracks, no slots yet).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QVBoxLayout, QWidget

from pickup.timeline import frames_to_timecode
from pickup.ui.services import Session, Sketch
from pickup.ui.theme import ITEM_COLOURS, colour

__all__ = ["TimelineStrip"]

_RULER = 18
_TRACK_H = 20
_LABEL_W = 34
_TICKS = (1, 2, 5, 10, 24, 48, 120, 240, 480, 1440, 2880, 7200, 14400, 43200, 86400)
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

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.strip.wheel(event)


class TimelineStrip(QWidget):
    """See the module docstring.  ``status_of(slot_id)`` gives a slot's status."""

    slotClicked = Signal(str)
    #: the strip has been painted with a new view for the first time
    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: what is drawn: the session, or its sketch while the file is being read
        self.view: Session | Sketch | None = None
        #: when the strip was first painted with the current view (perf_counter)
        self.painted_at: float | None = None
        self._rows: dict[int, int] = {}  # stack index -> row
        self._brushes = {kind: QBrush(QColor(c)) for kind, c in ITEM_COLOURS.items()}
        self._audio_brush = QBrush(QColor("#2f4a3f"))
        self._dense_brush = QBrush(QColor(_DENSE_COLOUR), _DENSE_STYLE)
        self._bg, self._label_bg = QColor("#18191c"), QColor("#26292e")
        self._label_pen, self._text_pen = QColor("#a9aeb6"), QColor("#c3c7ce")
        self.status_of: Callable[[str], str] = lambda _: "empty"
        self.selected: str | None = None
        self.scale = 1.0  # pixels per frame
        self.offset = 0.0  # first visible frame
        self.canvas = _Canvas(self)
        self.bar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.bar.valueChanged.connect(self._scrolled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas)
        layout.addWidget(self.bar)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(_RULER + 2 * _TRACK_H + 20)
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(6.5, self._font.pointSizeF() - 1.5))

    # -- data ------------------------------------------------------------------------------
    def set_view(self, view: Session | Sketch) -> None:
        """Draw ``view``: fitted to the width, or where it was when it is the same file
        and length as the view before (its sketch, or the session before its slots)."""
        same = self.view is not None and _path(self.view) == _path(view) \
            and self.view.duration == view.duration
        self.view = view
        self.painted_at = None
        self._rows = {t.stack_index: row for row, t in enumerate(view.tracks)}
        rows = min(len(view.tracks), 8)
        self.setMinimumHeight(_RULER + max(2, rows) * _TRACK_H + 20)
        if same:
            self._set_offset(self.offset)
        else:
            self.fit()

    set_session = set_view

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
        return max(10.0, self.canvas.width() - _LABEL_W)

    def fit(self) -> None:
        if self.view is None:
            return
        self.scale = self._width() / max(1, self.view.duration)
        self._set_offset(0)

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        if self.view is None:
            return
        anchor_x = self._width() / 2 if anchor_x is None else anchor_x - _LABEL_W
        frame = self.offset + anchor_x / self.scale
        lo = self._width() / max(1, self.view.duration) * 0.5
        self.scale = min(40.0, max(lo, self.scale * factor))
        self._set_offset(frame - anchor_x / self.scale)

    def _set_offset(self, frame: float) -> None:
        if self.view is None:
            return
        visible = self._width() / self.scale
        self.offset = max(0.0, min(frame, max(0.0, self.view.duration - visible)))
        self.bar.blockSignals(True)
        self.bar.setRange(0, int(max(0.0, self.view.duration - visible)))
        self.bar.setPageStep(int(visible))
        self.bar.setValue(int(self.offset))
        self.bar.blockSignals(False)
        self.canvas.update()

    def _scrolled(self, value: int) -> None:
        self.offset = float(value)
        self.canvas.update()

    def x_of(self, frame: float) -> float:
        return _LABEL_W + (frame - self.offset) * self.scale

    def slot_rect(self, slot_id: str) -> QRectF | None:
        """Where a slot is drawn on the canvas (for clicks and tests)."""
        slot = self._slot(slot_id)
        if slot is None or self.view is None:
            return None
        row = self._rows.get(slot.stack_index)
        if row is None:
            return None
        x0, x1 = self.x_of(slot.start), self.x_of(slot.end)
        return QRectF(x0, _RULER + row * _TRACK_H, max(3.0, x1 - x0), _TRACK_H - 1)

    # -- input -------------------------------------------------------------------------------
    def click(self, x: float, y: float) -> None:
        if self.view is None:
            return
        for slot in self.view.slots:
            rect = self.slot_rect(slot.id)
            if rect is not None and rect.adjusted(-2, 0, 2, 0).contains(x, y):
                self.slotClicked.emit(slot.id)
                return

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
        elif key == Qt.Key.Key_F:
            self.fit()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        if self.view is not None:
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
        align = Qt.AlignmentFlag.AlignVCenter
        for row, track in enumerate(view.tracks):
            y = _RULER + row * _TRACK_H
            if y > canvas.height():
                break
            p.fillRect(QRectF(0, y, _LABEL_W - 2, _TRACK_H - 1), self._label_bg)
            p.setPen(self._label_pen)
            p.drawText(QRectF(4, y, _LABEL_W - 6, _TRACK_H - 1), align, track.label)
            starts, durations, kinds, names = (track.starts, track.durations, track.kinds,
                                               track.names)
            lo = max(0, bisect.bisect_right(starts, first_frame) - 1)
            hi = bisect.bisect_right(starts, last_frame)
            p.setPen(self._text_pen)
            top, height = y + 1, _TRACK_H - 3
            run_kind: str | None = None  # a run of narrow items of one kind, not drawn yet
            run_x0 = run_x1 = 0.0
            run_n = 0
            drawn_to = -1.0
            video = track.video
            for i in range(lo, hi):
                x0 = _LABEL_W + (starts[i] - offset) * scale
                x1 = x0 + durations[i] * scale
                if x0 < _LABEL_W:
                    x0 = _LABEL_W
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
                if x1 - x0 > 31 and kind != "gap" and names[i]:
                    p.drawText(QRectF(x0 + 3, top, x1 - x0 - 6, height), align, names[i])
            if run_kind is not None:
                self._fill(p, run_kind, run_x0, run_x1, top, height, video, drawn_to,
                           run_n > 1)
        for slot in view.slots:
            if slot.end < first_frame or slot.start > last_frame:
                continue
            rect = self.slot_rect(slot.id)
            if rect is None:
                continue
            status = self.status_of(slot.id)
            fill = colour(status)
            rect = QRectF(max(rect.left(), _LABEL_W), rect.top() + 1, rect.width(),
                          rect.height() - 2)
            p.fillRect(rect, fill)
            selected = slot.id == self.selected
            p.setPen(QPen(QColor("#ffffff" if selected else "#0e0f11"), 2 if selected else 1))
            p.drawRect(rect)
            if rect.width() > 40:
                p.setPen(QColor("#ffffff"))
                p.drawText(rect.adjusted(3, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter,
                           f"{slot.id} · {status}")
        p.end()
        if self.painted_at is None:
            self.painted_at = time.perf_counter()
            self.painted.emit()

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
        return float(int(x1))

    def _paint_ruler(self, p: QPainter, width: int) -> None:
        assert self.view is not None
        p.fillRect(QRectF(0, 0, width, _RULER - 1), QColor("#24262a"))
        step = next((t for t in _TICKS if t * self.scale >= 90), _TICKS[-1])
        first = int(self.offset // step) * step
        frame = first
        end = self.offset + self._width() / self.scale
        p.setPen(QColor("#8b9099"))
        while frame <= end:
            x = self.x_of(frame)
            if x >= _LABEL_W:
                p.drawLine(int(x), _RULER - 6, int(x), _RULER - 1)
                p.drawText(int(x) + 3, _RULER - 5, frames_to_timecode(
                    self.view.start_frame + int(frame), self.view.rate))
            frame += step
