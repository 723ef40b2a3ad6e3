"""Malformed input: a sensible parse, or an error that names the file, the line and the cause."""

from __future__ import annotations

import codecs
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.errors import TimelineError
from pickup.otio_adapters import fountain
from pickup.timeline.read import read_timeline

SCRIPT = "Title: Ferry\n\nINT. HOUSE - DAY #1#\n\nMary waits. The kettle boils.\n\nMARY\nTea?\n"


def write(tmp_path: Path, data: bytes, name: str = "film.fountain") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def slots(timeline: otio.schema.Timeline) -> list[tuple]:
    return [(g.name, g.source_range.duration.value, [m.name for m in g.markers])
            for g in timeline.tracks[0]]


def test_unclosed_boneyard_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"INT. HOUSE - DAY\n\nMary waits.\n\n/* cut this\n\nEXT. GARDEN - DAY\n")
    with pytest.raises(TimelineError) as caught:
        fountain.read_from_file(path)
    error = caught.value
    assert error.where == f"{path}, line 5"
    assert "unclosed boneyard" in error.message
    assert error.hint and "*/" in error.hint
    assert isinstance(error, otio.exceptions.OTIOError)  # otioconvert prints it in one line


def test_unclosed_gen_note_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, b"INT. HOUSE - DAY\n\nMary waits. [[GEN stunt: she\n\nfalls\n")
    with pytest.raises(TimelineError) as caught:
        fountain.read_from_file(path)
    assert caught.value.where == f"{path}, line 3"
    assert "unclosed note" in caught.value.message


def test_unclosed_ordinary_note_is_kept_as_text_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, b"INT. HOUSE - DAY\n\nMary waits [[ask Bob\n\nShe sits.\n")
    timeline = fountain.read_from_file(path)
    assert "Mary waits [[ask Bob" in timeline.tracks[0][0].metadata["pickup"]["prompt"]
    assert any("line 3" in w for w in timeline.metadata["pickup"]["warnings"])


def test_note_spanning_lines_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, b"INT. HOUSE - DAY\n\nMary waits. [[GEN insert:\nher hands on\nthe cup]]"
                           b" She sits.\n")
    (gap,) = fountain.read_from_file(path).tracks[0]
    assert gap.markers[0].name == "GEN insert: her hands on the cup"


def test_no_scene_headings_is_an_error_that_says_what_a_heading_is(tmp_path: Path) -> None:
    path = write(tmp_path, b"Title: Notes\n\nJust some prose about a film.\n\nMore prose.\n")
    with pytest.raises(TimelineError) as caught:
        fountain.read_from_file(path)
    assert caught.value.where == str(path)
    assert "no scene headings" in caught.value.message
    assert "INT. KITCHEN - DAY" in (caught.value.hint or "")


def test_windows_line_endings_read_the_same(tmp_path: Path) -> None:
    unix = fountain.read_from_file(write(tmp_path, SCRIPT.encode(), "unix.fountain"))
    windows = fountain.read_from_file(
        write(tmp_path, SCRIPT.replace("\n", "\r\n").encode(), "windows.fountain"))
    old_mac = fountain.read_from_file(
        write(tmp_path, SCRIPT.replace("\n", "\r").encode(), "mac.fountain"))
    assert slots(unix) == slots(windows) == slots(old_mac)
    assert windows.name == "Ferry"
    assert "\r" not in windows.tracks[0][0].markers[0].name


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    plain = fountain.read_from_file(write(tmp_path, SCRIPT.encode(), "plain.fountain"))
    bom = fountain.read_from_file(write(tmp_path, codecs.BOM_UTF8 + SCRIPT.encode(), "b.fountain"))
    utf16 = fountain.read_from_file(write(tmp_path, SCRIPT.encode("utf-16"), "u16.fountain"))
    assert bom.name == utf16.name == "Ferry"
    assert slots(plain) == slots(bom) == slots(utf16)


def test_windows_1252_bytes_are_read_with_a_warning(tmp_path: Path) -> None:
    data = SCRIPT.replace("Mary waits.", "Zoë waits at the café.").encode("cp1252")
    timeline = fountain.read_from_file(write(tmp_path, data))
    assert "Zoë waits at the café." in timeline.tracks[0][0].metadata["pickup"]["prompt"]
    (warning,) = timeline.metadata["pickup"]["warnings"]
    assert warning.startswith("line 5: the file is not UTF-8")
    assert timeline.metadata["pickup"]["encoding"] == "cp1252"


def test_insisting_on_utf8_names_the_bad_line(tmp_path: Path) -> None:
    path = write(tmp_path, SCRIPT.replace("Tea?", "Café?").encode("cp1252"))
    with pytest.raises(TimelineError) as caught:
        fountain.read_from_file(path, encoding="utf-8")
    assert caught.value.where == f"{path}, line 8"
    assert "byte 0xe9 is not valid utf-8" in caught.value.message


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"   \n\n  \n", "the file is empty"),
    (b"\x00\x01\x02PK\x03\x04" * 20, "binary file"),
])
def test_empty_and_binary_files(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(TimelineError, match=message):
        fountain.read_from_file(write(tmp_path, data))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TimelineError, match="no such file"):
        fountain.read_from_file(tmp_path / "nope.fountain")


def test_bad_duration_note_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, b"INT. HOUSE - DAY\n\nMary waits.\n\n[[GEN duration: a while]]\n")
    with pytest.raises(TimelineError) as caught:
        fountain.read_from_file(path)
    assert caught.value.where == f"{path}, line 5"
    assert "'a while' is not a duration" in caught.value.message


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rate": "fast"}, "rate: 'fast' is not a frame rate"),
    ({"rate": 0}, "between 0 and 1000"),
    ({"default_kind": "two words"}, "must be one word"),
    ({"lines_per_page": 0}, "lines_per_page=0 must be a whole number"),
    ({"start_timecode": "noon"}, "start_timecode 'noon' is not a timecode"),
])
def test_bad_keyword_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(TimelineError, match=message):
        fountain.read_from_string(SCRIPT, **kwargs)


def test_only_omitted_scenes(tmp_path: Path) -> None:
    with pytest.raises(TimelineError, match="every scene is omitted"):
        fountain.read_from_file(write(tmp_path, b".OMITTED #1#\n\n.OMITTED #2#\n"))


def test_pickups_reader_passes_the_message_through(tmp_path: Path) -> None:
    path = write(tmp_path, b"INT. HOUSE - DAY\n\n/* never closed\n")
    with pytest.raises(TimelineError) as caught:
        read_timeline(path)
    assert caught.value.where == f"{path}, line 3"
    assert "unclosed boneyard" in caught.value.message


def test_pickups_reader_reads_a_fountain_file(data_dir: Path) -> None:
    loaded = read_timeline(data_dir / "last_ferry.fountain")
    assert loaded.format.adapter == "fountain"
    assert loaded.rate == 24
    assert loaded.start_frame == 86400
    assert loaded.timeline.name == "The Last Ferry"
