""""Mark as slot…": the kind and prompt of a gap or clip the editor makes a slot in
Pickup (kept in the project state, never in the timeline file)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from pickup.timeline import KINDS

__all__ = ["MarkSlotDialog"]


class MarkSlotDialog(QDialog):
    """Kind (one of :data:`~pickup.timeline.KINDS` or the editor's own word) and prompt;
    OK is enabled once either says something."""

    def __init__(self, where: str, *, kind: str | None = None, prompt: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mark as slot")
        self.setAccessibleName("Mark as slot")
        self.where = QLabel(where, self)
        self.where.setWordWrap(True)
        self.kind = QComboBox(self)
        self.kind.setEditable(True)
        self.kind.addItems(["", *KINDS])
        self.kind.setCurrentText(kind or "")
        self.kind.setAccessibleName("Kind")
        self.kind.setToolTip("The shot's kind: pick one or type your own word")
        self.prompt = QPlainTextEdit(self)
        self.prompt.setPlainText(prompt or "")
        self.prompt.setPlaceholderText("What the shot shows, e.g. a farmhouse at dusk, "
                                       "slow push-in")
        self.prompt.setAccessibleName("Prompt")
        self.prompt.setToolTip("What the shot shows (the kind's default prompt is used "
                               "when this is empty)")
        self.prompt.setTabChangesFocus(True)
        self.prompt.setFixedHeight(84)
        note = QLabel("Kept in the project folder; the timeline file is not changed. "
                      "`pickup scan` and `pickup fill` see this slot too.", self)
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Mark as slot")
        ok.setAccessibleName("Mark as slot")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Kind", self.kind)
        form.addRow("Prompt", self.prompt)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.kind.editTextChanged.connect(self._check)
        self.prompt.textChanged.connect(self._check)
        self._check()
        self.resize(460, self.sizeHint().height())
        self.prompt.setFocus()

    def values(self) -> tuple[str | None, str | None]:
        """(kind, prompt), None where empty."""
        kind = self.kind.currentText().strip() or None
        prompt = self.prompt.toPlainText().strip() or None
        return kind, prompt

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(any(self.values()))
        ok.setToolTip("" if any(self.values()) else "Give a kind or a prompt")
