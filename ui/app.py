"""``pickup-panel [TIMELINE]``: the panel as a standalone window, and its screenshot mode.

``pickup-panel --screenshot OUT.png [TIMELINE] [--fill]`` loads the timeline (and with
``--fill`` makes takes for every marked slot with ``previz``, uses take 1, and previews
it), renders the window to a PNG and exits; ``--state OUT.json`` also writes what the
window shows as JSON: ``{"timeline": str, "slots": [{"id": str, "status": str,
"active": str|null, "takes": [{"key": str, "status": str, "note": str|null}]}]}``.

The window reads the project state again whenever it regains focus, so a take
approved, noted or swapped from the command line meanwhile shows at once.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow

from pickup.ui.panel import PickupPanel
from pickup.ui.services import start_sketch
from pickup.ui.takes import REVERT_TIP
from pickup.ui.theme import apply_theme

__all__ = ["PanelWindow", "main", "missing_xcb_packages"]

#: the libraries Qt's ``xcb`` platform plugin loads beside libxcb itself, each with the
#: Debian/Ubuntu package that ships it (Qt aborts the process when one is missing)
XCB_LIBRARIES = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_packages(environ: Mapping[str, str] | None = None,
                         loads: Callable[[str], bool] | None = None) -> list[str]:
    """The Debian packages Qt's X11 (xcb) platform plugin would fail to load for, on
    Linux when Qt will use it (``QT_QPA_PLATFORM`` unset or ``xcb``, ``DISPLAY`` set);
    empty otherwise.  Checked before any QApplication exists: Qt aborts the process."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return []
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if platform not in ("", "xcb") or not env.get("DISPLAY"):
        return []
    if not platform and env.get("WAYLAND_DISPLAY"):
        return []  # Qt picks its wayland plugin first
    check = loads or _loads
    return [package for soname, package in XCB_LIBRARIES if not check(soname)]


