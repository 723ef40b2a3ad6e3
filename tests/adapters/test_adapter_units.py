"""The small shared pieces: durations and rates, GEN notes, shot words, text decoding."""

from __future__ import annotations

import codecs

import pytest

from pickup.errors import TimelineError
from pickup.otio_adapters._directives import Directive, merge, parse_directive, split_inline_notes
from pickup.otio_adapters._durations import (
    Duration,
    format_rate,
    format_seconds,
    parse_duration,
    parse_rate,
)
from pickup.otio_adapters._shots import is_shot_heading, kind_of_shot
from pickup.otio_adapters._text import decode_text
from pickup.otio_adapters._timeline import mark_text


@pytest.mark.parametrize(("text", "expected"), [
    ("4s", Duration(4.0, "s")), ("4.5", Duration(4.5, "s")), ("4,5s", Duration(4.5, "s")),
    ("96f", Duration(96.0, "f")), ("96 frames", Duration(96.0, "f")),
    ("1m30s", Duration(90.0, "s")), ("2 min", Duration(120.0, "s")),
    ("1:30", Duration(90.0, "s")), ("00:00:04:12", Duration(108.0, "f")),
    (" 3 sec ", Duration(3.0, "s")),
])
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text, rate=24) == expected


def test_bare_numbers_can_mean_frames() -> None:
    assert parse_duration("48", bare="f") == Duration(48.0, "f")
    assert parse_duration("48s", bare="f") == Duration(48.0, "s")


@pytest.mark.parametrize("text", ["", "soon", "0s", "-4s", "4x", "00:00:04:12:00"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text, rate=24)


def test_timecode_needs_a_rate() -> None:
    with pytest.raises(ValueError, match="needs a frame rate"):
        parse_duration("00:00:01:00")


def test_duration_frames() -> None:
    assert Duration(4.0, "s").frames(24) == 96
    assert Duration(48.0, "f").frames(24) == 48
    assert Duration(48.0, "f").frames(48, written_at=24) == 96
    assert Duration(0.001, "s").frames(24) == 1


@pytest.mark.parametrize(("value", "rate"), [
    (24, 24.0), ("25", 25.0), ("25 fps", 25.0), ("23.976", 24000 / 1001),
    ("23.98", 24000 / 1001), ("24000/1001", 24000 / 1001), (29.97, 30000 / 1001),
    ("59.94", 60000 / 1001), ("50p", 50.0),
])
def test_parse_rate(value: object, rate: float) -> None:
    assert parse_rate(value) == pytest.approx(rate, abs=1e-9)


@pytest.mark.parametrize("value", ["fast", "", "0", "-24", "1/0", None, True, "5000"])
def test_bad_rates(value: object) -> None:
    with pytest.raises(ValueError):
        parse_rate(value)


def test_format_rate_and_seconds() -> None:
    assert [format_rate(r) for r in (24.0, 25, 24000 / 1001, 30000 / 1001, 12.5)] == [
        "24", "25", "23.976", "29.97", "12.5"]
    assert format_seconds(180, 24) == "7.5s"
    assert format_seconds(100, 24000 / 1001) == "4.171s"


def test_directives() -> None:
    assert parse_directive("not for pickup", rate=24) is None
    assert parse_directive("GENERAL note", rate=24) is None
    assert parse_directive("GEN", rate=24) == Directive()
    assert parse_directive("GEN stunt", rate=24) == Directive(kind="stunt")
    assert parse_directive("GEN: a prompt", rate=24) == Directive(prompt="a prompt")
    assert parse_directive("GEN duration: 2s", rate=24) == Directive(duration=Duration(2.0, "s"))
    assert parse_directive("gen STYLE:  noir ,  rain", rate=24) == Directive(style="noir , rain")
    assert parse_directive("PICKUP skip", rate=24) == Directive(skip=True)
    assert parse_directive("GEN B-Roll: the\ncity", rate=24) == Directive(kind="broll",
                                                                         prompt="the city")
    with pytest.raises(ValueError, match="not a duration"):
        parse_directive("GEN duration: later", rate=24)


def test_merge_directives() -> None:
    base = Directive(kind="stunt", style="noir", duration=Duration(2.0, "s"))
    top = Directive(kind="insert", prompt="hands")
    assert merge(base, top) == Directive(kind="insert", prompt="hands", style="noir",
                                         duration=Duration(2.0, "s"))
    assert merge(Directive(skip=True), Directive()).skip


def test_split_inline_notes() -> None:
    assert split_inline_notes("Mary [[GEN insert]] waits [[ask]].") == (
        "Mary waits .", ["GEN insert", "ask"])
    assert split_inline_notes("No notes.") == ("No notes.", [])


@pytest.mark.parametrize(("heading", "shot", "kind"), [
    ("CLOSE ON - THE RING", True, "insert"), ("INSERT - LETTER", True, "insert"),
    ("ECU EYE", True, "insert"), ("AERIAL - THE CITY", True, "establishing"),
    ("ANGLE ON MARY", True, None), ("POV FROM THE BIKE", True, None),
    ("SHOT 3 - WIDE", True, None), ("Ms. Smith arrives", False, None),
    ("THE GARDEN - LATER", False, None), ("Wide-eyed, she runs", False, None),
    ("CLOSE-UP: HANDS", True, "insert"), ("TWO-SHOT", True, None), ("Shots ring out", False, None),
])
def test_shot_words(heading: str, shot: bool, kind: str | None) -> None:
    assert is_shot_heading(heading) is shot
    assert kind_of_shot(heading) == kind


def test_mark_text_follows_the_marking_convention() -> None:
    assert mark_text("stunt", "a double\n falls") == "GEN stunt: a double falls"
    assert mark_text("insert", "") == "GEN insert:"
    assert mark_text(None, "free") == "GEN: free"


def test_decode_text() -> None:
    assert decode_text(b"a\r\nb\rc", source="x").text == "a\nb\nc"
    decoded = decode_text(codecs.BOM_UTF8 + b"\xc3\xa9", source="x")
    assert (decoded.text, decoded.encoding, decoded.bom) == ("é", "utf-8-sig", True)
    assert decode_text(codecs.BOM_UTF16_BE + "é".encode("utf-16-be"), source="x").text == "é"
    latin = decode_text(b"ok\n\x81\xe9", source="x")  # 0x81 is not in Windows-1252
    assert latin.encoding == "latin-1" and latin.warnings[0].startswith("line 2")
    with pytest.raises(TimelineError, match="unknown text encoding"):
        decode_text(b"x", source="x", encoding="klingon")
