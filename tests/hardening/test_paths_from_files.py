"""Names from files (slot ids in OTIO metadata, server file names) never reach a path
outside the project folder."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.errors import InputError
from pickup.project import Project
from pickup.timeline import read_timeline
from pickup.timeline.names import confined, is_safe_id, safe_component, safe_suffix
from pickup.timeline.slots import find_slots
from tests.hardening.helpers import cut_text, run_cli

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange

HOSTILE = ["../../../escape_target/x", "/tmp/abs_escape", "a\0b", "..\\..\\win",
           "x" * 5000, "CON", "nul.mov", "..", ".", "", "a/b", "\u202e.mov", " ", "~/home"]


def _cut(folder: Path, slot_id: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cut.otio"
    path.write_text(cut_text(slot_id=slot_id))
    return path


@pytest.mark.parametrize("name", HOSTILE)
def test_safe_component_stays_in_its_folder(name: str, tmp_path: Path) -> None:
    part = safe_component(name)
    assert is_safe_id(part)
    assert "/" not in part and "\\" not in part and "\0" not in part and ".." not in part
    assert part.split(".")[0].upper() not in {"CON", "NUL"}
    assert confined(tmp_path, tmp_path / part) == tmp_path / part


def test_plain_ids_are_kept() -> None:
    assert safe_component("V1-01000200") == "V1-01000200"
    assert safe_suffix("out/..\\a.MP4") == ".mp4" and safe_suffix("a.mp4\0x") == ""


def test_confined_refuses_escapes(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="outside the project"):
        confined(tmp_path / "p", tmp_path / "p" / ".." / "x")


@pytest.mark.parametrize("name", ["../x", "/abs", "a\0b"])
def test_project_sub_folders_stay_inside(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError):
        Project(tmp_path / "p").ensure(name)


@pytest.mark.parametrize("name", ["../../../escape_target/x", "/tmp/abs_escape", "a\\..\\b",
                                  "x" * 300])
def test_hostile_slot_id_in_metadata_is_not_used(tmp_path: Path, name: str) -> None:
    cut = _cut(tmp_path / "proj", name)
    loaded = read_timeline(cut)
    slots = find_slots(loaded.timeline, rate=loaded.rate)
    assert len(slots) == 1
    assert slots[0].id == "V1-00000100" and is_safe_id(slots[0].id)


def test_fill_with_hostile_slot_id_writes_only_inside_the_project(tmp_path: Path) -> None:
    cut = _cut(tmp_path / "a" / "b" / "proj", "../../../escape_target/x")
    result = run_cli(["fill", cut, "--size", "64x36", "--profile", "prores_hq"],
                     env={"PICKUP_CONFIG": str(tmp_path / "none.toml")})
    assert result.returncode == 0, result.stderr
    made = {p for p in tmp_path.rglob("*")}
    outside = [p for p in made if not (p == cut.parent or cut.parent in p.parents)
               and p not in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "none.toml")]
    assert outside == []
    assert not (tmp_path / "escape_target").exists()
