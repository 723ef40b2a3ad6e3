"""The slot inspector: what a slot is, what to ask the provider for, what it will cost.

Prompt edits are committed (as one undoable command) when the prompt loses focus,
on Ctrl+Return, or before generating; the other settings apply at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pickup.timeline import KINDS
from pickup.ui.model import SlotState
from pickup.ui.theme import STATUS_COLOURS

__all__ = ["SlotInspector"]


class _PromptEdit(QPlainTextEdit):
    committed = Signal()
    escaped = Signal()

    def focusOutEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().focusOutEvent(event)
        self.committed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.committed.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.committed.emit()
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class SlotInspector(QWidget):
    """Shows one :class:`SlotState`; emits edits for the panel to apply."""

    promptCommitted = Signal(str, str)  # slot id, new prompt
    settingChanged = Signal(str, str, object)  # slot id, attribute, value
    generateRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: SlotState | None = None
        self._loading = False
        self.title = QLabel("No slot selected", self)
        self.title.setObjectName("title")
        self.where = QLabel("", self)
        self.where.setObjectName("muted")
        self.status = QLabel("", self)
        self.kind = QComboBox(self)
        self.kind.setEditable(True)
        self.kind.addItems(["", *KINDS])
        self.prompt = _PromptEdit(self)
        self.prompt.setPlaceholderText("What the shot shows (Ctrl+Return to apply)")
        self.prompt.setFixedHeight(64)
        self.negative = QLineEdit(self)
        self.negative.setPlaceholderText("what to avoid (optional)")
        self.provider = QComboBox(self)
        self.model_name = QLineEdit(self)
        self.model_name.setPlaceholderText("provider default")
        self.handles = QSpinBox(self)
        self.handles.setRange(0, 48)
        self.handles.setSuffix(" f")
        self.seed = QSpinBox(self)
        self.seed.setRange(-1, 2**31 - 1)
        self.seed.setSpecialValueText("new each time")
        self.seed.setValue(-1)
        self.takes = QSpinBox(self)
        self.takes.setRange(1, 8)
        self.use_first = QCheckBox("start from the previous shot's last frame", self)
        self.use_last = QCheckBox("end on the next shot's first frame", self)
        self.prev_thumb = QLabel(self)
        self.next_thumb = QLabel(self)
        for thumb in (self.prev_thumb, self.next_thumb):
            thumb.setFixedSize(96, 54)
            thumb.setStyleSheet("background:#0b0c0d; border:1px solid #33363c;")
            thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cost = QLabel("est. —", self)
        self.generate = QPushButton("Generate  (G)", self)
        self.generate.setObjectName("primary")
        self.generate.setToolTip("Make the takes with these settings (G)")
        self.prompt.setTabChangesFocus(True)  # Tab moves on; the prompt is one paragraph
        for w, name, tip in (
                (self.kind, "Kind", "The kind of shot (establishing, insert, stunt…)"),
                (self.prompt, "Prompt", "What the shot shows; Ctrl+Return applies, Esc "
                 "leaves the field"),
                (self.negative, "Negative prompt", "What to avoid"),
                (self.provider, "Provider", "Who makes the takes (Ctrl+, configures)"),
                (self.model_name, "Model", "The provider's model (empty: its default)"),
                (self.handles, "Handles", "Extra frames before and after the slot"),
                (self.seed, "Seed", "New each time, or a number: take n uses seed+n-1"),
                (self.takes, "Takes", "How many takes one Generate makes"),
                (self.use_first, "Start from previous shot",
                 "Condition on the last frame of the previous shot"),
                (self.use_last, "End on next shot",
                 "Condition on the first frame of the next shot"),
                (self.generate, "Generate", "Make the takes with these settings (G)")):
            w.setAccessibleName(name)
            w.setToolTip(tip)
        self.prev_thumb.setAccessibleName("Previous shot's last frame")
        self.next_thumb.setAccessibleName("Next shot's first frame")

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(3)
        form.addRow("Kind", self.kind)
        form.addRow("Prompt", self.prompt)
        form.addRow("Negative", self.negative)
        form.addRow("Provider", self.provider)
        form.addRow("Model", self.model_name)
        form.addRow("Handles", self.handles)
        form.addRow("Seed", self.seed)
        form.addRow("Takes", self.takes)
        thumbs = QHBoxLayout()
        thumbs.addWidget(self.prev_thumb)
        thumbs.addWidget(QLabel("→ slot →", self))
        thumbs.addWidget(self.next_thumb)
        thumbs.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addWidget(self.use_first)
        layout.addWidget(self.use_last)
        layout.addLayout(thumbs)
        bottom = QHBoxLayout()
        bottom.addWidget(self.cost, 1)
        bottom.addWidget(self.generate)
        layout.addLayout(bottom)
        layout.addStretch(1)

        self.prompt.committed.connect(self.commit_prompt)
        self.generate.clicked.connect(self._generate)
        self.kind.currentTextChanged.connect(lambda v: self._set("kind", v or None))
        self.negative.editingFinished.connect(
            lambda: self._set("negative", self.negative.text()))
        self.provider.currentTextChanged.connect(lambda v: self._set("provider", v))
        self.model_name.editingFinished.connect(
            lambda: self._set("model", self.model_name.text().strip() or None))
        self.handles.valueChanged.connect(lambda v: self._set("handles", v))
        self.seed.valueChanged.connect(lambda v: self._set("seed", None if v < 0 else v))
        self.takes.valueChanged.connect(lambda v: self._set("takes_wanted", v))
        self.use_first.toggled.connect(lambda v: self._set("use_first", v))
        self.use_last.toggled.connect(lambda v: self._set("use_last", v))
        self.setEnabled(False)

    def set_providers(self, names: list[str]) -> None:
        self._loading = True
        current = self.provider.currentText()
        self.provider.clear()
        self.provider.addItems(names)
        if current and self.provider.findText(current) < 0:
            self.provider.addItem(current)
        self.provider.setCurrentText(current or ("previz" if "previz" in names else names[0]))
        self._loading = False

    def fields(self) -> list[QWidget]:
        """The inspector's controls in Tab order."""
        return [self.kind, self.prompt, self.negative, self.provider, self.model_name,
                self.handles, self.seed, self.takes, self.use_first, self.use_last,
                self.generate]

    def show_state(self, state: SlotState | None, where: str = "") -> None:
        """Fill the fields from ``state`` (None: nothing selected)."""
        self.state = state
        self.setEnabled(state is not None)
        self.generate.setEnabled(state is not None)
        if state is None:
            self.title.setText("No slot selected")
            self.where.setText("")
            return
        self._loading = True
        self.title.setText(f"{state.id}  ·  {state.slot.track}")
        self.where.setText(where)
        self.kind.setCurrentText(state.kind or "")
        if self.prompt.toPlainText() != state.prompt or not self.prompt.hasFocus():
            self.prompt.setPlainText(state.prompt)
        self.negative.setText(state.negative)
        if self.provider.findText(state.provider) < 0:
            self.provider.addItem(state.provider)
        self.provider.setCurrentText(state.provider)
        self.model_name.setText(state.model or "")
        self.handles.setValue(state.handles)
        self.seed.setValue(-1 if state.seed is None else state.seed)
        self.takes.setValue(state.takes_wanted)
        self.use_first.setChecked(state.use_first)
        self.use_last.setChecked(state.use_last)
        self._loading = False
        self.show_status()

    def show_status(self) -> None:
        if self.state is None:
            return
        status = self.state.status
        stale = sum(self.state.is_stale(t) for t in self.state.takes)
        extra = f" · {stale} stale take(s) (prompt changed)" if stale else ""
        self.status.setText(f"● {status} · {len(self.state.takes)} take(s){extra}")
        self.status.setStyleSheet(f"color: {STATUS_COLOURS[status]};")

    def set_neighbour(self, which: str, image: QImage) -> None:
        label = self.prev_thumb if which == "prev" else self.next_thumb
        label.setPixmap(QPixmap.fromImage(image).scaled(
            label.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

    def clear_neighbours(self) -> None:
        for label in (self.prev_thumb, self.next_thumb):
            label.clear()
            label.setText("—")

    def set_cost(self, text: str) -> None:
        self.cost.setText(text)

    # -- edits -----------------------------------------------------------------------------
    def commit_prompt(self) -> None:
        if self.state is None or self._loading:
            return
        text = self.prompt.toPlainText().strip()
        if text != self.state.prompt.strip():
            self.promptCommitted.emit(self.state.id, text)

    def _set(self, attribute: str, value: object) -> None:
        if self.state is None or self._loading:
            return
        self.settingChanged.emit(self.state.id, attribute, value)

    def _generate(self) -> None:
        if self.state is None:
            return
        self.commit_prompt()
        self.generateRequested.emit(self.state.id)
