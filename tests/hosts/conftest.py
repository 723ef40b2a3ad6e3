"""Fixtures for the editor bridges: the fake Resolve module and one filled timeline."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import fake_resolve  # noqa: E402  (put on sys.path just above)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The fake module installed as ``DaVinciResolveScript``, with a fresh scene."""
    monkeypatch.setitem(sys.modules, "DaVinciResolveScript", fake_resolve)
    monkeypatch.setenv("PICKUP_RESOLVE_DIR", str(tmp_path / "handoff"))
    fake_resolve.reset()
    yield fake_resolve
    fake_resolve.reset(running=False)


@pytest.fixture(scope="session")
def filled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cut 1 exported from the fake Resolve and filled by previz with 2 takes a slot."""
    from pickup.cli import main
    from pickup.hosts.resolve import connect, export_current_timeline

    folder = tmp_path_factory.mktemp("filled")
    fake_resolve.reset()
    exported = export_current_timeline(connect(fake_resolve), folder)
    out = folder / "Cut_1.pickup.otio"
    code = main(["fill", str(exported.path), "--provider", "previz", "--takes", "2",
                 "--size", "320x180", "-o", str(out)])
    assert code == 0 and out.is_file()
    fake_resolve.reset(running=False)
    return folder


@pytest.fixture
def filled(filled_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the filled timeline (its media stays shared and read-only)."""
    dest = tmp_path / "Cut_1.pickup.otio"
    shutil.copy2(filled_dir / "Cut_1.pickup.otio", dest)
    return dest


@pytest.fixture(scope="session")
def filled_xml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cut 1 exported from a Resolve without OTIO export (FCP 7 XML), filled by previz."""
    from pickup.cli import main
    from pickup.hosts.resolve import connect, export_current_timeline

    folder = tmp_path_factory.mktemp("filled-xml")
    fake_resolve.reset(otio_export=False)
    exported = export_current_timeline(connect(fake_resolve), folder)
    out = folder / "Cut_1.pickup.xml"
    assert main(["fill", str(exported.path), "--provider", "previz", "--size", "320x180",
                 "-o", str(out)]) == 0
    fake_resolve.reset(running=False)
    return out
