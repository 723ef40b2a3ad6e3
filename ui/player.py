"""The preview player: tail of the previous shot, the take, head of the next, in context.

Frames are decoded with PyAV on a decoder thread (never on the GUI thread) into a
small LRU, already as BGRA bytes (QImage's RGB32 layout), so the GUI thread only
wraps a ready frame in a QImage and paints it, with no per-frame conversion.  Playback runs at the
sequence rate from a wall clock, so a slow decode drops frames instead of slowing
time.  Keys: Space play/pause, J/K/L shuttle (press J or L again for 2x, 4x),
Left/Right one frame, Shift+Left/Right one second, Up/Down previous/next segment,
Home/End.  The slider scrubs.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pickup.errors import MediaError
from pickup.timeline import frames_to_timecode
from pickup.ui.services import FrameReader, LruFrames, Segment, fit_size

__all__ = ["Playlist", "PreviewPlayer"]

_AHEAD = 24


@dataclass(frozen=True)
class Playlist:
    """The segments played back to back, and where the take starts."""

    segments: tuple[Segment, ...]
    size: tuple[int, int]
    rate: float
    start_frame: int = 0  # record timecode (frames) of the playlist's first frame

    @property
    def total(self) -> int:
        return sum(s.frames for s in self.segments)

    def locate(self, index: int) -> tuple[int, Segment, int]:
        """(segment number, segment, frame in its file) of playlist frame ``index``."""
        for number, seg in enumerate(self.segments):
            if index < seg.frames:
                return number, seg, seg.first + index
            index -= seg.frames
        seg = self.segments[-1]
        return len(self.segments) - 1, seg, seg.first + seg.frames - 1

    def segment_start(self, number: int) -> int:
        return sum(s.frames for s in self.segments[:number])


class _Bridge(QObject):
    decoded = Signal(int, int)  # generation, playlist index


class _Decoder(threading.Thread):
    """Decodes playlist frames around the wanted index into the cache."""

    def __init__(self, playlist: Playlist, cache: LruFrames, bridge: _Bridge,
                 generation: int) -> None:
        super().__init__(name="pickup-preview-decoder", daemon=True)
        self.playlist, self.cache, self.bridge = playlist, cache, bridge
        self.generation = generation
        self._cond = threading.Condition()
        self._want: tuple[int, int] | None = None  # (index, direction)
        self._halt = False
        self._readers: dict[str, FrameReader] = {}
        self.errors: list[str] = []
        self.failed: set[str] = set()  # files that could not be decoded

    def want(self, index: int, direction: int = 1) -> None:
        with self._cond:
            self._want = (index, 1 if direction >= 0 else -1)
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._halt = True
            self._cond.notify()

    def _frame(self, index: int) -> np.ndarray:
        _, seg, local = self.playlist.locate(index)
        w, h = self.playlist.size
        if seg.path is None:
            return _black(w, h)
        reader = self._readers.get(str(seg.path))
        if reader is None:
            reader = FrameReader(seg.path, (w, h))
            self._readers[str(seg.path)] = reader
        return _bgra(reader.read(local))

    def run(self) -> None:
        try:
            while True:
                with self._cond:
                    while self._want is None and not self._halt:
                        self._cond.wait()
                    if self._halt:
                        return
                    assert self._want is not None
                    start, direction = self._want
                    self._want = None
                total = self.playlist.total
                span = (range(start, min(total, start + _AHEAD)) if direction > 0 else
                        range(start, max(-1, start - _AHEAD), -1))
                for index in span:
                    with self._cond:
                        if self._halt or self._want is not None:
                            break
                    if self.cache.fetch(index) is not None:
                        continue
                    try:
                        frame = self._frame(index)
                    except MediaError as exc:
                        self.errors.append(str(exc))
                        _, seg, _ = self.playlist.locate(index)
                        if seg.path is not None:
                            self.failed.add(str(seg.path))
                        frame = _black(*self.playlist.size)
                    self.cache.put(index, frame)
                    self.bridge.decoded.emit(self.generation, index)
        finally:
            for reader in self._readers.values():
                reader.close()


def _bgra(rgb: np.ndarray) -> np.ndarray:
    """RGB to the BGRA bytes of QImage.Format_RGB32 (exactly the decoded values), here on
    the decoder thread so the GUI thread never converts a frame."""
    h, w = rgb.shape[:2]
    out = np.empty((h, w, 4), dtype=np.uint8)
    out[..., :3] = rgb[..., ::-1]
    out[..., 3] = 255
    return out


def slate_text(seg: Segment, failed: set[str]) -> str:
    """The slate over a black preview frame: the missing file of an offline neighbour,
    or the empty slot's "no take yet"; "" for a frame with a picture."""
    if seg.offline or (seg.path is not None and str(seg.path) in failed):
        name = seg.offline or (seg.path.name if seg.path else seg.label)
        return f"MEDIA OFFLINE\n{name}"
    if seg.path is None and seg.role == "take":
        return f"NO TAKE YET\n{seg.label}: press G to generate"
    return ""


