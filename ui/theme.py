"""The panel's look: a dark, dense palette like an editing app's, and the status colours."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

__all__ = ["ITEM_COLOURS", "PLAYHEAD_COLOUR", "STATUS_COLOURS", "STYLE", "apply_theme",
           "colour"]

#: slot status -> colour on the strip, in the slot list, the gallery and the inspector:
#: saturated, so a slot never looks like a clip (clips are muted greys and slate blue)
STATUS_COLOURS = {
    "empty": "#e08a1e",
    "generating": "#1fb3d6",
    "takes": "#3dbb6a",
    "approved": "#b4e04a",
    "stale": "#e0503f",
}
#: clip kinds on the strip: muted and dark, none near a slot status colour (a placeholder
#: clip nobody marked is a neutral grey with a diagonal hatch, not brown like an empty slot)
ITEM_COLOURS = {"clip": "#3b4a63", "gap": "#1c1e22", "placeholder": "#4a4a4a", "other": "#44404d"}
#: the strip's playhead and markers without a colour of their own
PLAYHEAD_COLOUR = "#ff3b3b"

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
QLineEdit:disabled, QPlainTextEdit:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled,
QComboBox:disabled { color: #60646b; background: #1b1d20; border-color: #2a2d32; }
QPushButton#primary:disabled { background: #2a2d32; border-color: #33363c; color: #60646b; }
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
QScrollBar:horizontal { background: #16181b; height: 12px; border: 0; margin: 0; }
QScrollBar:vertical { background: #16181b; width: 12px; border: 0; margin: 0; }
QScrollBar::handle:horizontal { background: #454a52; min-width: 24px; border-radius: 4px;
    margin: 2px 0; }
QScrollBar::handle:vertical { background: #454a52; min-height: 24px; border-radius: 4px;
    margin: 0 2px; }
QScrollBar::handle:hover { background: #5a606a; }
QScrollBar::add-page, QScrollBar::sub-page { background: #16181b; }
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; border: 0; }
*:focus { outline: none; }
QPushButton:focus, QToolButton:focus, QComboBox:focus, QSpinBox:focus, QLineEdit:focus,
QPlainTextEdit:focus, QCheckBox:focus, QTableView:focus, QListWidget:focus {
    border: 1px solid #5b9be0; }
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
