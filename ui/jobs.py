"""The jobs dock: one row per take's job with progress, state, elapsed time, cancel, retry.

Errors are shown in the words the engine wrote for people; the full text is in the
row's tooltip.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QGradient, QLinearGradient
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pickup.ui.controller import JobView

__all__ = ["JobsDock"]

_COLUMNS = ("Slot", "Take", "Provider", "State", "Progress", "Elapsed", "", "", "Message")
_PROGRESS, _ELAPSED, _CANCEL, _RETRY, _MESSAGE = 4, 5, 6, 7, 8
_STATE_COLOURS = {"conformed": "#3d9a63", "cached": "#3d9a63", "failed": "#c9503f",
                  "refused": "#c9503f", "cancelled": "#a08a3c", "interrupted": "#a08a3c"}

#: journal and engine states in an editor's words
STATE_WORDS = {
    "queued": "waiting", "planned": "waiting", "submitting": "sending",
    "submitted": "queued at provider", "running": "rendering", "succeeded": "downloading",
    "fetched": "conforming", "conformed": "ready", "cached": "ready (reused)",
    "failed": "failed", "cancelled": "cancelled", "interrupted": "interrupted",
    "retrying": "retrying", "refused": "over budget",
}
#: provider/engine messages that only repeat the state (shown as nothing)
_BARE = {"new", "queued", "pending", "starting", "submitted", "running", "processing",
         "in_progress", "in_queue", "succeeded", "completed"}


def state_words(state: str) -> str:
    return STATE_WORDS.get(state, state.replace("_", " "))


def progress_text(job: JobView) -> tuple[int, str]:
    """The progress cell of ``job``: (bar value 0..1000, or -1 for an honest busy bar
    without a fraction; the words in it).  Real progress where the provider gives it,
    the queue position where only that is known, else the state and elapsed time."""
    if job.state in ("conformed", "cached"):
        return 1000, "100%"
    if job.final or job.state in ("interrupted", "failed", "cancelled", "refused"):
        value = int((job.progress or 0.0) * 100) * 10
        return value, f"{value // 10}%" if value else ""
    if job.progress is not None:
        value = int(job.progress * 100) * 10  # whole percents: fewer repaints
        return value, f"{value // 10}%"
    if job.queue_position is not None:
        return -1, f"#{job.queue_position} in queue"
    if job.state in ("queued", "planned"):
        return 0, "waiting"
    return -1, f"{state_words(job.state)}…"


@functools.lru_cache(maxsize=128)
def _bar(value: int) -> QBrush:
    """The progress cell's background: a bar filled to ``value``/1000 (-1: busy).  A
    brush, painted by Qt itself: no widget per row and no Python call per paint."""
    if value < 0:  # busy, no fraction known: a hatched bar, not a filled one
        return QBrush(QColor("#2c4360"), Qt.BrushStyle.BDiagPattern)
    if value <= 0:
        return QBrush(QColor("#202226"))
    if value >= 1000:
        return QBrush(QColor("#2f7fd0"))
    grad = QLinearGradient(0, 0, 1, 0)
    grad.setCoordinateMode(QGradient.CoordinateMode.ObjectBoundingMode)
    edge = max(0.0, min(1.0, value / 1000))
    grad.setColorAt(0.0, QColor("#2f7fd0"))
    grad.setColorAt(edge, QColor("#2f7fd0"))
    grad.setColorAt(min(1.0, edge + 1e-4), QColor("#202226"))
    grad.setColorAt(1.0, QColor("#202226"))
    return QBrush(grad)


class JobsDock(QWidget):
    """See the module docstring."""

    cancelRequested = Signal(int)
    retryRequested = Signal(int)
    resumeRequested = Signal()
    cancelAllRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[int, int] = {}  # job key -> row
        self.jobs: dict[int, JobView] = {}
        self._progress: dict[int, tuple[int, str]] = {}  # job key -> its progress cell
        self._resume_shown = False
        self._painted: dict[int, str] = {}  # job key -> state its colour was set for
        self._buttons: dict[int, tuple[bool, bool]] = {}  # job key -> (cancel, retry) shown
        self.title = QLabel("Jobs", self)
        self.title.setObjectName("title")
        self.resume = QPushButton("Resume unfinished", self)
        self.resume.setVisible(False)
        self.resume.clicked.connect(self.resumeRequested)
        self.stop_all = QPushButton("Cancel all", self)
        self.stop_all.setAccessibleName("Cancel all")
        self.resume.setAccessibleName("Resume unfinished")
        self.stop_all.setToolTip("Cancel every running job (finished takes are kept)")
        self.resume.setToolTip("Finish the jobs an earlier session left, without paying twice")
        self.stop_all.clicked.connect(self.cancelAllRequested)
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setAccessibleName("Jobs")
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for col, width in enumerate((96, 40, 70, 86, 110, 56, 28, 28)):
            self.table.setColumnWidth(col, width)
        self.table.cellClicked.connect(self._clicked)
        header.setSectionResizeMode(len(_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.resume)
        top.addWidget(self.stop_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    def add(self, job: JobView) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.rows[job.key] = row
        self.jobs[job.key] = job
        items = [QTableWidgetItem("") for _ in _COLUMNS]
        for col, item in enumerate(items):
            self.table.setItem(row, col, item)
        items[_PROGRESS].setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        # cancel and retry: real buttons (Tab reaches them, Space presses them)
        for col, text, tip, name in (
                (_CANCEL, "✕", "Cancel this job", "Cancel"),
                (_RETRY, "↻", "Retry this take (or finish it, for an interrupted job)",
                 "Retry")):
            button = QToolButton(self.table)
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(f"{name} {job.slot_id} T{job.take:02d}")
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setAutoRaise(True)
            button.clicked.connect(lambda _=False, k=job.key, c=col: self._pressed(k, c))
            self.table.setCellWidget(row, col, button)
        self.update_job(job)
        self.table.scrollToBottom()

    def button(self, key: int, which: str) -> QToolButton | None:
        """A job's cancel or retry button."""
        row = self.rows.get(key)
        if row is None:
            return None
        widget = self.table.cellWidget(row, _CANCEL if which == "cancel" else _RETRY)
        return widget if isinstance(widget, QToolButton) else None

    def _pressed(self, key: int, col: int) -> None:
        if col == _CANCEL and self.can_cancel(key):
            self.cancelRequested.emit(key)
        elif col == _RETRY and self.can_retry(key):
            self.retryRequested.emit(key)

    def _clicked(self, row: int, col: int) -> None:
        key = next((k for k, r in self.rows.items() if r == row), None)
        if key is None or col not in (_CANCEL, _RETRY):
            return
        if self.can_cancel(key) and col == _CANCEL:
            self.cancelRequested.emit(key)
        elif self.can_retry(key) and col == _RETRY:
            self.retryRequested.emit(key)

    def can_cancel(self, key: int) -> bool:
        job = self.jobs.get(key)
        return job is not None and not job.final and job.state != "interrupted"

    def can_retry(self, key: int) -> bool:
        job = self.jobs.get(key)
        return job is not None and job.state in ("failed", "cancelled", "interrupted")

    def update_job(self, job: JobView) -> None:
        row = self.rows.get(job.key)
        if row is None:
            self.add(job)
            return
        self.jobs[job.key] = job
        values = (job.slot_id, f"T{job.take:02d}" if job.take else "—", job.provider,
                  state_words(job.state))
        for col, text in enumerate(values):
            item = self.table.item(row, col)
            if item is not None and item.text() != text:
                item.setText(text)
        state = self.table.item(row, 3)
        if state is not None and state.text() != self._painted.get(job.key):
            self._painted[job.key] = state.text()
            state.setForeground(QColor(_STATE_COLOURS.get(job.state, "#d6d8dc")))
        message = self.table.item(row, _MESSAGE)
        words = "" if job.message.strip().lower() in _BARE else job.message
        if message is not None and message.text() != words:
            message.setText(words)
            message.setToolTip(job.message)
        value, text = progress_text(job)
        bar = self.table.item(row, _PROGRESS)
        if bar is not None and self._progress.get(job.key) != (value, text):
            self._progress[job.key] = (value, text)
            bar.setBackground(_bar(value))
            bar.setText(text)
        buttons = (self.can_cancel(job.key), self.can_retry(job.key))
        if self._buttons.get(job.key) != buttons:
            self._buttons[job.key] = buttons
            for col, on in zip((_CANCEL, _RETRY), buttons, strict=True):
                widget = self.table.cellWidget(row, col)
                if widget is not None:
                    widget.setEnabled(on)
        self._elapsed(row, job)
        resume = any(j.state == "interrupted" for j in self.jobs.values())
        if resume != self._resume_shown:
            self._resume_shown = resume
            self.resume.setVisible(resume)

    def _elapsed(self, row: int, job: JobView) -> None:
        seconds = int(job.elapsed)
        item = self.table.item(row, _ELAPSED)
        text = f"{seconds // 60}:{seconds % 60:02d}"
        if item is not None and item.text() != text:
            item.setText(text)

    def _tick(self) -> None:
        for key, job in self.jobs.items():
            if not job.final:
                self._elapsed(self.rows[key], job)

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.rows.clear()
        self.jobs.clear()
        self._progress.clear()
        self._painted.clear()
        self._buttons.clear()
        self._resume_shown = False
        self.resume.setVisible(False)