def _black(w: int, h: int) -> np.ndarray:
    frame = np.zeros((h, w, 4), dtype=np.uint8)
    frame[..., 3] = 255
    return frame


class _View(QWidget):
    """Paints the current frame, letterboxed, with the segment and timecode burnt over."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.caption = ""
        self.role = ""
        #: drawn over a black frame: "MEDIA OFFLINE" and the file, or "no take yet"
        self.slate = ""
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#0b0c0d"))
        if self.image is not None:
            iw, ih = self.image.width(), self.image.height()
            scale = min(self.width() / iw, self.height() / ih)
            w, h = iw * scale, ih * scale
            target = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(target, self.image)
            if self.role == "take":
                p.setPen(QColor("#2f7fd0"))
                p.drawRect(target.adjusted(0, 0, -1, -1))
            if self.slate:
                head, _, rest = self.slate.partition("\n")
                offline = head == "MEDIA OFFLINE"
                if offline:
                    p.fillRect(target, QColor("#3a1010"))
                big = QFont(self.font())
                if big.pixelSize() > 0:
                    big.setPixelSize(round(big.pixelSize() * 1.8))
                else:
                    big.setPointSizeF(big.pointSizeF() * 1.8)
                big.setBold(True)
                p.setFont(big)
                p.setPen(QColor("#ff6b5b" if offline else "#8b9099"))
                mid = target.center().y()
                p.drawText(QRectF(target.left(), mid - 40, target.width(), 36),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, head)
                p.setFont(self.font())
                p.setPen(QColor("#eef0f3"))
                p.drawText(QRectF(target.left() + 8, mid, target.width() - 16, 40),
                           Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                           | Qt.TextFlag.TextWordWrap, rest)
        else:
            p.setPen(QColor("#6b7078"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       "Double-click a take (or press P) to preview it in context")
        if self.caption:
            p.setPen(QColor("#eef0f3"))
            p.drawText(self.rect().adjusted(6, 4, -6, -4),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self.caption)
        p.end()


class PreviewPlayer(QWidget):
    """See the module docstring.  ``shown_index`` / ``shown_frame`` are what is on screen."""

    positionChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, max_size: tuple[int, int] = (960, 540)
                 ) -> None:
        super().__init__(parent)
        self.max_size = max_size
        self.playlist: Playlist | None = None
        self.cache = LruFrames()
        self.position = 0
        self.speed = 0
        self.shown_index: int | None = None
        self._shown: np.ndarray | None = None  # BGRA, as decoded
        self._generation = 0
        self._decoder: _Decoder | None = None
        self._bridge = _Bridge(self)
        self._bridge.decoded.connect(self._decoded)
        self._clock: tuple[float, int] | None = None  # (wall start, position at start)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.frames_shown = 0
        self.frames_dropped = 0

        self.view = _View(self)
        self.play_button = QToolButton(self)
        self.play_button.setText("▶")
        self.play_button.setToolTip("Play / pause (Space); J/K/L shuttle")
        self.play_button.setAccessibleName("Play / pause")
        self.setAccessibleName("Preview player")
        self.setToolTip("Preview in context: Space play/pause, J/K/L shuttle, , and . "
                        "step a frame, Up/Down jump to a segment")
        self.play_button.clicked.connect(self.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.valueChanged.connect(self._scrubbed)
        self.tc = QLabel("--:--:--:--", self)
        self.tc.setObjectName("title")
        self.where = QLabel("", self)
        self.where.setObjectName("muted")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.play_button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.tc)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        layout.addWidget(self.where)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # -- loading -------------------------------------------------------------------------------
    def load(self, segments: list[Segment], seq_size: tuple[int, int], rate: float,
             start_frame: int = 0, at: str = "take") -> None:
        """Show ``segments``; the playhead goes to the first frame of segment role ``at``."""
        self.stop()
        self._stop_decoder()
        size = fit_size(seq_size[0], seq_size[1], *self.max_size)
        self.playlist = Playlist(tuple(segments), size, rate, start_frame)
        self.cache.drop()
        self._generation += 1
        self._decoder = _Decoder(self.playlist, self.cache, self._bridge, self._generation)
        self._decoder.start()
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, self.playlist.total - 1))
        self.slider.blockSignals(False)
        self.shown_index = self._shown = None
        first = next((self.playlist.segment_start(i) for i, s in enumerate(segments)
                      if s.role == at), 0)
        self.seek(first)

    def clear(self) -> None:
        self.stop()
        self._stop_decoder(wait=1.0)
        self._generation += 1  # frames still in flight are for the old playlist
        self.playlist = None
        self.view.image, self.view.caption = None, ""
        self.view.update()

    def _stop_decoder(self, wait: float = 0.0) -> None:
        """Stop the decoder thread; it exits after the frame it is decoding (no wait)."""
        if self._decoder is not None:
            self._decoder.stop()
            if wait:
                self._decoder.join(timeout=wait)
            self._decoder = None

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.clear()
        super().closeEvent(event)

    # -- transport -------------------------------------------------------------------------------
    def seek(self, index: int) -> None:
        if self.playlist is None:
            return
        self.position = max(0, min(index, self.playlist.total - 1))
        if self.speed:
            self._clock = (time.perf_counter(), self.position)
        self._show(self.position)

    def step(self, frames: int) -> None:
        self.stop()
        self.seek(self.position + frames)

    def play(self, speed: int = 1) -> None:
        if self.playlist is None:
            return
        if speed > 0 and self.position >= self.playlist.total - 1:
            self.seek(0)
        self.speed = speed
        self._clock = (time.perf_counter(), self.position)
        self._timer.start(max(1, int(500 / self.playlist.rate)))
        self.play_button.setText("❚❚")

    def stop(self) -> None:
        self.speed = 0
        self._timer.stop()
        self._clock = None
        self.play_button.setText("▶")

    def toggle(self) -> None:
        if self.speed:
            self.stop()
        else:
            self.play(1)

    def shuttle(self, direction: int) -> None:
        """J (-1) / L (+1): start, or double the speed in that direction (up to 4x)."""
        if self.speed and (self.speed > 0) == (direction > 0):
            self.play(max(-4, min(4, self.speed * 2)))
        else:
            self.play(direction)

    def _tick(self) -> None:
        if self.playlist is None or self._clock is None:
            return
        started, origin = self._clock
        target = origin + int((time.perf_counter() - started) * self.playlist.rate * self.speed)
        end = self.playlist.total - 1
        if target >= end or target <= 0:
            target = max(0, min(target, end))
            self.position = target
            self._show(target)
            self.stop()
            return
        if target != self.position:
            if abs(target - self.position) > 1:
                self.frames_dropped += abs(target - self.position) - 1
            self.position = target
            self._show(target)

    def _scrubbed(self, value: int) -> None:
        if value != self.position:
            self.stop()
            self.seek(value)

    # -- display ----------------------------------------------------------------------------------
    def _show(self, index: int) -> None:
        assert self.playlist is not None
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        number, seg, _ = self.playlist.locate(index)
        into = index - self.playlist.segment_start(number)
        tc = frames_to_timecode(self.playlist.start_frame + index, self.playlist.rate)
        self.tc.setText(tc)
        self.where.setText(f"{seg.role}: {seg.label}  ·  frame {into + 1}/{seg.frames}  ·  "
                           f"{'x' + str(self.speed) if self.speed else 'paused'}")
        frame = self.cache.fetch(index)
        if frame is not None:
            self._display(index, frame)
        if self._decoder is not None and (frame is None or self.speed):
            ahead = index + (1 if self.speed >= 0 else -1)
            self._decoder.want(index if frame is None else ahead, -1 if self.speed < 0 else 1)
        self.positionChanged.emit(index)

    @property
    def shown_frame(self) -> np.ndarray | None:
        """The frame on screen as an RGB ``uint8`` array."""
        return None if self._shown is None else self._shown[..., 2::-1]

    def _display(self, index: int, frame: np.ndarray) -> None:
        assert self.playlist is not None
        _, seg, _ = self.playlist.locate(index)
        h, w = frame.shape[:2]
        # The decoder made BGRA bytes, the layout of Format_RGB32: no conversion here.
        self.view.image = QImage(frame.data, w, h, 4 * w, QImage.Format.Format_RGB32)
        self._keep = frame  # the QImage shares these pixels
        self.view.role = seg.role
        self.view.caption = f"{seg.role.upper()}  {seg.label}"
        self.view.slate = slate_text(seg, self._decoder.failed if self._decoder else set())
        self.shown_index, self._shown = index, frame
        self.frames_shown += 1
        self.view.update()

    def _decoded(self, generation: int, index: int) -> None:
        if generation != self._generation or index != self.position or self.playlist is None:
            return
        frame = self.cache.fetch(index)
        if frame is not None and self.shown_index != index:
            self._display(index, frame)

    # -- keys --------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.handle_key(event.key(), event.modifiers()):
            super().keyPressEvent(event)

    def handle_key(self, key: int, modifiers: Qt.KeyboardModifier | None = None) -> bool:
        """Transport keys; True if ``key`` was one (the panel forwards its keys here)."""
        if self.playlist is None:
            return False
        shift = modifiers is not None and bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        second = max(1, round(self.playlist.rate))
        if key == Qt.Key.Key_Space:
            self.toggle()
        elif key == Qt.Key.Key_K:
            self.stop()
        elif key == Qt.Key.Key_L:
            self.shuttle(1)
        elif key == Qt.Key.Key_J:
            self.shuttle(-1)
        elif key == Qt.Key.Key_Right:
            self.step(second if shift else 1)
        elif key == Qt.Key.Key_Left:
            self.step(-second if shift else -1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            number, _, _ = self.playlist.locate(self.position)
            start = self.playlist.segment_start(number)
            if key == Qt.Key.Key_Up:
                target = start if self.position > start else self.playlist.segment_start(
                    max(0, number - 1))
            else:
                target = self.playlist.segment_start(
                    min(len(self.playlist.segments) - 1, number + 1))
            self.step(target - self.position)
        elif key == Qt.Key.Key_Home:
            self.step(-self.position)
        elif key == Qt.Key.Key_End:
            self.step(self.playlist.total - 1 - self.position)
        else:
            return False
        return True

    def errors(self) -> list[str]:
        with contextlib.suppress(AttributeError):
            return list(self._decoder.errors)  # type: ignore[union-attr]
        return []
