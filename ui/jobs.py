"""The jobs dock: one row per take's job with progress, state, elapsed time, cancel, retry.

Errors are shown in the words the engine wrote for people; the full text is in the
row's tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pickup.ui.controller import JobView

__all__ = ["JobsDock"]

_COLUMNS = ("Slot", "Take", "Provider", "State", "Progress", "Elapsed", "", "Message")
_STATE_COLOURS = {"conformed": "#3d9a63", "cached": "#3d9a63", "failed": "#c9503f",
                  "refused": "#c9503f", "cancelled": "#a08a3c", "interrupted": "#a08a3c"}


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
        self.title = QLabel("Jobs", self)
        self.title.setObjectName("title")
        self.resume = QPushButton("Resume unfinished", self)
        self.resume.setVisible(False)
        self.resume.clicked.connect(self.resumeRequested)
        self.stop_all = QPushButton("Cancel all", self)
        self.stop_all.clicked.connect(self.cancelAllRequested)
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for col, width in enumerate((96, 40, 70, 86, 110, 56, 64)):
            self.table.setColumnWidth(col, width)
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
        for col in (0, 1, 2, 3, 5, 7):
            self.table.setItem(row, col, QTableWidgetItem(""))
        bar = QProgressBar(self.table)
        bar.setRange(0, 1000)
        bar.setTextVisible(True)
        self.table.setCellWidget(row, 4, bar)
        buttons = QWidget(self.table)
        lay = QHBoxLayout(buttons)
        lay.setContentsMargins(1, 0, 1, 0)
        lay.setSpacing(1)
        cancel = QToolButton(buttons)
        cancel.setText("✕")
        cancel.setToolTip("Cancel this job")
        cancel.clicked.connect(lambda _=False, k=job.key: self.cancelRequested.emit(k))
        retry = QToolButton(buttons)
        retry.setText("↻")
        retry.setToolTip("Retry this take (or finish it, for an interrupted job)")
        retry.clicked.connect(lambda _=False, k=job.key: self.retryRequested.emit(k))
        lay.addWidget(cancel)
        lay.addWidget(retry)
        buttons.setProperty("cancel", cancel)
        self.table.setCellWidget(row, 6, buttons)
        self.update_job(job)
        self.table.scrollToBottom()

    def update_job(self, job: JobView) -> None:
        row = self.rows.get(job.key)
        if row is None:
            self.add(job)
            return
        self.jobs[job.key] = job
        values = (job.slot_id, f"T{job.take:02d}" if job.take else "—", job.provider,
                  job.state)
        for col, text in enumerate(values):
            item = self.table.item(row, col)
            if item is not None:
                item.setText(text)
        state = self.table.item(row, 3)
        if state is not None:
            state.setForeground(_qcolour(_STATE_COLOURS.get(job.state, "#d6d8dc")))
        message = self.table.item(row, 7)
        if message is not None:
            message.setText(job.message)
            message.setToolTip(job.message)
        bar = self.table.cellWidget(row, 4)
        assert isinstance(bar, QProgressBar)
        if job.state in ("conformed", "cached"):
            bar.setValue(1000)
        elif job.progress is not None:
            bar.setValue(int(job.progress * 1000))
        elif not job.final and job.state not in ("queued", "interrupted"):
            bar.setRange(0, 0 if job.state in ("submitting", "submitted") else 1000)
        if job.final or job.progress is not None:
            bar.setRange(0, 1000)
        buttons = self.table.cellWidget(row, 6)
        for child in buttons.findChildren(QToolButton):
            if child.text() == "✕":
                child.setEnabled(not job.final and job.state != "interrupted")
            else:
                child.setEnabled(job.state in ("failed", "cancelled", "interrupted"))
        self._elapsed(row, job)
        self.resume.setVisible(any(j.state == "interrupted" for j in self.jobs.values()))

    def _elapsed(self, row: int, job: JobView) -> None:
        seconds = int(job.elapsed)
        item = self.table.item(row, 5)
        if item is not None:
            item.setText(f"{seconds // 60}:{seconds % 60:02d}")

    def _tick(self) -> None:
        for key, job in self.jobs.items():
            if not job.final:
                self._elapsed(self.rows[key], job)

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.rows.clear()
        self.jobs.clear()
        self.resume.setVisible(False)


def _qcolour(value: str):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor

    return QColor(value)

