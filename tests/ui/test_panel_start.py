"""pickup-panel on a Linux desktop without Qt's X11 libraries: one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pickup.ui.app import XCB_LIBRARIES, main, missing_xcb_packages


def test_missing_xcb_libraries_named_as_packages() -> None:
    absent = {"libxcb-cursor.so.0", "libxkbcommon-x11.so.0"}
    env = {"DISPLAY": ":0"}
    got = missing_xcb_packages(env, loads=lambda so: so not in absent)
    if not sys.platform.startswith("linux"):
        assert got == []
        return
    assert got == ["libxcb-cursor0", "libxkbcommon-x11-0"]
    # not asked for: another platform plugin, no display, or everything there
    assert missing_xcb_packages({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"},
                                loads=lambda so: False) == []
    assert missing_xcb_packages({}, loads=lambda so: False) == []
    assert missing_xcb_packages(env, loads=lambda so: True) == []
    assert len(missing_xcb_packages({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"},
                                    loads=lambda so: False)) == len(XCB_LIBRARIES)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 libraries: Linux")
def test_main_exits_2_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("pickup.ui.app.QApplication.instance", staticmethod(lambda: None))
    monkeypatch.setattr("pickup.ui.app._loads", lambda so: so != "libxcb-cursor.so.0")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "apt-get install libxcb-cursor0" in err[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 libraries: Linux")
def test_real_process_on_this_machine() -> None:
    """The real check in a real process: on a machine missing one of the libraries it
    exits 2 naming it, before Qt could abort."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM",
                                                               "WAYLAND_DISPLAY")}
    env["DISPLAY"] = ":93"
    missing = missing_xcb_packages(env)
    if not missing:
        pytest.skip("every xcb library is installed here")
    out = subprocess.run([sys.executable, "-c", "import sys; from pickup.ui.app import main; "
                          "sys.exit(main([]))"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert all(p in out.stderr for p in missing)
