"""Shot lists (CSV): columns found by header, rows become marked slots, and writing back keeps
every row and column while recording status, take and provider."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.errors import TimelineError
from pickup.otio_adapters import fountain, shotlist
from pickup.otio_adapters._shotlist_columns import match_columns
from pickup.timeline.slots import find_slots


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture()
def shots(data_dir: Path) -> otio.schema.Timeline:
    return shotlist.read_from_file(data_dir / "shotlist.csv")


def test_rows_become_marked_slots_in_row_order(shots: otio.schema.Timeline) -> None:
    gaps = list(shots.tracks[0])
    assert [g.name for g in gaps] == ["1/1A", "1/1B", "2/2A", "3/3A", "4/4A"]
    assert [g.source_range.duration.value for g in gaps] == [96, 96, 108, 84, 48]
    assert [g.markers[0].name for g in gaps] == [
        "GEN establishing: Wide on the harbour at dawn, fog on the water",
        "GEN broll: Gulls over the moored boats",
        "GEN cutaway: Mary at the cafe window, rain on the glass",
        "GEN stunt: Tom leaps the gap onto the car deck",
        "GEN insert: Insert: the velvet box opens",
    ]
    info = gaps[2].metadata["pickup"]
    assert (info["scene_number"], info["shot"], info["status"], info["source"]) == (
        "2", "2A", "approved", "shotlist")
    assert info["notes"] == 'keep the "teal" look'
    assert info["shotlist_row"]["Lens"] == "50mm"
    assert shots.name == "shotlist"


def test_pickup_finds_the_slots(shots: otio.schema.Timeline) -> None:
    found = find_slots(shots, rate=24, start_frame=86400)
    assert [s.kind for s in found] == ["establishing", "broll", "cutaway", "stunt", "insert"]
    assert found[1].start == 96


def test_round_trip_keeps_every_row_and_column_byte_for_byte(
        data_dir: Path, shots: otio.schema.Timeline, tmp_path: Path) -> None:
    out = tmp_path / "back.csv"
    shotlist.write_to_file(shots, out)
    original = (data_dir / "shotlist.csv").read_bytes()
    assert out.read_bytes() == original.replace(b"\r\n\r\n", b"\r\n")  # the empty row goes
    assert rows_of(out.read_text()) == [r for r in rows_of(original.decode()) if r]


def test_round_trip_through_otio_json(shots: otio.schema.Timeline) -> None:
    again = otio.adapters.read_from_string(otio.adapters.write_to_string(shots, "otio_json"),
                                           "otio_json")
    assert shotlist.write_to_string(again) == shotlist.write_to_string(shots)


def test_writing_a_filled_timeline_records_status_take_and_provider(
        shots: otio.schema.Timeline) -> None:
    track = shots.tracks[0]
    gap = track[1]
    clip = otio.schema.Clip(name="V1-01000400_T02", source_range=gap.source_range)
    clip.set_media_references({
        "T01": otio.schema.ExternalReference(target_url="/takes/t01.mov"),
        "T02": otio.schema.ExternalReference(target_url="/takes/t02.mov"),
    }, "T02")
    clip.metadata["pickup"] = {"slot_id": "V1-01000400", "kind": "broll",
                               "prompt": "Gulls over the moored boats", "provider": "previz",
                               "status": "temp", "shotlist_row": dict(gap.metadata["pickup"][
                                   "shotlist_row"])}
    track[1] = clip
    track[2].source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(120, 24))
    rows = rows_of(shotlist.write_to_string(shots))
    header = rows[0]
    assert header == ["Sc.", "Shot #", "Description", "Dur", "Type", "Rate", "Camera", "Lens",
                      "Status", "Notes", "Take", "Provider", "Slot", "Media"]
    filled = dict(zip(header, rows[2], strict=True))
    assert filled == {"Sc.": "1", "Shot #": "1B", "Description": "Gulls over the moored boats",
                      "Dur": "96f", "Type": "broll", "Rate": "24", "Camera": "B", "Lens": "85mm",
                      "Status": "temp", "Notes": "first unit", "Take": "T02",
                      "Provider": "previz", "Slot": "V1-01000400", "Media": "/takes/t02.mov"}
    retimed = dict(zip(header, rows[3], strict=True))
    assert retimed["Dur"] == "5"  # 120 frames, written as the row wrote it (bare seconds)
    assert retimed["Status"] == "approved"
    assert len(rows) == 6 and all(len(r) == len(header) for r in rows)


def test_a_clip_stacked_over_its_gap_gives_one_row(shots: otio.schema.Timeline) -> None:
    gap = shots.tracks[0][0]
    top = otio.schema.Track(name="V2")
    clip = otio.schema.Clip(name="take", source_range=gap.source_range,
                            media_reference=otio.schema.ExternalReference(target_url="/t.mov"))
    clip.metadata["pickup"] = {"slot_id": "V1-01000000", "take": "T01", "provider": "runway",
                               "status": "approved"}
    top.append(clip)
    shots.tracks.append(top)
    rows = rows_of(shotlist.write_to_string(shots))
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["Shot #"], first["Lens"], first["Take"], first["Provider"], first["Status"]) == (
        "1A", "24mm", "T01", "runway", "approved")


def test_clip_metadata_is_read_defensively(shots: otio.schema.Timeline) -> None:
    gap = shots.tracks[0][0]
    clip = otio.schema.Clip(name="odd", source_range=gap.source_range)
    clip.metadata["pickup"] = {"slot_id": ["not", "text"], "take": {"a": 1}, "provider": 7,
                               "row": 1}
    shots.tracks[0][0] = clip
    rows = rows_of(shotlist.write_to_string(shots))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Provider"] == "7"
    assert first["Shot #"] == "1A"  # the original row found again through "row"
    assert "Slot" not in first


def test_write_a_screenplay_timeline_as_a_new_shot_list(data_dir: Path) -> None:
    timeline = fountain.read_from_file(data_dir / "last_ferry.fountain")
    rows = rows_of(shotlist.write_to_string(timeline))
    assert rows[0] == ["Scene", "Shot", "Heading", "Kind", "Prompt", "Duration", "Rate",
                       "Status", "Take", "Provider", "Notes"]
    assert len(rows) == 1 + 10  # the skipped scene has no mark and no slot
    assert rows[1][:4] == ["1", "", "EXT. PORTSMOUTH HARBOUR - DAWN", "establishing"]
    assert rows[1][5:7] == ["15s", "24"]
    assert [r[1] for r in rows[5:8]] == ["1", "2", "3"]
    back = shotlist.read_from_string(shotlist.write_to_string(timeline))
    assert [m.name for g in back.tracks[0] for m in g.markers] == [
        m.name for g in timeline.tracks[0] for m in g.markers]


@pytest.mark.parametrize(("header", "expected"), [
    (["Scene #", "Shot No.", "DESCRIPTION", "Length"],
     {"scene": 0, "shot": 1, "prompt": 2, "duration": 3}),
    (["sc", "shot_number", "Prompt", "dur (f)", "FPS"],
     {"scene": 0, "shot": 1, "prompt": 2, "duration": 3, "rate": 4}),
    (["Scene Number", "Shot Type", "Action", "Frames", "Comments", "Active Take"],
     {"scene": 0, "kind": 1, "prompt": 2, "duration": 3, "notes": 4, "take": 5}),
])
def test_header_synonyms(header: list[str], expected: dict[str, int]) -> None:
    assert match_columns(header).positions == expected


def test_frames_column_and_per_row_rates() -> None:
    text = "Shot,Prompt,Frames,FPS\n1,a,50,25\n2,b,48,\n"
    timeline = shotlist.read_from_string(text)
    gaps = list(timeline.tracks[0])
    assert gaps[0].source_range.duration.rate == 25  # the first row's rate is the timeline's
    assert [g.source_range.duration.value for g in gaps] == [50, 48]


def test_kind_is_the_first_word_of_the_cell() -> None:
    text = "Type,Prompt\nEstablishing shot,a farm\nB-Roll footage,wheat\n"
    timeline = shotlist.read_from_string(text)
    assert [g.markers[0].name for g in timeline.tracks[0]] == [
        "GEN establishing: a farm", "GEN broll: wheat"]
    assert shotlist.write_to_string(timeline) == text  # the cells are kept as written


def test_rate_argument_rescales_frames() -> None:
    timeline = shotlist.read_from_string("Shot,Prompt,Dur,Rate\n1,a,48f,24\n", rate=48)
    assert timeline.tracks[0][0].source_range.duration.value == 96


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_are_kept(delimiter: str) -> None:
    text = delimiter.join(["Scene", "Description", "Duration"]) + "\n" + delimiter.join(
        ["1", "a wide shot, at dusk", "3s"]) + "\n"
    timeline = shotlist.read_from_string(text)
    assert timeline.tracks[0][0].markers[0].name == "GEN cutaway: a wide shot, at dusk"
    assert shotlist.write_to_string(timeline) == text


def test_missing_duration_and_kind_use_the_defaults() -> None:
    timeline = shotlist.read_from_string("Description\nA field\n", default_duration="2s",
                                         default_kind="plate")
    (gap,) = timeline.tracks[0]
    assert gap.source_range.duration.value == 48
    assert gap.markers[0].name == "GEN plate: A field"
    assert shotlist.write_to_string(timeline) == "Description\nA field\n"  # as it was


def test_bom_and_encoding_are_kept_when_writing(tmp_path: Path) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes(b"\xef\xbb\xbfScene,Description\r\n1,Caf\xc3\xa9 at dawn\r\n")
    timeline = shotlist.read_from_file(source)
    assert timeline.tracks[0][0].markers[0].name == "GEN cutaway: Café at dawn"
    out = tmp_path / "out.csv"
    shotlist.write_to_file(timeline, out)
    assert out.read_bytes() == source.read_bytes()


def test_extra_cells_beyond_the_header_are_kept() -> None:
    text = "Scene,Description\r\n1,a,stray\r\n"
    timeline = shotlist.read_from_string(text)
    assert rows_of(shotlist.write_to_string(timeline)) == [["Scene", "Description", ""],
                                                          ["1", "a", "stray"]]


def test_bad_duration_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Shot,Prompt,Dur\n1,a,4s\n2,b,soon\n")
    with pytest.raises(TimelineError) as caught:
        shotlist.read_from_file(path)
    assert caught.value.where == f"{path}, line 3"
    assert caught.value.message.startswith("column 'Dur': 'soon' is not a duration")


@pytest.mark.parametrize(("text", "message"), [
    ("Camera,Lens\nA,50mm\n", "no column of the header is one Pickup knows"),
    ("Scene,Description\n", "a header but no rows"),
    ("Scene,Rate\n1,fast\n", "column 'Rate': 'fast' is not a frame rate"),
    ('Scene,Description\n1,"unclosed\n2,b\n', "line 2: a quoted cell is never closed"),
])
def test_unreadable_shot_lists(text: str, message: str) -> None:
    with pytest.raises(TimelineError, match=message):
        shotlist.read_from_string(text)


def test_writing_something_that_is_not_a_timeline() -> None:
    with pytest.raises(TimelineError, match="not a Clip"):
        shotlist.write_to_string(otio.schema.Clip())
