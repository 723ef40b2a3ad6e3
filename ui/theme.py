"""The panel's look: a dark, dense palette like an editing app's, and the status colours."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

__all__ = ["STATUS_COLOURS", "STYLE", "apply_theme", "colour"]

#: slot status -> colour on the strip, in the gallery and the inspector
STATUS_COLOURS = {
    "empty": "#8a5a1e",
    "generating": "#2f7fd0",
    "takes": "#3d9a63",
    "approved": "#9ad04a",
    "stale": "#c9503f",
}
ITEM_COLOURS = {"clip": "#3b4a63", "gap": "#1c1e22", "placeholder": "#5a4a2a", "other": "#44404d"}

STYLE = """
QWidget { background: #1f2125; color: #d6d8dc; font-size: 11px; }
QLabel#muted, QLabel[muted="true"] { color: #8b9099; }
QLabel#title { font-weight: bold; color: #eef0f3; }
QLineEdit, QPlainTextEdit, QSpinBox, QDoubleSpinBox, QComboBox, QListWidget, QTableWidget {
    background: #16181b; border: 1px solid #33363c; border-radius: 2px; padding: 2px;
    selection-background-color: #2f5d8f; }
QPushButton, QToolButton { background: #2c2f35; border: 1px solid #3a3e45; border-radius: 2px;
    padding: 3px 8px; }
QPushButton:hover, QToolButton:hover { background: #363a41; }
QPushButton:pressed, QToolButton:pressed { background: #24272c; }
QPushButton:disabled, QToolButton:disabled { color: #60646b; }
QPushButton#primary { background: #2f5d8f; border-color: #3b6fa8; color: #ffffff; }
QHeaderView::section { background: #26292e; border: 0; border-right: 1px solid #33363c;
    padding: 2px 4px; }
QProgressBar { background: #16181b; border: 1px solid #33363c; border-radius: 2px;
    text-align: center; height: 12px; }
QProgressBar::chunk { background: #2f7fd0; }
QSplitter::handle { background: #2a2d32; }
QGroupBox { border: 1px solid #2f3237; margin-top: 12px; }
QGroupBox::title { subcontrol-origin: margin; left: 6px; color: #a9aeb6; }
QCheckBox::indicator { width: 12px; height: 12px; }
QSlider::groove:horizontal { height: 4px; background: #33363c; }
QSlider::handle:horizontal { background: #d6d8dc; width: 8px; margin: -5px 0; }
QMenuBar, QMenu { background: #1f2125; }
QMenu::item:selected { background: #2f5d8f; }
QStatusBar { color: #a9aeb6; }
QToolTip { background: #2c2f35; color: #eef0f3; border: 1px solid #3a3e45; }
"""


def colour(name: str) -> QColor:
    return QColor(STATUS_COLOURS.get(name) or ITEM_COLOURS.get(name) or name)


def apply_theme(app: QApplication) -> None:
    """Fusion style, a dark palette and the stylesheet."""
    app.setStyle("Fusion")
    pal = QPalette()
    for role, value in ((QPalette.ColorRole.Window, "#1f2125"),
                        (QPalette.ColorRole.WindowText, "#d6d8dc"),
                        (QPalette.ColorRole.Base, "#16181b"),
                        (QPalette.ColorRole.AlternateBase, "#1b1d20"),
                        (QPalette.ColorRole.Text, "#d6d8dc"),
                        (QPalette.ColorRole.Button, "#2c2f35"),
                        (QPalette.ColorRole.ButtonText, "#d6d8dc"),
                        (QPalette.ColorRole.Highlight, "#2f5d8f"),
                        (QPalette.ColorRole.HighlightedText, "#ffffff")):
        pal.setColor(role, QColor(value))
    app.setPalette(pal)
    app.setStyleSheet(STYLE)
