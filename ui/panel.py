"""The Pickup panel: one QWidget with the strip, inspector, takes, preview, jobs and budget.

A standalone window (:mod:`pickup.ui.app`) puts it in a QMainWindow; an editor
bridge can dock the same widget.  Everything slow goes through the
:class:`~pickup.ui.controller.Controller`; the panel only shows state and turns the
editor's actions into undoable commands.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import platformdirs
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pickup.errors import PickupError
from pickup.timeline import Slot, frames_to_timecode, mark_label
from pickup.ui.budget import BudgetBar
from pickup.ui.commands import MarkEdit, SlotEdit
from pickup.ui.controller import Controller, plain_error
from pickup.ui.inspector import SlotInspector
from pickup.ui.jobs import JobsDock
from pickup.ui.markdialog import MarkSlotDialog
from pickup.ui.player import PreviewPlayer
from pickup.ui.providers_dialog import ProvidersDialog, provider_options
from pickup.ui.services import (
    Pruned,
    PrunePlan,
    Reverted,
    SendReport,
    Session,
    Sketch,
    TakeRecord,
    preview_segments,
)
from pickup.ui.shortcuts import ShortcutSheet
from pickup.ui.slotlist import SlotList
from pickup.ui.strip import TimelineStrip
from pickup.ui.takes import TakesGallery
from pickup.workflow.marks import Target

__all__ = ["PickupPanel", "panel_settings"]

#: File > Open: every format Pickup reads, timelines and screenplays/shot lists
OPEN_FILTER = ("Timelines and scripts (*.otio *.otioz *.xml *.fcpxml *.edl *.aaf *.fountain "
               "*.fdx *.csv);;Timelines (*.otio *.otioz *.xml *.fcpxml *.edl *.aaf);;"
               "Screenplays and shot lists (*.fountain *.fdx *.csv);;All files (*)")
_SETTING_WORDS = {"kind": "kind", "negative": "negative prompt", "provider": "provider",
                  "model": "model", "handles": "handles", "seed": "seed",
                  "takes_wanted": "number of takes", "use_first": "first-frame start",
                  "use_last": "last-frame end"}
_MIDDLE_SIZES = (300, 260, 440)  # inspector, takes, player
_SPLIT_SIZES = (110, 380, 150)  # strip, middle, jobs


class _EscapeLeaves(QObject):
    """Esc in a text field or spin box leaves it: the focus goes back to the strip (so
    the panel's keys work again) instead of staying in the field."""

    def __init__(self, panel: PickupPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape:
            if isinstance(watched, QComboBox) and watched.view().isVisible():
                return False  # Esc closes the open list first
            self.panel.strip.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return False


def parse_size(text: str) -> tuple[int, int] | None:
    """``1920x1080`` -> (1920, 1080); None for anything else or an absurd size."""
    parts = text.strip().lower().replace(" ", "").split("x")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    w, h = int(parts[0]), int(parts[1])
    return (w, h) if 16 <= w <= 8192 and 16 <= h <= 8192 else None


def panel_settings() -> QSettings:
    """The panel's settings file (``$PICKUP_PANEL_SETTINGS`` or the user config folder)."""
    path = os.environ.get("PICKUP_PANEL_SETTINGS") or str(
        Path(platformdirs.user_config_dir("pickup")) / "panel.ini")
    return QSettings(path, QSettings.Format.IniFormat)


class PickupPanel(QWidget):
    """See the module docstring."""

    loaded = Signal(object)  # Session

    def __init__(self, parent: QWidget | None = None, *, settings: QSettings | None = None,
                 size: tuple[int, int] | None = None, rate: float | None = None,
                 timeline: Path | str | None = None,
                 sketcher: subprocess.Popen[bytes] | None = None) -> None:
        """``timeline``: open it; reading starts before the widgets are built, so the
        file is read while the window is made.  ``sketcher``: a sketch of ``timeline``
        the caller already started (:func:`~pickup.ui.services.start_sketch`)."""
        super().__init__(parent)
        self.size_override, self.rate_override = size, rate
        self.controller = Controller(self)
        if timeline is not None:
            self.controller.open(timeline, rate=rate, size=size, sketcher=sketcher)
        self.settings = settings or panel_settings()
        self.controller.provider = str(self.settings.value("provider", "previz") or "previz")
        self.controller.confirm_budget = self._confirm_budget
        stored = self.settings.value("budget", 0) or 0
        budget = float(stored) if isinstance(stored, (int, float, str)) else 0.0
        self.controller.budget = budget or None
        self.undo = QUndoStack(self)
        self.selected: str | None = None
        #: what the player shows: (slot, take number or None, the slot's chosen take then)
        self._previewing: tuple[str, int | None, int | None] | None = None
        self.last_report: SendReport | None = None
        self.last_error = ""
        #: the last "Mark as slot…" dialog opened (tests and screenshots reach it here)
        self.mark_dialog_shown: MarkSlotDialog | None = None
        self.timeline_shown: Session | None = None
        self.ask_close = self._ask_close

        # widgets, each made in the parent it stays in: with the app's style sheet,
        # moving a built widget to another parent polishes its whole subtree again.
        # The inspector, takes gallery, player and jobs dock (most of what a cold
        # start builds) are made once the strip shows the timeline, one per event loop
        # turn, or the first time something needs one (see `_build_parts`).
        top = QHBoxLayout()
        top.setContentsMargins(4, 4, 4, 0)
        self.open_button = QPushButton("Open…", self)
        self.providers_button = QPushButton("Providers…", self)
        self.undo_button = QPushButton("Undo", self)
        self.redo_button = QPushButton("Redo", self)
        self.send_button = QPushButton("Send back", self)
        self.send_button.setObjectName("primary")
        for b, tip in ((self.open_button, "Open a timeline, screenplay or shot list (Ctrl+O)"),
                       (self.providers_button, "Providers, keys and servers (Ctrl+,)"),
                       (self.undo_button, "Undo (Ctrl+Z)"),
                       (self.redo_button, "Redo (Ctrl+Shift+Z)"),
                       (self.send_button, "Write the timeline with the chosen takes "
                        "(Ctrl+Shift+E)")):
            b.setToolTip(tip)
            b.setAccessibleName(b.text().rstrip("…"))
        self.generate_all_button = QPushButton("Generate all…", self)
        self.generate_all_button.setToolTip(
            "Generate every slot, or the slots selected in the slot list (Ctrl+Shift+G); "
            "asks once, with the estimated cost")
        self.generate_all_button.setAccessibleName("Generate all or selected")
        self.generate_all_button.setEnabled(False)
        self.prune_button = QPushButton("Prune…", self)
        self.prune_button.setToolTip(
            "Remove takes nobody uses (not in the cut, approved or locked) and delete their "
            "media from the project folder (Ctrl+Shift+P); lists them and asks first")
        self.prune_button.setAccessibleName("Prune takes")
        self.prune_button.setEnabled(False)
        # the sequence size takes are made at: editable where the file does not say it
        # (AAF, EDL): remembered per file in the settings
        self.size_field = QLineEdit(self)
        self.size_field.setFixedWidth(92)
        self.size_field.setPlaceholderText("WxH")
        self.size_field.setAccessibleName("Sequence size")
        self.size_field.setToolTip("The sequence's size, WxH; takes are made at it. "
                                   "Editable when the file does not say (Enter applies)")
        self.size_field.setEnabled(False)
        self.size_field.editingFinished.connect(self._size_edited)
        self.keys_button = QPushButton("?", self)
        self.keys_button.setToolTip("Keyboard shortcuts (?)")
        self.keys_button.setAccessibleName("Keyboard shortcuts")
        self.keys_button.setFixedWidth(28)
        self._escape = _EscapeLeaves(self)
        self.file_label = QLabel("No timeline", self)
        self.file_label.setObjectName("title")
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        # the strip and, beside it, the slot list (made with the other parts)
        self._top = QSplitter(Qt.Orientation.Horizontal, self.split)
        self.strip = TimelineStrip(self._top)
        self.strip.status_of = self._status_of
        self.strip.label_of = self._label_of
        self._slot_list: SlotList | None = None
        self._list_stand_in = QWidget(self._top)
        self._top.setStretchFactor(0, 3)
        self._top.setStretchFactor(1, 1)
        self._middle = QSplitter(Qt.Orientation.Horizontal, self.split)
        # Until the parts are made, empty stand-ins hold their places and sizes.
        self._stand_ins = [QWidget(self._middle) for _ in range(3)] + [QWidget(self.split)]
        self._inspector: SlotInspector | None = None
        self._takes: TakesGallery | None = None
        self._player: PreviewPlayer | None = None
        self._jobs: JobsDock | None = None
        self._providers = [self.controller.provider]
        self.budget = BudgetBar(self)
        self.budget.set_budget(self.controller.budget)
        self.status = QLabel("", self)
        self.status.setObjectName("muted")

        for w in (self.open_button, self.providers_button, self.undo_button, self.redo_button):
            top.addWidget(w)
        top.addSpacing(12)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.size_field)
        top.addWidget(self.generate_all_button)
        top.addWidget(self.prune_button)
        top.addWidget(self.keys_button)
        top.addWidget(self.send_button)
        for w in self._stand_ins[:3]:
            self._middle.addWidget(w)
        self._middle.setSizes(list(_MIDDLE_SIZES))
        self._middle.setChildrenCollapsible(False)
        self.split.addWidget(self._top)
        self.split.addWidget(self._middle)
        self.split.addWidget(self._stand_ins[3])
        self.split.setSizes(list(_SPLIT_SIZES))
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.budget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.split, 1)
        layout.addLayout(bottom)

        # wiring (the parts wire themselves when they are made)
        c = self.controller
        c.timelineSketched.connect(self._sketched)
        c.timelineRead.connect(self._read)
        c.sessionLoaded.connect(self._loaded)
        c.loadFailed.connect(self._error)
        c.slotChanged.connect(self._slot_changed)
        c.jobAdded.connect(lambda job: self.jobs.add(job))
        c.jobChanged.connect(self._job_changed)
        c.takeReady.connect(self._take_ready)
        c.budgetChanged.connect(self._money)
        c.sentBack.connect(self._sent)
        c.sendFailed.connect(self._error)
        c.reverted.connect(self._reverted)
        c.prunePlanned.connect(self._prune_planned)
        c.pruned.connect(self._pruned)
        c.takeVerbFailed.connect(self._error)
        c.message.connect(self.status.setText)
        c.thumbnailReady.connect(self._thumbnail)
        self.strip.slotClicked.connect(self.select_slot)
        self.strip.seekRequested.connect(self._seek_record)
        self.strip.markWanted.connect(self.mark_dialog)
        self.strip.unmarkWanted.connect(self.unmark_slot)
        c.slotsChanged.connect(self._slots_changed)
        self.strip.thumbnailWanted.connect(
            lambda key, path, index: self.controller.request_thumbnail(key, path, index, 96,
                                                                       54),
            Qt.ConnectionType.QueuedConnection)
        # Once the strip has drawn the timeline: the full read of a sketched file
        # starts, and the other parts are made (queued: after this paint pass).
        self.strip.painted.connect(self._strip_painted)
        self.budget.budgetChanged.connect(self._set_budget)
        self.open_button.clicked.connect(self._browse)
        self.providers_button.clicked.connect(self.show_providers)
        self.undo_button.clicked.connect(self.undo.undo)
        self.redo_button.clicked.connect(self.undo.redo)
        self.send_button.clicked.connect(lambda: self.send_back())
        self.keys_button.clicked.connect(self.show_shortcuts)
        self.generate_all_button.clicked.connect(lambda: self.generate_many())
        self.prune_button.clicked.connect(lambda: self.prune())
        #: asked before a revert: (slot id, what it says) -> go ahead?
        self.confirm_revert: Callable[[str, str], bool] = self._ask_revert
        #: asked before a prune: the plan -> "approved" / "temp" (what to keep) or None
        self.confirm_prune: Callable[[PrunePlan], str | None] = self._ask_prune
        #: the slot to select once the file is read again (after a revert or prune)
        self._reselect: str | None = None
        self._said_before_read = ""
        #: asks once before a batch: (slots, takes, cost, budget note) -> go ahead?
        self.confirm_batch = self._ask_batch
        self._batch_budget_ok = 0
        self.undo.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self._cost_timer = QTimer(self)
        self._cost_timer.setSingleShot(True)
        self._cost_timer.setInterval(250)
        self._cost_timer.timeout.connect(self._estimate)
        self._shortcuts()
        if timeline is not None:
            self.status.setText(f"reading {Path(timeline).name}…")
            self.file_label.setText(Path(timeline).name)
        self._providers_listed = False
        if timeline is None:
            self._build_parts(all_now=True)
            self._list_providers()
        else:  # providers once the timeline is shown: it would compete with the read
            # In case the strip does not paint soon (a slow disk, a hidden panel).
            QTimer.singleShot(self.PARTS_AFTER_MS, self, self._build_parts)

    #: with a timeline to open, the other parts are made by this long after
    #: construction at the latest (sooner once the strip has drawn it)
    PARTS_AFTER_MS = 250

    # -- parts made once the timeline shows ----------------------------------------------
    def _strip_painted(self) -> None:
        QTimer.singleShot(0, self.controller, self.controller.continue_read)
        QTimer.singleShot(0, self, self._build_parts)

    def _build_parts(self, all_now: bool = False) -> None:
        """Make the next part not made yet (all of them with ``all_now``); each turn of
        the event loop makes one, so no single turn takes long."""
        for make in (lambda: self.inspector, lambda: self.takes, lambda: self.player,
                     lambda: self.jobs, lambda: self.slot_list):
            before = self.parts_built() + (self._slot_list is not None)
            make()
            self._tab_order()
            if not all_now and self.parts_built() + (self._slot_list is not None) != before:
                if self.parts_built() < 4 or self._slot_list is None:
                    QTimer.singleShot(0, self, self._build_parts)
                return

    def focus_chain(self) -> list[QWidget]:
        """The Tab order: strip, slot list, the inspector top to bottom, the takes and
        their buttons, the player, the jobs, the budget, then the top bar."""
        chain: list[QWidget] = [self.strip]
        if self._slot_list is not None:
            chain.append(self._slot_list.table)
        if self._inspector is not None:
            chain += self._inspector.fields()
        if self._takes is not None:
            t = self._takes
            chain += [t.list, t.use, t.approve, t.reject, t.note, t.revert]
        if self._player is not None:
            chain += [self._player, self._player.play_button]
        if self._jobs is not None:
            chain += [self._jobs.table, self._jobs.resume, self._jobs.stop_all]
        chain += [self.budget.limit, self.open_button, self.providers_button,
                  self.undo_button, self.redo_button, self.size_field,
                  self.generate_all_button, self.prune_button,
                  self.keys_button, self.send_button]
        return chain

    def _tab_order(self) -> None:
        chain = self.focus_chain()
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    def show_shortcuts(self) -> ShortcutSheet:
        sheet = ShortcutSheet(self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcut_sheet = sheet
        sheet.open()
        return sheet

    def parts_built(self) -> int:
        """How many of the inspector, takes gallery, player and jobs dock exist."""
        return sum(w is not None for w in (self._inspector, self._takes, self._player,
                                           self._jobs))

    def _place(self, widget: QWidget, index: int) -> None:
        """Put a part (made in its splitter, which appended it) where its stand-in is;
        the splitter's sizes end as if the parts had been there from the start."""
        splitter = self._middle if index < 3 else self.split
        stand_in = self._stand_ins[index]
        sizes = splitter.sizes()
        splitter.insertWidget(splitter.indexOf(stand_in), widget)
        stand_in.hide()
        stand_in.setParent(None)
        stand_in.deleteLater()
        if splitter.isVisible():
            widget.show()
        # Once the real parts are in, the splitters share out their room as they would
        # have with the parts there from the start; until then the stand-ins' sizes.
        if index == 3:
            splitter.setSizes(list(_SPLIT_SIZES))
        elif all(w is not None for w in (self._inspector, self._takes, self._player)):
            splitter.setSizes(list(_MIDDLE_SIZES))
        elif any(sizes):
            splitter.setSizes(sizes)

    @property
    def inspector(self) -> SlotInspector:
        if self._inspector is None:
            self._inspector = w = SlotInspector(self._middle)
            self._place(w, 0)
            w.set_providers(self._providers)
            for field in w.fields():
                if isinstance(field, (QLineEdit, QAbstractSpinBox, QComboBox)):
                    field.installEventFilter(self._escape)
                edit = field.lineEdit() if isinstance(field, QComboBox) else None
                if edit is not None:
                    edit.installEventFilter(self._escape)
            w.prompt.escaped.connect(lambda: self.strip.setFocus(
                Qt.FocusReason.ShortcutFocusReason))
            w.promptCommitted.connect(self.edit_prompt)
            w.settingChanged.connect(self._setting)
            w.generateRequested.connect(self.generate)
        return self._inspector

    @property
    def slot_list(self) -> SlotList:
        if self._slot_list is None:
            self._slot_list = w = SlotList(self._top)
            sizes = self._top.sizes()
            self._top.insertWidget(1, w)
            self._list_stand_in.hide()
            self._list_stand_in.setParent(None)
            self._list_stand_in.deleteLater()
            if self._top.isVisible():
                w.show()
            total = sum(sizes)
            if total > 800:  # laid out: the list gets a third, at most 430 px
                list_w = min(430, total // 3)
                self._top.setSizes([total - list_w, list_w])
            else:  # not laid out yet: proportions the splitter keeps when shown
                self._top.setSizes([3000, 1000])
            w.slotSelected.connect(self.select_slot)
            model = self.controller.model
            if model is not None and self.controller.session is not None:
                w.set_model(model, self.controller.session.start_frame)
                w.select(self.selected)
        return self._slot_list

    @property
    def takes(self) -> TakesGallery:
        if self._takes is None:
            self._takes = w = TakesGallery(self._middle)
            self._place(w, 1)
            c = self.controller
            w.useRequested.connect(self.use_take)
            w.approveRequested.connect(self.approve_take)
            w.rejectRequested.connect(self.reject_take)
            w.noteRequested.connect(self._ask_note)
            w.previewRequested.connect(self.preview)
            w.revertRequested.connect(self.revert_slot)
            w.thumbnailWanted.connect(
                lambda key, path, index: c.request_thumbnail(key, path, index, 160, 90))
        return self._takes

    @property
    def player(self) -> PreviewPlayer:
        if self._player is None:
            self._player = w = PreviewPlayer(self._middle)
            self._place(w, 2)
            w.positionChanged.connect(self._playhead)
        return self._player

    @property
    def jobs(self) -> JobsDock:
        if self._jobs is None:
            self._jobs = w = JobsDock(self.split)
            self._place(w, 3)
            c = self.controller
            w.cancelRequested.connect(c.cancel)
            w.retryRequested.connect(c.retry)
            w.resumeRequested.connect(lambda: c.resume())
            w.cancelAllRequested.connect(c.cancel_all)
        return self._jobs

    def _set_providers(self, names: list[str]) -> None:
        self._providers = list(names)
        if self._inspector is not None:
            self._inspector.set_providers(self._providers)

    def _list_providers(self) -> None:
        """Listing the installed providers scans every package's entry points: off the
        GUI thread, once."""
        if self._providers_listed:
            return
        self._providers_listed = True
        from pickup.ui.services import provider_names
        from pickup.ui.workers import run

        run(self.controller.io_pool, provider_names, owner=self,
            on_done=self._set_providers,
            on_error=lambda exc: None)  # a broken third-party entry point: previz only

    # -- keyboard --------------------------------------------------------------------------
    def _shortcuts(self) -> None:
        def key(seq: str | QKeySequence.StandardKey, fn) -> None:  # type: ignore[no-untyped-def]
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)

        key(QKeySequence.StandardKey.Undo, self.undo.undo)
        key(QKeySequence.StandardKey.Redo, self.undo.redo)
        key("Ctrl+Shift+Z", self.undo.redo)
        key("Ctrl+O", self._browse)
        key("Ctrl+,", self.show_providers)
        key("Ctrl+Shift+E", lambda: self.send_back())
        key("G", lambda: self.selected and self.generate(self.selected))
        key("?", self.show_shortcuts)
        key("Ctrl+Shift+G", lambda: self.generate_many())
        key("Ctrl+Shift+R", lambda: self.selected and self.revert_slot(self.selected))
        key("Ctrl+Shift+P", lambda: self.prune())
        key("]", lambda: self._step_slot(1))
        key("[", lambda: self._step_slot(-1))
        for seq, k, mod in (("Space", Qt.Key.Key_Space, None), ("J", Qt.Key.Key_J, None),
                            ("K", Qt.Key.Key_K, None), ("L", Qt.Key.Key_L, None),
                            (".", Qt.Key.Key_Right, None), (",", Qt.Key.Key_Left, None),
                            ("Shift+.", Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier),
                            ("Shift+,", Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier),
                            ("Home", Qt.Key.Key_Home, None), ("End", Qt.Key.Key_End, None)):
            key(seq, lambda k=k, mod=mod: self.player.handle_key(k, mod))

    # -- opening ---------------------------------------------------------------------------
    def open(self, path: Path | str):  # type: ignore[no-untyped-def]
        """Load ``path`` off the GUI thread; ``loaded`` is emitted when it is shown."""
        self.status.setText(f"reading {Path(path).name}…")
        self.file_label.setText(Path(path).name)
        size = self.size_override or self._remembered_size(Path(path))
        return self.controller.open(path, rate=self.rate_override, size=size)

    def _size_key(self, path: Path) -> str:
        return "sizes/" + str(path.resolve()).replace("/", "|")

    def _remembered_size(self, path: Path) -> tuple[int, int] | None:
        text = str(self.settings.value(self._size_key(path), "") or "")
        return parse_size(text)

    def _show_size(self, session: Session) -> None:
        w, h = session.size
        self.size_field.setText(f"{w}x{h}")
        from_file = session.size_note in ("timeline metadata", "the project's <format>")
        self.size_field.setEnabled(not from_file)
        self.size_field.setToolTip(
            f"The sequence's size ({session.size_note}); takes are made at it."
            + ("" if from_file else " The file does not say: type WxH and press Enter."))

    def _size_edited(self) -> None:
        session = self.controller.session
        size = parse_size(self.size_field.text())
        if session is None:
            return
        if size is None:
            self.status.setText(f"not a size like 1920x1080: {self.size_field.text()!r}")
            self._show_size(session)
            return
        if size == session.size:
            return
        path = session.loaded.path
        self.settings.setValue(self._size_key(path), f"{size[0]}x{size[1]}")
        if self.size_override is not None:  # the editor's choice replaces --size
            self.size_override = size
        self.status.setText(f"sequence size {size[0]}x{size[1]}: reading "
                            f"{path.name} again…")
        self.open(path)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a timeline", "",
            OPEN_FILTER)
        if path:
            self.open(path)

    def _sketched(self, sketch: Sketch) -> None:
        """A large file's tracks, sketched while it is read: draw them at once."""
        if self._player is not None:
            self.player.clear()
        self.strip.set_view(sketch)
        self.file_label.setText(f"{sketch.path.name}  ·  reading…")

    def _read(self, session: Session) -> None:
        """The timeline is read: draw it at once; its slots follow."""
        self.timeline_shown = session
        if self._player is not None:
            self.player.clear()
        self.strip.set_view(session)
        self.file_label.setText(f"{session.loaded.path.name}  ·  finding slots…")

    def _loaded(self, session: Session) -> None:
        self._build_parts(all_now=True)
        self._list_providers()
        self.undo.clear()
        self.jobs.clear()
        for job in self.controller.jobs.values():
            self.jobs.add(job)
        self.strip.set_view(session)
        rows = min(len(session.tracks), 8)
        sizes = self.split.sizes()
        strip_h = self.strip._top() + max(2, rows) * self.strip.track_h + 40
        self.split.setSizes([strip_h, sum(sizes) - strip_h - sizes[2], sizes[2]])
        self.slot_list.set_model(self.controller.model, session.start_frame)
        self.generate_all_button.setEnabled(bool(session.slots))
        self.prune_button.setEnabled(True)
        self._show_size(session)
        top = sum(self._top.sizes())
        if top > 400:  # the list beside the strip gets a third, at most 430 px
            self._top.setSizes([top - min(430, top // 3), min(430, top // 3)])
        self._find_markers(session)
        focused = self.focusWidget()
        if focused is None or focused in (self.open_button, self):
            self.strip.setFocus(Qt.FocusReason.OtherFocusReason)
        self.file_label.setText(f"{session.loaded.path.name}  ·  {session.loaded.format.label}"
                                f"  ·  {session.rate:g} fps  ·  {len(session.slots)} slot(s)")
        note = "; ".join(session.warnings[:2]) or ("" if session.slots else (
            "no marked slots: mark gaps or placeholder clips with a GEN marker "
            "(e.g. 'GEN insert: close on the key') and export again"))
        self.status.setText(note or f"{session.loaded.path.name}: "
                            f"{sum(len(t.items) for t in session.tracks)} items, "
                            f"{len(session.slots)} slot(s), read in "
                            f"{self.controller.load_seconds:.2f} s")
        again, self._reselect = self._reselect, None
        said, self._said_before_read = self._said_before_read, ""
        if said:  # what a revert or prune did stays on the status line
            self.status.setText(said)
        ids = [s.id for s in session.slots]
        self.select_slot(again if again in ids else (ids[0] if ids else None))
        self.loaded.emit(session)

    # -- selection -----------------------------------------------------------------------
    @property
    def model(self):  # type: ignore[no-untyped-def]
        return self.controller.model

    def _status_of(self, slot_id: str) -> str:
        model = self.controller.model
        return model[slot_id].status if model and slot_id in model.slots else "empty"

    def _label_of(self, slot_id: str) -> str:
        """What a slot's box on the strip says: its state, and the take in the cut."""
        model = self.controller.model
        if not model or slot_id not in model.slots:
            return "empty"
        state = model[slot_id]
        chosen = state.chosen_take
        if state.running:
            return f"generating ({state.running})"
        if chosen is not None:
            return f"{chosen.key} {'approved' if chosen.status == 'approved' else 'in cut'}" \
                + (" · stale" if state.is_stale(chosen) else "")
        return state.status if not state.takes else f"{len(state.takes)} takes, none in cut"

    def _find_markers(self, session: Session) -> None:
        from pickup.ui.markers import timeline_markers
        from pickup.ui.workers import run

        def done(markers) -> None:  # type: ignore[no-untyped-def]
            if self.controller.session is session:
                self.strip.set_markers(markers)

        run(self.controller.io_pool, timeline_markers, session.loaded.timeline, session.rate,
            owner=self, on_done=done, on_error=lambda exc: None)

        def media_found(media) -> None:  # type: ignore[no-untyped-def]
            if self.controller.session is session:
                self.strip.set_clip_media(media)

        from pickup.ui.markers import clip_media

        run(self.controller.io_pool, clip_media, session.loaded.timeline,
            session.loaded.path, session.rate, owner=self, on_done=media_found,
            on_error=lambda exc: None)

    def _playhead(self, index: int) -> None:
        """The player moved: the strip's playhead follows (record frames)."""
        player, session = self._player, self.controller.session
        if player is None or player.playlist is None or session is None:
            return
        self.strip.set_playhead(player.playlist.start_frame + index - session.start_frame)

    def _seek_record(self, frame: int) -> None:
        """The ruler was clicked: move the player there when what it shows covers it."""
        player, session = self._player, self.controller.session
        if player is None or player.playlist is None or session is None:
            return
        index = session.start_frame + frame - player.playlist.start_frame
        if 0 <= index < player.playlist.total:
            player.stop()
            player.seek(index)

    def select_slot(self, slot_id: str | None) -> None:
        self.selected = slot_id
        self.strip.select(slot_id)
        if self._slot_list is not None:
            self._slot_list.select(slot_id)
        model = self.controller.model
        state = model[slot_id] if model and slot_id else None
        session = self.controller.session
        where = ""
        if state is not None and session is not None:
            s = state.slot
            where = (f"{s.record_in(session.start_frame)} – {s.record_out(session.start_frame)}"
                     f"  ·  {s.duration} f ({s.duration / s.rate:.2f} s)  ·  "
                     f"{mark_label(s.mark)} on {s.item}")
        self.inspector.show_state(state, where)
        self.inspector.clear_neighbours()
        self.takes.show_state(state)
        if state is not None:
            self.controller.request_neighbours(state.id)
            for which in ("prev", "next"):
                img = self.takes.images.get(f"{state.id}:{which}")
                if img is not None:
                    self.inspector.set_neighbour(which, img)
            self._cost_timer.start()
            self.preview(state.id, state.chosen if state.chosen is not None else (
                state.takes[-1].number if state.takes else None))

    def _step_slot(self, delta: int) -> None:
        model = self.controller.model
        if not model or not model.order:
            return
        order = model.order
        index = order.index(self.selected) if self.selected in order else -1
        self.select_slot(order[max(0, min(len(order) - 1, index + delta))])

    def _slot_changed(self, slot_id: str) -> None:
        self.strip.canvas.update()
        if self._slot_list is not None:
            self._slot_list.update_slot(slot_id)
        if slot_id == self.selected and self.controller.model is not None:
            state = self.controller.model[slot_id]
            if self.inspector.prompt.toPlainText().strip() != state.prompt.strip():
                self.inspector.prompt.setPlainText(state.prompt)
            self.inspector.show_state(state, self.inspector.where.text())
            self.takes.show_state(state)
            self._follow(slot_id)

    def _job_changed(self, job) -> None:  # type: ignore[no-untyped-def]
        self.jobs.update_job(job)
        if job.final and not self.controller.running() and not self.controller._planning:
            # everything asked for is done: the status bar says so instead of keeping
            # "planning…" from the start
            jobs = list(self.controller.jobs.values())
            ready = sum(j.state in ("conformed", "cached") for j in jobs)
            failed = sum(j.state in ("failed", "refused") for j in jobs)
            self.status.setText(f"done: {ready} take(s) ready"
                                + (f", {failed} failed (see Jobs)" if failed else ""))

    def _take_ready(self, slot_id: str, take: TakeRecord) -> None:
        if slot_id == self.selected:
            self.takes.show_state(self.controller.model[slot_id])  # type: ignore[index]
            self._follow(slot_id)

    def _follow(self, slot_id: str) -> None:
        """The player follows the take choice: when the take in the cut changed, or the
        player shows the empty slot and a take now exists, it loads that take at once
        (a take the editor previews by hand stays until the choice changes)."""
        model = self.controller.model
        if model is None or slot_id != self.selected or slot_id not in model.slots:
            return
        state = model[slot_id]
        want = state.chosen if state.chosen is not None else (
            state.takes[-1].number if state.takes else None)
        shown = self._previewing
        if shown is not None and shown[0] == slot_id and shown[1] is not None \
                and shown[2] == state.chosen:
            return
        if shown is None or (shown[0], shown[1]) != (slot_id, want):
            self.preview(slot_id, want)

    def _thumbnail(self, key: str, image: QImage) -> None:
        if key.startswith("clip:"):
            self.strip.set_thumb(key, image)
            return
        self.takes.images[key] = image
        if key.startswith("take:"):
            self.takes.set_image(key, image)
        elif self.selected and key.startswith(f"{self.selected}:"):
            self.inspector.set_neighbour(key.split(":", 1)[1], image)

    # -- slots marked in Pickup (undoable) ------------------------------------------------
    def _project_mark(self, target: Target) -> Slot | None:
        """The slot marked in Pickup on ``target``'s gap or clip, if any."""
        session = self.controller.session
        if session is None:
            return None
        return next((s for s in session.slots if s.mark == "project"
                     and s.stack_index == target.stack_index
                     and target.start <= s.start < target.start + max(1, target.duration)),
                    None)

    def mark_dialog(self, stack_index: int, index: int) -> MarkSlotDialog | None:
        """"Mark as slot…" on a strip item: the kind and prompt dialog (open, not
        modal); OK marks it (:meth:`mark_slot`)."""
        from pickup.ui.services import item_target

        session = self.controller.session
        if session is None:
            return None
        try:
            target = item_target(session, stack_index, index)
        except PickupError as exc:
            self.status.setText(str(exc))
            return None
        slot_id = self.strip.slot_on(stack_index, index)
        slot = next((s for s in session.slots if s.id == slot_id), None)
        if slot is not None and slot.mark != "project":
            self.status.setText(f"{slot.id} is already a slot ({mark_label(slot.mark)}): "
                                "edit its prompt in the inspector")
            self.select_slot(slot.id)
            return None
        start = session.start_frame + target.start
        what = f"clip {target.name!r}" if target.item == "clip" else "gap"
        where = (f"The {what} on {target.track}, {frames_to_timecode(start, session.rate)} – "
                 f"{frames_to_timecode(start + target.duration, session.rate)} "
                 f"({target.duration} f)")
        dialog = MarkSlotDialog(where, kind=slot.kind if slot else None,
                                prompt=slot.prompt if slot else None, parent=self)
        dialog.accepted.connect(lambda: self.mark_slot(target, *dialog.values()))
        dialog.finished.connect(dialog.deleteLater)
        self.mark_dialog_shown = dialog
        dialog.open()
        return dialog

    def mark_slot(self, target: Target, kind: str | None,  # type: ignore[no-untyped-def]
                  prompt: str | None):
        """Mark ``target`` as a slot in the project state (off the GUI thread); one undo
        step once it is on disk."""
        before_slot = self._project_mark(target)
        before = (before_slot.kind, before_slot.prompt) if before_slot else None
        self.status.setText("marking…")

        def done(slot: Slot) -> None:
            self.undo.push(MarkEdit(self.controller, target, before, (kind, prompt),
                                    f"Mark {slot.id} as a slot"))

        return self.controller.mark(target, kind, prompt, on_done=done)

    def unmark_slot(self, slot_id: str):  # type: ignore[no-untyped-def]
        """Drop the mark of a slot marked in Pickup (off the GUI thread); undoable."""
        session = self.controller.session
        slot = next((s for s in session.slots if s.id == slot_id), None) if session else None
        if slot is None or slot.mark != "project":
            self.status.setText(f"{slot_id} is not marked in Pickup: marks in the file are "
                                "removed in the editing app")
            return None
        target = Target(track=slot.track, stack_index=slot.stack_index, start=slot.start,
                        duration=slot.duration, item=slot.item, name=slot.item_name)
        before = (slot.kind, slot.prompt)

        def done(_gone: object) -> None:
            self.undo.push(MarkEdit(self.controller, target, before, None,
                                    f"Unmark {slot_id}"))

        return self.controller.unmark(target, on_done=done)

    def _slots_changed(self, slot_id: str | None, text: str) -> None:
        """The slots were found again after a mark changed: show them."""
        session, model = self.controller.session, self.controller.model
        if session is None or model is None:
            return
        self.strip.canvas.update()
        if self._slot_list is not None:
            self._slot_list.set_model(model, session.start_frame)
        self.generate_all_button.setEnabled(bool(session.slots))
        self.file_label.setText(f"{session.loaded.path.name}  ·  {session.loaded.format.label}"
                                f"  ·  {session.rate:g} fps  ·  {len(session.slots)} slot(s)")
        self.status.setText(text)
        if slot_id is not None and slot_id in model.slots:
            self.select_slot(slot_id)
        elif self.selected not in model.slots:
            self.select_slot(model.order[0] if model.order else None)
        else:
            self.select_slot(self.selected)

    # -- edits (undoable) -------------------------------------------------------------------
    def edit_prompt(self, slot_id: str, text: str) -> None:
        def change(s) -> None:  # type: ignore[no-untyped-def]
            s.prompt = text

        self.undo.push(SlotEdit(self.controller, slot_id, f"Edit prompt of {slot_id}", change))
        self._cost_timer.start()

    def use_take(self, slot_id: str, number: int) -> None:
        def change(s) -> None:  # type: ignore[no-untyped-def]
            s.chosen = number
            take = s.take(number)
            if take is not None and take.status == "rejected":
                take.status = "new"

        self.undo.push(SlotEdit(self.controller, slot_id, f"Use T{number:02d} in {slot_id}",
                                change))
        self.status.setText(f"{slot_id}: using T{number:02d}")

    def approve_take(self, slot_id: str, number: int, *, keep_other: bool | None = None
                     ) -> None:
        """Approve a take ("this is the one"): it becomes the chosen take, and another
        approved take of the slot is un-approved after asking (``keep_other`` answers
        without asking: True keeps both approved)."""
        model = self.controller.model
        others = model[slot_id].other_approved(number) if model is not None else []
        if others and keep_other is None:
            listed = ", ".join(f"T{n:02d}" for n in others)
            answer = QMessageBox.question(
                self, "Approve", f"{slot_id} already has {listed} approved.  Un-approve "
                f"{'them' if len(others) > 1 else 'it'}?  (No keeps both approved.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            keep_other = answer == QMessageBox.StandardButton.No
        keep = bool(keep_other)

        def change(s) -> None:  # type: ignore[no-untyped-def]
            s.approve(number, keep_other=keep)

        self.undo.push(SlotEdit(self.controller, slot_id,
                                f"Approve T{number:02d} of {slot_id}", change))

    def reject_take(self, slot_id: str, number: int) -> None:
        def change(s) -> None:  # type: ignore[no-untyped-def]
            take = s.take(number)
            if take is not None:
                take.status = "rejected"
            if s.chosen == number:
                s.chosen = None

        self.undo.push(SlotEdit(self.controller, slot_id,
                                f"Reject T{number:02d} of {slot_id}", change))

    def set_note(self, slot_id: str, number: int, note: str) -> None:
        def change(s) -> None:  # type: ignore[no-untyped-def]
            take = s.take(number)
            if take is not None:
                take.note = note

        self.undo.push(SlotEdit(self.controller, slot_id, f"Note on T{number:02d}", change))

    def _ask_note(self, slot_id: str, number: int) -> None:
        take = self.controller.model[slot_id].take(number)  # type: ignore[index]
        text, ok = QInputDialog.getText(self, "Note", f"Note on {slot_id} T{number:02d}:",
                                        text=take.note if take else "")
        if ok:
            self.set_note(slot_id, number, text)

    def _setting(self, slot_id: str, attribute: str, value: object) -> None:
        """An inspector setting changed: one undoable step (steps of one setting in a
        row, like a spin box's, merge into one)."""
        model = self.controller.model
        if model is None or getattr(model[slot_id], attribute) == value:
            return

        def change(s) -> None:  # type: ignore[no-untyped-def]
            setattr(s, attribute, value)

        label = _SETTING_WORDS.get(attribute, attribute)
        self.undo.push(SlotEdit(self.controller, slot_id, f"Set {label} of {slot_id}",
                                change, merge_key=attribute))
        self._cost_timer.start()

    # -- generation --------------------------------------------------------------------------
    def generate(self, slot_id: str) -> None:
        if self.controller.model is None:
            return
        if slot_id == self.selected:
            self.inspector.commit_prompt()
        state = self.controller.model[slot_id]
        self.controller.provider_options[state.provider] = provider_options(
            self.settings, state.provider)
        self.controller.generate(slot_id)
        self.status.setText(f"{slot_id}: planning {state.takes_wanted} take(s) "
                            f"with {state.provider}…")

    def shown_state(self) -> dict[str, object]:
        """What the panel shows, as plain JSON (``pickup-panel --state``): the model's
        slots (status, the take in the cut, takes) with each slot's record in, where it
        came from (``mark``: marker, placeholder, unmarked, project), kind, prompt and
        cost, and every job with its state and progress."""
        model, session = self.controller.model, self.controller.session
        if model is None or session is None:
            return {"timeline": None, "slots": [], "jobs": []}
        from pickup.ui.jobs import progress_text, state_words

        shown = model.shown()
        for entry in shown["slots"]:
            s = model[entry["id"]]
            entry.update({
                "record_in": s.slot.record_in(session.start_frame),
                "record_out": s.slot.record_out(session.start_frame),
                "frames": s.slot.duration, "mark": s.slot.mark, "kind": s.kind,
                "prompt": s.prompt,
                "negative": s.negative or None, "provider": s.provider,
                "in_cut": s.chosen_take.key if s.chosen_take else None,
                "approved": s.approved,
                "cost": round(sum(t.cost for t in s.takes), 4)})
        jobs = []
        for job in self.controller.jobs.values():
            value, text = progress_text(job)
            jobs.append({"slot": job.slot_id, "take": f"T{job.take:02d}" if job.take else None,
                         "provider": job.provider, "state": job.state,
                         "words": state_words(job.state), "progress": job.progress,
                         "queue_position": job.queue_position, "shown": text,
                         "bar": None if value < 0 else value / 1000,
                         "elapsed_s": round(job.elapsed, 1), "message": job.message})
        shown["jobs"] = jobs
        return shown

    def batch_ids(self) -> list[str]:
        """What Generate all works on: the slots selected in the slot list when there
        are several, else every slot."""
        model = self.controller.model
        if model is None:
            return []
        chosen = self._slot_list.selected_ids() if self._slot_list is not None else []
        return chosen if len(chosen) > 1 else list(model.order)

    def generate_many(self, slot_ids: list[str] | None = None):  # type: ignore[no-untyped-def]
        """Generate several slots after one confirmation that states the estimated cost
        (estimated off the GUI thread); the budget question is part of it."""
        model, session = self.controller.model, self.controller.session
        if model is None or session is None:
            return None
        ids = list(slot_ids) if slot_ids else self.batch_ids()
        if not ids:
            return None
        if self.selected in ids and self._inspector is not None:
            self.inspector.commit_prompt()
        from pickup.ui.services import estimate_ask
        from pickup.ui.workers import run

        asks = [model.ask(i) for i in ids]
        takes = sum(a.takes for a in asks)
        self.status.setText(f"estimating {takes} take(s) for {len(ids)} slot(s)…")

        def estimate() -> float:
            return sum(estimate_ask(session, a) for a in asks)

        def done(cost: float) -> None:
            c = self.controller
            committed = c.spent + c.queued_cost
            note = ""
            if c.budget is not None and committed + cost > c.budget + 1e-9:
                note = (f"With ${committed:.2f} already spent or queued, that passes the "
                        f"budget of ${c.budget:.2f}.")
            if not self.confirm_batch(ids, takes, cost, note):
                self.status.setText("generate all: nothing started")
                return
            self._batch_budget_ok = len(ids) if note else 0
            for slot_id in ids:
                self.generate(slot_id)
            self.status.setText(f"generating {takes} take(s) for {len(ids)} slot(s), "
                                f"est. ${cost:.2f}…")

        return run(self.controller.io_pool, estimate, owner=self, on_done=done,
                   on_error=lambda exc: self.status.setText(
                       f"generate all: cannot estimate the cost: {plain_error(exc)}"))

    def _ask_batch(self, ids: list[str], takes: int, cost: float, note: str) -> bool:
        providers = sorted({self.controller.model[i].provider  # type: ignore[index]
                            for i in ids})
        answer = QMessageBox.question(
            self, "Generate all" if len(ids) == len(self.controller.model.order)  # type: ignore[union-attr]
            else "Generate selected",
            f"Generate {takes} take(s) for {len(ids)} slot(s) with {', '.join(providers)}?"
            f"\n\nEstimated cost: ${cost:.2f}." + (f"\n{note}" if note else ""))
        return answer == QMessageBox.StandardButton.Yes

    def _estimate(self) -> None:
        model, session = self.controller.model, self.controller.session
        if model is None or session is None or self.selected is None:
            return
        from pickup.ui.services import estimate_ask
        from pickup.ui.workers import run

        slot_id = self.selected
        ask = model.ask(slot_id)

        def done(cost: float) -> None:
            if slot_id == self.selected:
                self.inspector.set_cost(f"est. ${cost:.2f} for {ask.takes} take(s)")

        run(self.controller.io_pool, estimate_ask, session, ask, owner=self, on_done=done,
            on_error=lambda exc: self.inspector.set_cost(f"est. unknown ({plain_error(exc)})"))

    def _money(self) -> None:
        c = self.controller
        self.budget.show_money(c.queued_cost, c.spent, c.budget)

    def _set_budget(self, value: float | None) -> None:
        self.controller.set_budget(value)
        self.settings.setValue("budget", value or 0)

    def _confirm_budget(self, cost: float, committed: float, budget: float) -> bool:
        if self._batch_budget_ok > 0:  # the batch's one confirmation covered it
            self._batch_budget_ok -= 1
            return True
        answer = QMessageBox.question(
            self, "Over budget",
            f"These takes are estimated at ${cost:.2f}. With ${committed:.2f} already spent "
            f"or queued, that passes the budget of ${budget:.2f}.\n\nGenerate anyway?")
        return answer == QMessageBox.StandardButton.Yes

    # -- preview -------------------------------------------------------------------------------
    def preview(self, slot_id: str, number: int | None) -> None:
        """Load tail of previous shot + take ``number`` (None: the empty slot) + head of next."""
        model, session = self.controller.model, self.controller.session
        if model is None or session is None:
            return
        state = model[slot_id]
        take = state.take(number)
        context = max(1, round(session.rate * 2))
        segments = preview_segments(session, state.slot, take, context)
        self._previewing = (slot_id, take.number if take else None, state.chosen)
        start = state.slot.start - (segments[0].frames if segments[0].role == "prev" else 0)
        self.player.load(segments, session.size, session.rate,
                         session.start_frame + start, at="take")

    # -- providers -------------------------------------------------------------------------------
    def show_providers(self) -> ProvidersDialog:
        dialog = ProvidersDialog(self.settings, self.controller.provider, self,
                                 self.controller.io_pool)
        dialog.finished.connect(lambda _: self._providers_closed(dialog))
        dialog.open()
        return dialog

    def _providers_closed(self, dialog: ProvidersDialog) -> None:
        self.controller.provider = dialog.chosen
        self.status.setText(f"new slots use {dialog.chosen}")

    # -- send back ---------------------------------------------------------------------------------
    def send_back(self, dest: Path | None = None):  # type: ignore[no-untyped-def]
        self.inspector.commit_prompt()
        self.status.setText("sending back…")
        return self.controller.send_back(dest)

    def _sent(self, report: SendReport) -> None:
        self.last_report = report
        lines = [f"{s.slot_id}: {s.action} with T{s.take:02d}"
                 + (f" (was T{s.previous:02d})" if s.previous and s.action == "swapped" else "")
                 + (" · approved" if s.approved else " · temp") for s in report.slots]
        backup = f"\nThe previous file was kept as {report.backup.name}." if report.backup \
            else ""
        self.status.setText(f"wrote {report.dest.name}: {report.summary()}")
        box = QMessageBox(QMessageBox.Icon.Information, "Sent back",
                          f"Wrote {report.dest}\n{report.summary()}.{backup}\n\n"
                          + "\n".join(lines), parent=self)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report_box = box
        box.show()

    # -- revert and prune -----------------------------------------------------------------------
    def revert_slot(self, slot_id: str):  # type: ignore[no-untyped-def]
        """Put the slot's placeholder (or gap) back in the open file, as ``pickup revert``
        does, after asking; the file is read again afterwards.  The task, or None."""
        session, model = self.controller.session, self.controller.model
        if session is None or model is None or slot_id not in model.slots:
            return None
        name = session.loaded.path.name
        active = session.active_takes.get(slot_id)
        if active is None:
            self.status.setText(f"{slot_id} is not filled in {name}: nothing to revert")
            return None
        keys = ", ".join(t.key for t in model[slot_id].takes) or "none"
        text = (f"The cut in {name} shows the slot's placeholder (or the gap it was) again "
                f"instead of T{active:02d}.  {name} is written in place; the previous file "
                f"is kept as a backup.  The takes ({keys}) stay in the project: Use take "
                "and Send back put one in again.")
        if not self.confirm_revert(slot_id, text):
            return None
        self.status.setText(f"{slot_id}: reverting…")
        return self.controller.revert(slot_id)

    def _ask_revert(self, slot_id: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Revert slot",
                          f"Put the placeholder of {slot_id} back?", parent=self)
        box.setInformativeText(text)
        go = box.addButton("Revert", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is go

    def _reverted(self, reverted: Reverted) -> None:
        self._read_again(reverted.slot_id, reverted.written,
                         f"{reverted.slot_id}: {reverted.describe()} in "
                         f"{reverted.written.name}; the takes are kept")

    def prune(self):  # type: ignore[no-untyped-def]
        """List what ``pickup prune`` would remove (off the GUI thread), ask, then remove
        it; the file is read again afterwards.  The task, or None."""
        if self.controller.session is None:
            return None
        self.status.setText("looking for takes nobody uses…")
        return self.controller.plan_prune()

    def _prune_planned(self, plan: PrunePlan) -> None:
        if not plan.unused:
            self.status.setText("nothing to prune: every take is in the cut, approved or "
                                "locked")
            return
        keep = self.confirm_prune(plan)
        if keep is None:
            self.status.setText("prune cancelled: nothing was removed")
            return
        self.status.setText("pruning…")
        self.controller.prune(keep)

    def _ask_prune(self, plan: PrunePlan) -> str | None:
        """Ask, listing the takes: all unused ones, only the rejected ones, or none."""
        model = self.controller.model
        listed = [f"{p.slot_id} {p.key}" + (f"  ({Path(p.media).name})" if p.media else "")
                  for p in plan.unused]
        more = f"\n… and {len(listed) - 12} more" if len(listed) > 12 else ""
        chosen = [f"{p.slot_id} {p.key}" for p in plan.unused
                  if model is not None and p.slot_id in model.slots
                  and model[p.slot_id].chosen == int(p.key.lstrip("T") or 0)]
        warn = (f"\n\nIn use in the panel but not sent back yet: {', '.join(chosen)}."
                if chosen else "")
        box = QMessageBox(QMessageBox.Icon.Warning, "Prune takes",
                          f"Remove {len(plan.unused)} take(s) nobody uses and delete their "
                          "media from the project folder?", parent=self)
        box.setInformativeText("\n".join(listed[:12]) + more + warn
                               + "\n\nTakes in the cut, approved or locked are kept.  "
                               "This cannot be undone.")
        everything = box.addButton(f"Remove {len(plan.unused)}",
                                   QMessageBox.ButtonRole.DestructiveRole)
        rejected = None
        if plan.rejected and len(plan.rejected) != len(plan.unused):
            rejected = box.addButton(f"Only the {len(plan.rejected)} rejected",
                                     QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is everything:
            return "approved"
        if rejected is not None and clicked is rejected:
            return "temp"
        return None

    def _pruned(self, removed: list[Pruned]) -> None:
        session = self.controller.session
        said = (f"pruned {len(removed)} take(s): "
                + ", ".join(f"{p.slot_id} {p.key}" for p in removed[:6])
                + (" …" if len(removed) > 6 else ""))
        self.status.setText(said)
        if session is not None:
            self._read_again(self.selected, session.loaded.path, said)

    def _read_again(self, slot_id: str | None, path: Path, said: str) -> None:
        """Read the file again (the strip, the takes and the slot list show what is on
        disk now), keeping ``slot_id`` selected and ``said`` on the status line."""
        self.status.setText(said)
        self._reselect, self._said_before_read = slot_id, said
        self.controller.open(path, rate=self.rate_override,
                             size=self.size_override or self._remembered_size(path))

    def _error(self, text: str) -> None:
        self._list_providers()
        self.last_error = text
        self.status.setText(text)

    # -- closing -----------------------------------------------------------------------------------
    def _ask_close(self, running: int) -> bool | str:
        """True: cancel the jobs and close; "leave": close and let them go on (resumed
        next time); False: stay open."""
        box = QMessageBox(QMessageBox.Icon.Question, "Jobs are running",
                          f"{running} job(s) are still running.\n\nCancel them, or leave them "
                          "running at the provider and resume them the next time you open "
                          "this timeline?  Finished takes are kept either way.", parent=self)
        cancel = box.addButton("Cancel jobs and close", QMessageBox.ButtonRole.AcceptRole)
        leave = box.addButton("Leave them running", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Stay", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        clicked = box.clickedButton()
        return True if clicked is cancel else "leave" if clicked is leave else False

    def close_panel(self) -> bool:
        """Ask when jobs run; cancel them (or leave them, as the editor chose), stop the
        preview and save.  False: stay open."""
        running = len(self.controller.running())
        answer: bool | str = True
        if running:
            answer = self.ask_close(running)
            if not answer:
                return False
        if self._player is not None:
            self.player.clear()
        self.controller.shutdown(leave_jobs=answer == "leave")
        return True

