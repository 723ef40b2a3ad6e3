"""The budget bar: estimated cost of the queued work, money spent so far, and the limit."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QProgressBar, QWidget

__all__ = ["BudgetBar"]


class BudgetBar(QWidget):
    """``show_money(queued, spent, budget)``; ``budgetChanged(None | USD)`` on edits."""

    budgetChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Queued est. $0.00 · Spent $0.00", self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.limit = QDoubleSpinBox(self)
        self.limit.setRange(0, 1_000_000)
        self.limit.setDecimals(2)
        self.limit.setPrefix("$")
        self.limit.setSpecialValueText("no budget")
        self.limit.setToolTip("Pickup asks before queueing work that would pass this")
        self.limit.setAccessibleName("Budget")
        self.limit.valueChanged.connect(
            lambda v: self.budgetChanged.emit(None if v <= 0 else float(v)))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(QLabel("Budget", self))
        layout.addWidget(self.limit)

    def set_budget(self, value: float | None) -> None:
        self.limit.blockSignals(True)
        self.limit.setValue(value or 0.0)
        self.limit.blockSignals(False)

    def show_money(self, queued: float, spent: float, budget: float | None) -> None:
        text = f"Queued est. ${queued:.2f} · Spent ${spent:.2f}"
        if budget:
            left = budget - spent - queued
            text += f" · ${left:.2f} left of ${budget:.2f}"
            self.bar.setValue(int(min(1.0, (spent + queued) / budget) * 1000))
            over = spent + queued > budget
            self.bar.setStyleSheet("QProgressBar::chunk { background: %s; }"
                                   % ("#c9503f" if over else "#3d9a63"))
        else:
            self.bar.setValue(0)
        self.label.setText(text)
