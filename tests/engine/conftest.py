"""Fixtures for the engine tests: a tiny OTIO cut with two GEN gaps, a fake provider."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio
import pytest

HERE = Path(__file__).resolve().parent
RATE = 24


def _clip(name: str, media: Path, frames: int) -> otio.schema.Clip:
    ref = otio.schema.ExternalReference(
        target_url=media.resolve().as_uri(),
        available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                                otio.opentime.RationalTime(24, RATE)))
    return otio.schema.Clip(name=name, media_reference=ref, source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, RATE), otio.opentime.RationalTime(frames, RATE)))


def _gap(frames: int, text: str) -> otio.schema.Gap:
    gap = otio.schema.Gap(duration=otio.opentime.RationalTime(frames, RATE))
    gap.markers.append(otio.schema.Marker(name=text, marked_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, RATE), otio.opentime.RationalTime(0, RATE))))
    return gap


def write_cut(folder: Path, media: Path) -> Path:
    """``folder/cut.otio`` at 01:00:00:00, 24 fps: clip, GEN gap (10 f), clip, GEN gap
    (7 f), clip, the clips on ``media``."""
    tl = otio.schema.Timeline(name="cut")
    tl.global_start_time = otio.opentime.RationalTime(86400, RATE)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    track.append(_clip("A001", media, 12))
    track.append(_gap(10, "GEN establishing: a farmhouse at dusk"))
    track.append(_clip("A002", media, 12))
    track.append(_gap(7, "GEN insert: a hand on a doorknob"))
    track.append(_clip("A003", media, 12))
    path = folder / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    return path


@pytest.fixture
def cut(tmp_path: Path, make_video: Callable[..., Path]) -> Path:
    """:func:`write_cut` in tmp_path, on a 24-frame clip."""
    return write_cut(tmp_path, make_video(24))


@pytest.fixture
def fake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment that makes provider ``fake`` (tests/engine/fakeprov.py) available."""
    state = tmp_path / "server"
    state.mkdir()
    env = {
        "PICKUP_PROVIDER_MODULES": "fake=tests.engine.fakeprov:FakeProvider",
        "FAKE_PROVIDER_DIR": str(state),
        "FAKE_LATENCY": "0.15",
        "PICKUP_CONFIG": str(tmp_path / "no-config.toml"),
        "PYTHONPATH": os.pathsep.join([str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PICKUP_TEST_CRASH_AT", raising=False)
    return env
