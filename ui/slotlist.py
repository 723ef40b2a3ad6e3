"""The slot list beside the strip: every slot with its record in, kind, status, takes,
take in the cut and cost; sortable by any column (click a header); a click or Enter
selects the slot."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from pickup.ui.model import PanelModel, SlotState
from pickup.ui.theme import STATUS_COLOURS

__all__ = ["COLUMNS", "SlotList"]

COLUMNS = ("Slot", "Record in", "Kind", "Status", "Takes", "In cut", "Cost")
_SORT = Qt.ItemDataRole.UserRole + 1


class _Table(QTableView):
    activated_row = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated_row.emit()
            return
        super().keyPressEvent(event)


class SlotList(QWidget):
    """Rows of a :class:`PanelModel`; emits ``slotSelected`` when the editor picks one."""

    slotSelected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: PanelModel | None = None
        self.start_frame = 0
        self.items = QStandardItemModel(0, len(COLUMNS), self)
        self.items.setHorizontalHeaderLabels(list(COLUMNS))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.items)
        self.proxy.setSortRole(_SORT)
        self.table = _Table(self)
        self.table.setModel(self.proxy)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Ctrl/Shift+click picks several slots for Generate selected
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(20)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setAccessibleName("Slot list")
        self.table.setToolTip("Every slot: click a header to sort, click a row (or Enter) "
                              "to select the slot; [ and ] step through slots")
        self.table.clicked.connect(self._picked)
        self.table.activated_row.connect(lambda: self._picked(self.table.currentIndex()))
        self.table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustIgnored)
        self.table.setMinimumWidth(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._rows: dict[str, int] = {}
        self._quiet = False

    def sizeHint(self) -> QSize:
        return QSize(380, 120)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 60)

    def set_model(self, model: PanelModel | None, start_frame: int = 0) -> None:
        self.model, self.start_frame = model, start_frame
        self.items.setRowCount(0)
        self._rows = {}
        if model is None:
            return
        self.table.setSortingEnabled(False)
        for row, slot_id in enumerate(model.order):
            self.items.appendRow([QStandardItem() for _ in COLUMNS])
            self._rows[slot_id] = row
            self._fill(row, model[slot_id])
        self.table.setSortingEnabled(True)

    def update_slot(self, slot_id: str) -> None:
        row = self._rows.get(slot_id)
        if row is not None and self.model is not None and slot_id in self.model.slots:
            self._fill(row, self.model[slot_id])

    def _fill(self, row: int, s: SlotState) -> None:
        chosen = s.chosen_take
        cost = sum(t.cost for t in s.takes)
        values: tuple[tuple[str, object], ...] = (
            (s.id, s.id),
            (s.slot.record_in(self.start_frame), s.slot.start),
            (s.kind or "", s.kind or ""),
            (s.status, s.status),
            (str(len(s.takes)), len(s.takes)),
            (chosen.key + (" ✓" if chosen.status == "approved" else "") if chosen else "—",
             chosen.number if chosen else 0),
            (f"${cost:.2f}", cost),
        )
        for col, (text, key) in enumerate(values):
            item = self.items.item(row, col)
            if item is None:
                continue
            if item.text() != text:
                item.setText(text)
            item.setData(key, _SORT)
            if col == 0:
                item.setData(s.id, Qt.ItemDataRole.UserRole)
        status = self.items.item(row, 3)
        if status is not None:
            status.setForeground(QColor(STATUS_COLOURS.get(s.status, "#d6d8dc")))

    def select(self, slot_id: str | None) -> None:
        row = self._rows.get(slot_id or "")
        if row is None:
            self.table.clearSelection()
            return
        index = self.proxy.mapFromSource(self.items.index(row, 0))
        self._quiet = True
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self._quiet = False

    def selected_ids(self) -> list[str]:
        """The slots selected in the list, in record order."""
        rows = self.table.selectionModel().selectedRows(0)
        ids = {str(i.data(Qt.ItemDataRole.UserRole)) for i in rows}
        return [sid for sid in (self.model.order if self.model else []) if sid in ids]

    def slot_at(self, view_row: int) -> str | None:
        """The slot shown on row ``view_row`` of the (sorted) table."""
        index = self.proxy.index(view_row, 0)
        value = index.data(Qt.ItemDataRole.UserRole)
        return str(value) if value is not None else None

    def _picked(self, index: QModelIndex) -> None:
        if self._quiet or not index.isValid():
            return
        if len(self.table.selectionModel().selectedRows(0)) > 1:
            return  # picking several for Generate selected: the inspector stays
        slot_id = self.slot_at(index.row())
        if slot_id is not None:
            self.slotSelected.emit(slot_id)