class PanelWindow(QMainWindow):
    """The panel in a window, with File, Edit and Takes menus; asks before closing on
    running jobs."""

    def __init__(self, **panel_options: object) -> None:
        """``timeline=PATH`` opens it: the file is read while the window is built."""
        timeline, rate = panel_options.get("timeline"), panel_options.get("rate")
        if isinstance(timeline, (str, Path)) and "sketcher" not in panel_options:
            # Before any widget exists (the first one parses the style sheet): a large
            # .otio file is sketched for the strip in another process meanwhile.
            panel_options["sketcher"] = start_sketch(
                Path(timeline), rate if isinstance(rate, (int, float)) else None)
        super().__init__()
        self.setWindowTitle("Pickup")
        self.panel = PickupPanel(self, **panel_options)  # type: ignore[arg-type]
        self.setCentralWidget(self.panel)
        menu = self.menuBar().addMenu("&File")
        menu.addAction("&Open…", "Ctrl+O", self.panel._browse)
        menu.addAction("&Send back", "Ctrl+Shift+E", self.panel.send_back)
        # the panel's own Ctrl+Shift+G does it; shown here, not bound twice (ambiguous)
        menu.addAction("&Generate all or selected…\tCtrl+Shift+G",
                       lambda: self.panel.generate_many())
        menu.addAction("&Providers…", "Ctrl+,", self.panel.show_providers)
        menu.addSeparator()
        menu.addAction("&Quit", "Ctrl+Q", self.close)
        edit = self.menuBar().addMenu("&Edit")
        undo = self.panel.undo.createUndoAction(self, "&Undo")
        redo = self.panel.undo.createRedoAction(self, "&Redo")
        edit.addAction(undo)
        edit.addAction(redo)
        # the panel's own keys do these; shown here, not bound twice (ambiguous)
        takes = self.menuBar().addMenu("&Takes")
        self.revert_action = takes.addAction(
            "&Revert slot…\tCtrl+Shift+R",
            lambda: self.panel.selected and self.panel.revert_slot(self.panel.selected))
        self.revert_action.setToolTip(REVERT_TIP)
        self.prune_action = takes.addAction("&Prune takes…\tCtrl+Shift+P",
                                            lambda: self.panel.prune())
        self.prune_action.setToolTip(self.panel.prune_button.toolTip())
        takes.setToolTipsVisible(True)
        self.resize(1280, 800)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            # Back from the terminal: show what another face changed meanwhile.
            self.panel.controller.refresh_state()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.panel.close_panel():
            event.accept()
        else:
            event.ignore()


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)[xX](\d+)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size like 1920x1080: {text!r}")
    return int(match.group(1)), int(match.group(2))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pickup-panel",
                                     description="The Pickup panel: see the slots, generate, "
                                     "compare takes in context, choose, send back.")
    parser.add_argument("timeline", nargs="?", type=Path, help="timeline file to open")
    parser.add_argument("--screenshot", type=Path, metavar="PNG",
                        help="render the window to PNG after loading, then exit")
    parser.add_argument("--state", type=Path, metavar="JSON",
                        help="with --screenshot: also write what the window shows as JSON")
    parser.add_argument("--fill", action="store_true",
                        help="with --screenshot: make takes with previz first")
    parser.add_argument("--takes", type=int, default=2, help="with --fill: takes per slot")
    parser.add_argument("--size", type=_size, default=None, metavar="WxH",
                        help="size takes are made at (default: the sequence's)")
    parser.add_argument("--rate", type=float, default=None, help="rate for EDLs")
    parser.add_argument("--window", type=_size, default=(1280, 800), metavar="WxH",
                        help="window size (default 1280x800)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="with --screenshot: give up after this many seconds")
    return parser


def _wait(app: QApplication, done, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def _screenshot(app: QApplication, window: PanelWindow, args: argparse.Namespace) -> int:
    panel = window.panel
    if args.timeline:
        if not _wait(app, lambda: panel.controller.session is not None or panel.last_error,
                     args.timeout):
            print("pickup-panel: timed out loading", file=sys.stderr)
            return 1
        if panel.last_error:
            print(f"pickup-panel: {panel.last_error}", file=sys.stderr)
            return 2
    model = panel.controller.model
    if args.fill and model is not None:
        for slot_id in model.order:
            model[slot_id].takes_wanted = args.takes
            panel.generate(slot_id)
        ok = _wait(app, lambda: not panel.controller.running()
                   and not panel.controller._planning, args.timeout)
        if not ok:
            print("pickup-panel: timed out generating", file=sys.stderr)
            return 1
        for slot_id in model.order:
            takes = model[slot_id].takes
            if takes:
                panel.use_take(slot_id, takes[0].number)
        first = model.order[0] if model.order else None
        if first and model[first].takes:
            panel.approve_take(first, model[first].takes[0].number)
        panel.select_slot(first)
    if model is not None and panel.selected:
        player = panel.player
        _wait(app, lambda: player.playlist is None or player.shown_index == player.position, 20)
        _wait(app, lambda: all(f"take:{t.path}" in panel.takes.images
                               for t in model[panel.selected].takes), 20)  # type: ignore[index]
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.screenshot)):
        print(f"pickup-panel: cannot write {args.screenshot}", file=sys.stderr)
        return 1
    print(args.screenshot)
    if args.state is not None:
        import json

        from pickup.atomic import atomic_write_bytes

        shown = panel.shown_state()
        args.state.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(args.state, (json.dumps(shown, indent=1) + "\n").encode("utf-8"))
        print(args.state)
    panel.close_panel()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    missing = [] if QApplication.instance() else missing_xcb_packages()
    if missing:
        print("pickup-panel: Qt cannot open an X11 window: missing system libraries; "
              f"install them with: sudo apt-get install {' '.join(missing)} "
              "(or run headless with QT_QPA_PLATFORM=offscreen)", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Pickup")
    apply_theme(app)
    window = PanelWindow(size=args.size, rate=args.rate, timeline=args.timeline)
    window.resize(*args.window)
    window.show()
    if args.screenshot:
        return _screenshot(app, window, args)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
