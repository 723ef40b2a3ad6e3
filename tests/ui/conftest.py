"""Fixtures for the panel tests: the example project, settings and config in tmp_path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user config, settings or keyring leak into (or out of) a test."""
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("PICKUP_PANEL_SETTINGS", str(tmp_path / "panel.ini"))
    for var in ("RUNWAYML_API_SECRET", "GEMINI_API_KEY", "FAL_KEY", "REPLICATE_API_TOKEN",
                "LUMA_API_KEY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def _example_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("make_example",
                                                  ROOT / "examples" / "make_example.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_example"] = module
    spec.loader.exec_module(module)
    return Path(module.build(tmp_path_factory.mktemp("example")))


@pytest.fixture
def example(tmp_path: Path, _example_source: Path) -> Path:
    """A fresh copy of examples/ farmhouse.otio (640x360, 24 fps, two marked slots)."""
    import shutil

    dest = tmp_path / "example"
    shutil.copytree(_example_source.parent, dest)
    return dest / "farmhouse.otio"
