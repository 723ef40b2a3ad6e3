"""The takes gallery of the selected slot: a thumbnail per take, and what to do with it.

Enter or U uses the selected take, A approves it, R rejects it, N adds a note,
P or a double-click previews it in context.  Revert slot (Ctrl+Shift+R, a panel key)
puts the slot's placeholder back in the file.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QIcon, QImage, QKeyEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from pickup.ui.model import SlotState
from pickup.ui.services import TakeRecord
from pickup.ui.theme import STATUS_COLOURS

__all__ = ["REVERT_TIP", "TakesGallery"]

#: what Revert slot does (its button and the Takes menu say it)
REVERT_TIP = ("Put the slot's placeholder (or gap) back in the file; its takes are kept "
              "(Ctrl+Shift+R); asks first")

_THUMB = QSize(160, 90)


class _KeepColour(QStyledItemDelegate):
    """Draws a selected take in its own colour (in use, approved, stale, rejected), so
    the selection highlight never hides what the take is."""

    def initStyleOption(self, option, index) -> None:  # type: ignore[no-untyped-def]
        super().initStyleOption(option, index)
        brush = index.data(Qt.ItemDataRole.ForegroundRole)
        if brush is not None:
            option.palette.setBrush(QPalette.ColorRole.HighlightedText, brush)


class _List(QListWidget):
    keyed = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_U, Qt.Key.Key_A,
                           Qt.Key.Key_R, Qt.Key.Key_N, Qt.Key.Key_P):
            self.keyed.emit(event.key())
            return
        super().keyPressEvent(event)


class TakesGallery(QWidget):
    """Takes of one slot; emits what the editor does with them."""

    useRequested = Signal(str, int)  # slot id, take number
    approveRequested = Signal(str, int)
    rejectRequested = Signal(str, int)
    noteRequested = Signal(str, int)
    previewRequested = Signal(str, int)
    revertRequested = Signal(str)  # slot id
    thumbnailWanted = Signal(str, object, int)  # key, path, frame index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: SlotState | None = None
        self.images: dict[str, QImage] = {}
        self.header = QLabel("Takes", self)
        self.header.setObjectName("title")
        self.list = _List(self)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(_THUMB)
        self.list.setGridSize(QSize(_THUMB.width() + 16, _THUMB.height() + 52))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSpacing(4)
        self.list.setUniformItemSizes(True)  # every cell the grid's size, icon or not
        self.list.setItemDelegate(_KeepColour(self.list))
        self.list.itemDoubleClicked.connect(lambda _: self._act(self.previewRequested))
        self.list.keyed.connect(self._key)
        self.use = QPushButton("Use take (U)", self)
        self.approve = QPushButton("Approve (A)", self)
        self.reject = QPushButton("Reject (R)", self)
        self.note = QPushButton("Note (N)", self)
        self.revert = QPushButton("Revert slot…", self)
        self.revert.setToolTip(REVERT_TIP)
        self.revert.setAccessibleName("Revert slot")
        self.revert.setEnabled(False)  # until a slot is shown
        self.revert.clicked.connect(
            lambda: self.state is not None and self.revertRequested.emit(self.state.id))
        for b, tip in ((self.use, "Put the selected take in the cut (U or Enter)"),
                       (self.approve, "Use the selected take and mark it approved (A)"),
                       (self.reject, "Leave the selected take out of send back (R)"),
                       (self.note, "Write a note on the selected take (N)")):
            b.setToolTip(tip)
            b.setAccessibleName(b.text().split(" (")[0])
            b.setEnabled(False)  # until a take is selected
        self.list.setAccessibleName("Takes")
        self.list.setToolTip("Takes of the selected slot: U/Enter use, A approve, R reject, "
                             "N note, P or double-click preview")
        self.list.currentItemChanged.connect(lambda *_: self._enable())
        self.use.clicked.connect(lambda: self._act(self.useRequested))
        self.approve.clicked.connect(lambda: self._act(self.approveRequested))
        self.reject.clicked.connect(lambda: self._act(self.rejectRequested))
        self.note.clicked.connect(lambda: self._act(self.noteRequested))
        buttons = QHBoxLayout()
        for b in (self.use, self.approve, self.reject, self.note):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.revert)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.header)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def _enable(self) -> None:
        """The take buttons act on the selected take: disabled without one."""
        on = self.selected_take() is not None
        for b in (self.use, self.approve, self.reject, self.note):
            b.setEnabled(on)
        self.revert.setEnabled(self.state is not None)

    def thumb_key(self, take: TakeRecord) -> str:
        return f"take:{take.path}"

    def show_state(self, state: SlotState | None) -> None:
        current = self.selected_take()
        self.state = state
        self.list.clear()
        self._enable()
        if state is None:
            self.header.setText("Takes")
            return
        self.header.setText(f"Takes of {state.id} · {len(state.takes)}")
        for take in state.takes:
            item = QListWidgetItem(self._label(state, take))
            item.setData(Qt.ItemDataRole.UserRole, take.number)
            item.setToolTip(f"{take.path}\nprompt: {take.prompt}\nseed: {take.seed}"
                            + (f"\nnote: {take.note}" if take.note else "")
                            + (f"\nseams (SSIM / colour distance): {take.seams.text()}"
                               if take.seams else "")
                            + "".join(f"\nsegment {i}: frames {start}-{start + n - 1}"
                                      + (f", from {first}" if first != "none" else "")
                                      for i, start, n, first in take.segments))
            key = self.thumb_key(take)
            if key in self.images:
                item.setIcon(QIcon(QPixmap.fromImage(self.images[key])))
            else:
                self.thumbnailWanted.emit(key, take.path, take.handles + max(0, take.frames // 2))
            if take.status == "rejected":
                item.setForeground(QColor("#6b7078"))
            elif state.chosen == take.number:
                item.setForeground(QColor(STATUS_COLOURS["approved" if take.status ==
                                                         "approved" else "takes"]))
            elif state.is_stale(take):
                item.setForeground(QColor(STATUS_COLOURS["stale"]))
            self.list.addItem(item)
            if take.number == current or (current is None and take.number == state.chosen):
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(self.list.count() - 1)
        self._enable()

    def _label(self, state: SlotState, take: TakeRecord) -> str:
        marks = []
        if state.chosen == take.number:
            marks.append("● in use")
        if take.status != "new":
            marks.append(take.status)
        if state.is_stale(take):
            marks.append("stale")
        if take.note:
            marks.append("✎")
        seams = take.seams
        seam_line = ""
        if seams is not None:
            def one(value: float | None) -> str:
                return f"{value:.2f}" if value is not None else "n/a"
            seam_line = f"\nseams in {one(seams.head.ssim)} · out {one(seams.tail.ssim)}"
        if take.segments:
            seam_line += f"\nchain of {len(take.segments)} segments"
        return (f"{take.key} · {take.provider} · ${take.cost:.2f}\n"
                + (" · ".join(marks) if marks else "new") + seam_line)

    def set_image(self, key: str, image: QImage) -> None:
        self.images[key] = image
        for row in range(self.list.count()):
            item = self.list.item(row)
            take = self.state.take(item.data(Qt.ItemDataRole.UserRole)) if self.state else None
            if take is not None and self.thumb_key(take) == key:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
        self.list.doItemsLayout()  # icons arriving one by one never overlap a neighbour

    def selected_take(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def select_take(self, number: int) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == number:
                self.list.setCurrentRow(row)

    def _act(self, signal: SignalInstance) -> None:
        number = self.selected_take()
        if self.state is not None and number is not None:
            signal.emit(self.state.id, number)

    def _key(self, key: int) -> None:
        signal = {Qt.Key.Key_Return: self.useRequested, Qt.Key.Key_Enter: self.useRequested,
                  Qt.Key.Key_U: self.useRequested, Qt.Key.Key_A: self.approveRequested,
                  Qt.Key.Key_R: self.rejectRequested, Qt.Key.Key_N: self.noteRequested,
                  Qt.Key.Key_P: self.previewRequested}[Qt.Key(key)]
        self._act(signal)
