"""Gaps and clips marked as slots in Pickup (pickup.workflow.marks): kept in the project
state, found by every face's slot discovery, never written into the timeline file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.errors import InputError
from pickup.project import Project
from pickup.timeline import read_timeline
from pickup.workflow import select_slots
from pickup.workflow.marks import discover, locate, mark, read_marks, unmark
from tests.conftest import FIXTURES

RATE = 24


def _project(path: Path) -> Project:
    return Project.find(path)


def test_marking_a_gap_keeps_the_mark_in_the_project_not_the_file(xml_cut: Path) -> None:
    before = xml_cut.read_bytes()
    loaded = read_timeline(xml_cut)
    project = _project(xml_cut)
    target = locate(loaded, at="01:00:01:04")  # inside the hole 24-36
    assert (target.track, target.start, target.duration, target.item) == ("V1", 24, 12, "gap")
    slot = mark(loaded, project, target, kind="establishing", prompt="a farmhouse at dusk")
    assert (slot.id, slot.mark, slot.mark_text) == ("V1-01000100", "project", "marked in Pickup")
    assert (slot.kind, slot.prompt, slot.start, slot.duration) == (
        "establishing", "a farmhouse at dusk", 24, 12)
    assert xml_cut.read_bytes() == before
    data = json.loads(project.marks_path.read_text(encoding="utf-8"))
    assert data["marks"] == [{"track": "V1", "record_in": "01:00:01:00",
                              "record_out": "01:00:01:12", "item": "gap", "clip_name": None,
                              "kind": "establishing", "prompt": "a farmhouse at dusk"}]
    # every face's selection sees it: fill without --all-gaps fills only it
    again = read_timeline(xml_cut)
    assert [s.id for s in select_slots(again, project=project)] == ["V1-01000100"]
    assert project.exists  # marks.json alone makes the folder a project


def test_marking_again_changes_kind_and_prompt(xml_cut: Path) -> None:
    loaded = read_timeline(xml_cut)
    project = _project(xml_cut)
    mark(loaded, project, locate(loaded, at="01:00:01:00"), kind="insert", prompt="keys")
    mark(loaded, project, locate(loaded, at="01:00:01:06"), kind=None, prompt="rain")
    marks = read_marks(project)
    assert [(m.kind, m.prompt) for m in marks] == [(None, "rain")]


def test_a_clip_mark_follows_the_clip_by_name_after_a_re_export(otio_cut: Path) -> None:
    loaded = read_timeline(otio_cut)
    project = _project(otio_cut)
    slot = mark(loaded, project, locate(loaded, clip="A002"), kind="insert",
                prompt="a hand on a doorknob")
    assert (slot.item, slot.item_name, slot.start, slot.duration) == ("clip", "A002", 22, 12)
    # The editor trims a frame off A001 and exports again: A002 now starts a frame early.
    tl = otio.adapters.read_from_file(str(otio_cut))
    first = tl.tracks[0][0]
    rng = first.source_range
    first.source_range = otio.opentime.TimeRange(rng.start_time, otio.opentime.RationalTime(
        rng.duration.value - 1, RATE))
    moved = otio_cut.with_name("cut.v2.otio")
    otio.adapters.write_to_file(tl, str(moved))
    found = discover(read_timeline(moved), project=project)
    marked = [s for s in found if s.mark == "project"]
    assert [(s.item_name, s.start, s.kind) for s in marked] == [("A002", 21, "insert")]


def test_a_mark_that_finds_nothing_is_reported_not_dropped(otio_cut: Path) -> None:
    loaded = read_timeline(otio_cut)
    project = _project(otio_cut)
    mark(loaded, project, locate(loaded, clip="A003"), kind="plate", prompt=None)
    tl = otio.adapters.read_from_file(str(otio_cut))
    tl.tracks[0][4].name = "A003 renamed"
    tl.tracks[0].append(otio.schema.Gap(duration=otio.opentime.RationalTime(5, RATE)))
    tl.tracks[0].insert(0, otio.schema.Gap(duration=otio.opentime.RationalTime(5, RATE)))
    gone = otio_cut.with_name("cut.v3.otio")
    otio.adapters.write_to_file(tl, str(gone))
    warnings: list[str] = []
    found = discover(read_timeline(gone), project=project, warnings=warnings)
    assert not [s for s in found if s.mark == "project"]
    assert warnings == ["the clip 'A003' marked in Pickup at V1 01:00:01:17 is not there any "
                        "more; mark it again in the panel or with `pickup mark`, or drop it "
                        "with `pickup unmark`"]
    assert len(read_marks(project)) == 1  # kept: the editor decides


def test_a_slot_the_file_marks_is_refused(otio_cut: Path) -> None:
    loaded = read_timeline(otio_cut)
    with pytest.raises(InputError) as err:
        mark(loaded, _project(otio_cut), locate(loaded, at="01:00:00:14"), kind="stunt",
             prompt="x")
    assert str(err.value) == (
        f"{otio_cut}: the gap on V1 at 01:00:00:12 is already slot V1-01000012 (marker "
        "'GEN establishing: a farmhouse at dusk') (edit its prompt in the panel or with "
        "pickup fill --slots V1-01000012 --prompt TEXT)")
    assert not _project(otio_cut).marks_path.exists()


def test_unmark_by_slot_and_by_place(xml_cut: Path) -> None:
    loaded = read_timeline(xml_cut)
    project = _project(xml_cut)
    mark(loaded, project, locate(loaded, at="01:00:01:00"), kind="insert", prompt="a")
    mark(loaded, project, locate(loaded, clip="A003"), kind="plate", prompt="b")
    assert unmark(loaded, project, slot_id="V1-01000100").item == "gap"
    gone = unmark(loaded, project, target=locate(loaded, at="01:00:03:05"))
    assert (gone.item, gone.clip_name) == ("clip", "A003")
    assert read_marks(project) == []
    with pytest.raises(InputError, match="nothing is marked in Pickup at V1 01:00:03:00"):
        unmark(loaded, project, target=locate(loaded, at="01:00:03:05"))
    with pytest.raises(InputError, match="slot V1-01000100 is not marked in Pickup"):
        unmark(loaded, project, slot_id="V1-01000100")


def test_a_kind_or_a_prompt_is_needed(xml_cut: Path) -> None:
    loaded = read_timeline(xml_cut)
    with pytest.raises(InputError, match="a slot needs a kind or a prompt"):
        mark(loaded, _project(xml_cut), locate(loaded, at="01:00:01:00"), kind=" ",
             prompt="")


def test_a_damaged_marks_file_is_named(xml_cut: Path) -> None:
    project = _project(xml_cut)
    project.ensure()
    project.marks_path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_marks(project)
    assert "cannot read the slots marked in Pickup" in str(err.value)
    assert str(project.marks_path) in str(err.value)


def test_locate_says_what_is_ambiguous_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "premiere_example.xml"
    shutil.copyfile(FIXTURES / "premiere_example.xml", path)
    loaded = read_timeline(path)
    with pytest.raises(InputError) as err:
        locate(loaded, clip="sc01_sh010_anim.mov")
    assert str(err.value).endswith(
        "3 clips are named 'sc01_sh010_anim.mov' (V1 00:00:17:26, V2 00:00:00:13, "
        "V4 00:00:38:24) (pick one with --at TC and --track)")
    with pytest.raises(InputError, match="no video track A1"):
        locate(loaded, at="00:00:01:00", track="A1")
    with pytest.raises(InputError, match="not a timecode: 'soon'"):
        locate(loaded, at="soon")
    # without --track: the top-most clip at that time (V3's title over V2's gap)
    assert locate(loaded, at="00:00:04:00").name == "test_title"
    assert locate(loaded, at="00:00:04:00", track="v2").item == "gap"
