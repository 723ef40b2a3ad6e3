"""The plugin manifest: OTIO and otioconvert find the three adapters after install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import opentimelineio as otio
import pytest

import pickup.otio_adapters

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(("suffix", "name"), [
    ("fountain", "fountain"), ("spmd", "fountain"), ("fdx", "fdx"), ("csv", "shotlist"),
])
def test_suffixes_are_registered(suffix: str, name: str) -> None:
    assert otio.adapters.from_filepath(f"film.{suffix}").name == name


def test_features() -> None:
    assert otio.adapters.from_name("fountain").has_feature("read")
    assert not otio.adapters.from_name("fountain").has_feature("write")
    assert otio.adapters.from_name("fdx").has_feature("read_from_file")
    assert otio.adapters.from_name("shotlist").has_feature("write_to_file")
    assert otio.adapters.from_name("shotlist").has_feature("read_from_string")


def test_package_exports_the_adapter_modules() -> None:
    assert pickup.otio_adapters.__all__ == ["fdx", "fountain", "shotlist"]
    assert pickup.otio_adapters.__doc__


def test_read_through_otio_by_suffix(data_dir: Path) -> None:
    fountain_tl = otio.adapters.read_from_file(str(data_dir / "last_ferry.fountain"))
    fdx_tl = otio.adapters.read_from_file(str(data_dir / "last_ferry.fdx"), rate=25)
    csv_tl = otio.adapters.read_from_file(str(data_dir / "shotlist.csv"))
    assert isinstance(fountain_tl, otio.schema.Timeline)
    assert fountain_tl.name == fdx_tl.name == "The Last Ferry"
    assert fdx_tl.tracks[0][0].source_range.duration.rate == 25
    assert len(csv_tl.tracks[0]) == 5


def test_read_from_string_through_otio() -> None:
    timeline = otio.adapters.read_from_string("INT. HOUSE - DAY\n\nQuiet.\n", "fountain")
    assert timeline.tracks[0][0].markers[0].name == "GEN cutaway: INT. HOUSE - DAY. Quiet."


def test_write_shotlist_through_otio(data_dir: Path, tmp_path: Path) -> None:
    timeline = otio.adapters.read_from_file(str(data_dir / "last_ferry.fountain"))
    out = tmp_path / "shots.csv"
    otio.adapters.write_to_file(timeline, str(out))
    assert out.read_text().startswith("Scene,Shot,Heading,Kind,Prompt,Duration")


def test_otioconvert_fountain_to_otio(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ferry.otio"
    result = subprocess.run(
        [str(BIN / "otioconvert"), "-i", str(data_dir / "last_ferry.fountain"), "-o", str(out),
         "-a", "rate=25", "-a", "default_kind=broll"],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    timeline = otio.adapters.read_from_file(str(out))
    assert timeline.name == "The Last Ferry"
    assert timeline.tracks[0][0].source_range.duration.rate == 25
    assert timeline.tracks[0][0].metadata["pickup"]["scene_number"] == "1"


def test_otioconvert_ends_with_the_clear_message(tmp_path: Path) -> None:
    # otioconvert's console script prints a traceback for any error; its last line is ours.
    bad = tmp_path / "bad.fountain"
    bad.write_text("INT. HOUSE - DAY\n\n/* never closed\n")
    result = subprocess.run(
        [str(BIN / "otioconvert"), "-i", str(bad), "-o", str(tmp_path / "x.otio")],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"pickup.otio_adapters._errors.AdapterError: {bad}, line 3: unclosed boneyard: '/*' is "
        "never closed by '*/' and would hide the rest of the script (close the boneyard with */ "
        "or delete the /*)")
