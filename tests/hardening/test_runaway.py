"""Runaway work is refused: a slot of 10^9 frames never starts rendering."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.config import load_config
from pickup.errors import ConfigError
from tests.hardening.helpers import one_line_error, run_cli

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange
SMALL = ("--size", "64x36", "--profile", "prores_hq")


def _cut(folder: Path, frames: int) -> Path:
    tl = otio.schema.Timeline(name="t")
    track = otio.schema.Track()
    tl.tracks.append(track)
    for name, length in (("A", 24), (None, frames), ("B", 24)):
        if name is None:
            gap = otio.schema.Gap(source_range=TR(RT(0, 24), RT(length, 24)))
            gap.markers.append(otio.schema.Marker(name="GEN establishing: a farm",
                                                  marked_range=TR(RT(0, 24), RT(length, 24))))
            track.append(gap)
        else:
            track.append(otio.schema.Clip(name=name, source_range=TR(RT(0, 24), RT(length, 24)),
                                          media_reference=otio.schema.MissingReference()))
    path = folder / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    return path


def test_billion_frame_slot_is_refused_before_rendering(tmp_path: Path) -> None:
    cut = _cut(tmp_path, 10**9)
    result = run_cli(["fill", cut, *SMALL], timeout=60,
                     env={"PICKUP_CONFIG": str(tmp_path / "none.toml")})
    assert result.returncode == 2 and one_line_error(result.stderr), result.stderr
    assert "41,666,666.7 s long" in result.stderr and "max_slot_seconds" in result.stderr
    assert not any(tmp_path.rglob("*.mov"))


def test_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cut = _cut(tmp_path, 48)
    env = {"PICKUP_CONFIG": str(tmp_path / "none.toml"), "PICKUP_MAX_SLOT_SECONDS": "1.5"}
    result = run_cli(["fill", cut, *SMALL], env=env)
    assert result.returncode == 2 and "up to 1.5 s" in result.stderr
    config = tmp_path / "config.toml"
    config.write_text("max_slot_seconds = 3\n")
    result = run_cli(["fill", cut, *SMALL], env={"PICKUP_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    monkeypatch.setenv("PICKUP_MAX_SLOT_SECONDS", "lots")
    with pytest.raises(ConfigError, match="number of seconds"):
        load_config(config)
