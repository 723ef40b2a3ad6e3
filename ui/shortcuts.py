"""Every key of the panel in one list: the `?` shortcut sheet shows it, and the docs'
keyboard table says the same."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["SHORTCUTS", "ShortcutSheet"]

#: (where, keys, what they do)
SHORTCUTS: tuple[tuple[str, str, str], ...] = (
    ("Anywhere", "?", "this sheet"),
    ("Anywhere", "Ctrl+O", "open a timeline, screenplay or shot list"),
    ("Anywhere", "[ / ]", "previous / next slot"),
    ("Anywhere", "G", "generate takes for the selected slot"),
    ("Anywhere", "Ctrl+Shift+G", "generate every slot (or the slots selected in the list)"),
    ("Anywhere", "Ctrl+Z / Ctrl+Shift+Z", "undo / redo (prompts, every setting, takes)"),
    ("Anywhere", "Ctrl+,", "providers"),
    ("Anywhere", "Ctrl+Shift+E", "send back"),
    ("Anywhere", "Ctrl+Shift+R", "revert the selected slot: its placeholder back in the file "
     "(asks; the takes are kept)"),
    ("Anywhere", "Ctrl+Shift+P", "prune: remove takes nobody uses and their media (lists "
     "them, asks)"),
    ("Anywhere", "Tab / Shift+Tab", "next / previous control"),
    ("Text fields", "Esc", "leave the field (back to the strip)"),
    ("Prompt", "Ctrl+Return", "apply the prompt edit"),
    ("Strip", "F / Shift+F", "fit the sequence / zoom to the selected slot"),
    ("Strip", "+ / -, Ctrl+wheel", "zoom in / out"),
    ("Strip", "click the ruler", "move the player there"),
    ("Strip", "M, right-click", "mark the gap or clip at the playhead (or clicked) as a slot"),
    ("Strip", "Shift+M", "unmark the selected slot (marked in Pickup)"),
    ("Slot list", "Enter, click", "select the slot; click a header to sort"),
    ("Takes", "U or Enter", "use the selected take"),
    ("Takes", "A / R / N", "approve / reject / note the selected take"),
    ("Takes", "P, double-click", "preview the take in context"),
    ("Player", "Space", "play / pause"),
    ("Player", "J / K / L", "backwards / stop / forwards (again: 2x, 4x)"),
    ("Player", ", / .", "one frame back / forward (arrows in the player)"),
    ("Player", "Shift+, / Shift+.", "one second back / forward"),
    ("Player", "Up / Down", "start of this / next segment (in the player)"),
    ("Player", "Home / End", "first / last frame"),
    ("Jobs", "Tab to ✕ / ↻, Space", "cancel / retry a job"),
)


class ShortcutSheet(QDialog):
    """A table of :data:`SHORTCUTS`; Esc or Close shuts it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(SHORTCUTS), 3, self)
        self.table.setHorizontalHeaderLabels(["Where", "Keys", "Does"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Keyboard shortcuts")
        for row, values in enumerate(SHORTCUTS):
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col == 1:
                    item.setForeground(Qt.GlobalColor.white)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 560)
