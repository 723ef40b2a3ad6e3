"""Fountain scripts become timelines of marked slots: kinds, prompts, durations, metadata."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.otio_adapters import fountain
from pickup.otio_adapters._pages import eighths_of_page, estimate_lines
from pickup.otio_adapters._script import Element, ElementKind
from pickup.timeline.marks import parse_mark
from pickup.timeline.slots import find_slots

STYLE = " Style: 35mm film, overcast light, muted teal and amber."


def gaps(timeline: otio.schema.Timeline) -> list[otio.schema.Gap]:
    (track,) = timeline.tracks
    return list(track)


def meta(gap: otio.schema.Gap) -> dict:
    return dict(gap.metadata["pickup"])


def by_label(timeline: otio.schema.Timeline) -> dict[str, otio.schema.Gap]:
    return {g.name.split(" ", 1)[0]: g for g in gaps(timeline)}


@pytest.fixture(scope="module")
def ferry(data_dir: Path) -> otio.schema.Timeline:
    return fountain.read_from_file(data_dir / "last_ferry.fountain")


@pytest.fixture(scope="module")
def night(data_dir: Path) -> otio.schema.Timeline:
    return fountain.read_from_file(data_dir / "night_shift.fountain")


def test_timeline_shape(ferry: otio.schema.Timeline) -> None:
    assert ferry.name == "The Last Ferry"
    assert ferry.global_start_time == otio.opentime.from_timecode("01:00:00:00", 24)
    (track,) = ferry.tracks
    assert track.kind == otio.schema.TrackKind.Video
    assert all(isinstance(item, otio.schema.Gap) for item in track)
    labels = [g.name.split(" ", 1)[0] for g in track]
    # one slot per scene, scene 5 split into three shots, omitted scene 9 left out
    assert labels == ["1", "2", "3", "4", "5/1", "5/2", "5/3", "6", "7", "8", "10"]


def test_every_marker_covers_its_gap(ferry: otio.schema.Timeline) -> None:
    for gap in gaps(ferry):
        if gap.name.startswith("8 "):
            assert list(gap.markers) == []  # [[GEN skip]]
            continue
        (marker,) = gap.markers
        assert marker.marked_range.start_time.value == 0
        assert marker.marked_range.duration == gap.source_range.duration
        mark = parse_mark(marker.name)
        assert mark is not None and mark.tag == "GEN"
        assert (mark.kind, mark.prompt) == (meta(gap)["kind"], meta(gap)["prompt"])


def test_establishing_from_an_exterior_without_dialogue(ferry: otio.schema.Timeline) -> None:
    gap = by_label(ferry)["1"]
    assert gap.markers[0].name == (
        "GEN establishing: EXT. PORTSMOUTH HARBOUR - DAWN. Fog rolls across the empty quay. "
        "Gulls wheel above the moored boats. The old car ferry ISLANDER waits at the ramp, "
        "engines idling." + STYLE)
    assert meta(gap)["source"] == "fountain"
    assert meta(gap)["scene_number"] == "1"
    assert meta(gap)["heading"] == "EXT. PORTSMOUTH HARBOUR - DAWN"
    assert list(meta(gap)["characters"]) == []
    assert meta(gap)["kind_from"] == "exterior without dialogue"


def test_dialogue_is_summarised_as_who_speaks(ferry: otio.schema.Timeline) -> None:
    gap = by_label(ferry)["2"]
    prompt = meta(gap)["prompt"]
    assert prompt.endswith("TANNOY, MARY and WAITRESS talk." + STYLE)
    assert "He promised" not in prompt and "(beat)" not in prompt
    assert "Casting" not in prompt  # an ordinary note stays out
    assert "seven-fifteen board says DELAYED" in prompt  # emphasis markers removed
    assert list(meta(gap)["characters"]) == ["TANNOY", "MARY", "WAITRESS"]
    assert meta(gap)["kind"] == "cutaway"


def test_an_exterior_with_dialogue_gets_the_default_kind(ferry: otio.schema.Timeline) -> None:
    gap = by_label(ferry)["3"]
    assert meta(gap)["kind"] == "cutaway"
    assert list(meta(gap)["characters"]) == ["TOM", "McKENZIE"]  # dual and forced cues


def test_gen_note_sets_kind_and_prompt(ferry: otio.schema.Timeline) -> None:
    gap = by_label(ferry)["4"]
    assert gap.markers[0].name == (
        "GEN stunt: A young man leaps the widening gap between a rising ferry ramp and the car "
        "deck, lands hard and rolls. Handheld, low angle." + STYLE)
    assert meta(gap)["kind_from"] == "note"


def test_shots_split_a_scene(ferry: otio.schema.Timeline) -> None:
    slots = by_label(ferry)
    main, close, insert = slots["5/1"], slots["5/2"], slots["5/3"]
    assert [meta(g)["scene_number"] for g in (main, close, insert)] == ["5", "5", "5"]
    assert [meta(g)["shot"] for g in (main, close, insert)] == ["1", "2", "3"]
    assert meta(close)["shot_heading"] == "CLOSE ON - THE VELVET BOX"
    assert meta(close)["prompt"] == ("INT. FERRY - PASSENGER LOUNGE - DAY. CLOSE ON - THE VELVET "
                                     "BOX. Inside, a worn gold ring." + STYLE)
    assert (meta(close)["kind"], meta(insert)["kind"]) == ("insert", "insert")
    assert list(meta(main)["characters"]) == ["TOM", "MARY"]
    assert list(meta(close)["characters"]) == []
    assert "velvet box across the table" in meta(main)["prompt"]


def test_est_heading_and_frame_duration_note(ferry: otio.schema.Timeline) -> None:
    gap = by_label(ferry)["7"]
    assert meta(gap)["kind"] == "establishing"
    assert gap.source_range.duration == otio.opentime.RationalTime(96, 24)
    assert meta(gap)["duration_from"] == "note"


def test_seconds_duration_note(ferry: otio.schema.Timeline) -> None:
    assert by_label(ferry)["2"].source_range.duration.value == 6 * 24


def test_skip_note_leaves_an_unmarked_gap_of_the_scene_length(
        ferry: otio.schema.Timeline) -> None:
    gap = by_label(ferry)["8"]
    assert list(gap.markers) == []
    assert meta(gap)["marked"] is False
    assert gap.source_range.duration.value > 0


def test_multi_line_gen_note(ferry: otio.schema.Timeline) -> None:
    gap = by_label(ferry)["10"]
    assert gap.markers[0].name == ("GEN establishing: The house seen from the overgrown garden, "
                                   "one kitchen window lit." + STYLE)


def test_page_length_durations(ferry: otio.schema.Timeline) -> None:
    # an eighth of a page is 7.5 s; scene 1 has 11 printed lines -> 2/8 -> 15 s
    gap = by_label(ferry)["1"]
    assert meta(gap)["page_eighths"] == 2
    assert gap.source_range.duration.value == 15 * 24
    assert meta(gap)["duration_from"] == "page estimate"


def test_timeline_metadata(ferry: otio.schema.Timeline) -> None:
    info = ferry.metadata["pickup"]
    assert info["source"] == "fountain"
    assert info["style"] == "35mm film, overcast light, muted teal and amber"
    assert info["title_page"]["Contact"] == "Quill Pictures\n12 Harbour Row, Portsmouth"
    assert info["scenes"] == 10 and info["slots"] == 11
    assert list(info["warnings"]) == []


def test_pickup_finds_every_marked_slot(ferry: otio.schema.Timeline) -> None:
    slots = find_slots(ferry, rate=24, start_frame=86400)
    marked = [g for g in gaps(ferry) if g.markers]
    assert len(slots) == len(marked) == 10
    assert [s.kind for s in slots] == [meta(g)["kind"] for g in marked]
    assert [s.prompt for s in slots] == [meta(g)["prompt"] for g in marked]
    assert all(s.mark == "marker" and s.item == "gap" and not s.filled for s in slots)
    assert slots[0].id == "V1-01000000"


def test_file_without_title_is_named_after_the_file(night: otio.schema.Timeline) -> None:
    assert night.name == "night_shift"


def test_prologue_and_automatic_scene_numbers(night: otio.schema.Timeline) -> None:
    first, second = gaps(night)[:2]
    assert first.name == "prologue"
    assert meta(first)["scene_number"] is None and meta(first)["heading"] is None
    assert meta(first)["prompt"].startswith("COLD OPEN. A SIREN WAILS")
    assert meta(second)["scene_number"] == "1"
    assert meta(second)["heading"] == "SNIPER'S NEST - ROOFTOP - NIGHT"


def test_stunt_words(night: otio.schema.Timeline) -> None:
    slots = by_label(night)
    assert meta(slots["2"])["kind"] == "stunt"       # fight, falls
    assert meta(slots["3/1"])["kind"] == "stunt"     # chase, crash
    assert meta(slots["3/3"])["kind"] == "stunt"     # jumps
    assert meta(slots["5/1"])["kind"] == "stunt"     # explosion
    assert meta(slots["4"])["kind"] == "cutaway"     # "falls asleep" is no stunt


def test_section_shots(night: otio.schema.Timeline) -> None:
    slots = by_label(night)
    assert meta(slots["3/2"])["shot_heading"] == "SHOT 1 - WIDE ON THE MARKET"
    assert meta(slots["3/2"])["kind"] == "establishing"


def test_cont_d_extension_is_one_speaker(night: otio.schema.Timeline) -> None:
    gap = by_label(night)["4"]
    assert list(meta(gap)["characters"]) == ["DEV", "PRIYA"]
    assert meta(gap)["prompt"].endswith("DEV and PRIYA talk.")


def test_long_prompts_are_shortened(night: otio.schema.Timeline) -> None:
    prompt = meta(by_label(night)["6"])["prompt"]
    assert len(prompt) <= 800
    assert prompt.endswith("…")
    assert prompt.startswith("INT. HOSPITAL - CORRIDOR - NIGHT. The corridor stretches away")


def test_single_speaker(night: otio.schema.Timeline) -> None:
    assert meta(by_label(night)["7"])["prompt"].endswith("PRIYA speaks.")


# -- keyword arguments --------------------------------------------------------------

SHORT = """Title: Short

INT. HOUSE - DAY #4#

Mary waits.

.CLOSE ON - THE CLOCK

Tick.
"""


def test_rate_and_default_kind_and_start(data_dir: Path) -> None:
    timeline = fountain.read_from_string(SHORT, rate="25", default_kind="broll",
                                         start_timecode="")
    first = gaps(timeline)[0]
    assert first.source_range.duration.rate == 25
    assert first.source_range.duration.value == 188  # 7.5 s at 25 fps, rounded
    assert meta(first)["kind"] == "broll"
    assert timeline.global_start_time is None


def test_ntsc_rate() -> None:
    timeline = fountain.read_from_string(SHORT, rate=23.976)
    assert gaps(timeline)[0].source_range.duration.rate == pytest.approx(24000 / 1001)


def test_split_shots_off_keeps_one_slot_per_scene() -> None:
    timeline = fountain.read_from_string(SHORT, split_shots="false")
    (gap,) = gaps(timeline)
    assert "CLOSE ON - THE CLOCK. Tick." in meta(gap)["prompt"]


def test_seconds_per_page_and_lines_per_page() -> None:
    timeline = fountain.read_from_string(SHORT, seconds_per_page=80, lines_per_page=40)
    first = gaps(timeline)[0]
    assert first.source_range.duration.value == 10 * 24  # 1/8 of 80 s


def test_style_note_before_the_first_scene_and_global_duration() -> None:
    text = "[[GEN style: noir]]\n[[GEN duration: 3s]]\n\n" + SHORT.split("\n", 2)[2]
    timeline = fountain.read_from_string(text)
    assert [g.source_range.duration.value for g in gaps(timeline)] == [72, 72]
    assert all(meta(g)["prompt"].endswith("Style: noir.") for g in gaps(timeline))
    assert all(meta(g)["duration_from"] == "script note" for g in gaps(timeline))


@pytest.mark.parametrize(("note", "frames"), [
    ("4s", 96), ("4.5", 108), ("96f", 96), ("1m", 1440), ("0:02", 48), ("00:00:01:12", 36),
])
def test_duration_note_formats(note: str, frames: int) -> None:
    text = f"INT. HOUSE - DAY\n\nMary waits. [[GEN duration: {note}]]\n"
    assert gaps(fountain.read_from_string(text))[0].source_range.duration.value == frames


@pytest.mark.parametrize(("note", "kind", "prompt"), [
    ("[[GEN]]", "cutaway", "INT. HOUSE - DAY. Mary waits."),
    ("[[GEN plate]]", "plate", "INT. HOUSE - DAY. Mary waits."),
    ("[[GEN kind: b-roll]]", "broll", "INT. HOUSE - DAY. Mary waits."),
    ("[[GEN prompt: a clock on the wall]]", "cutaway", "a clock on the wall"),
    ("[[PICKUP insert: her hands]]", "insert", "her hands"),
    ("[[gen a slow push-in on Mary]]", "cutaway", "a slow push-in on Mary"),
])
def test_gen_note_forms(note: str, kind: str, prompt: str) -> None:
    text = f"INT. HOUSE - DAY\n\nMary waits. {note}\n"
    gap = gaps(fountain.read_from_string(text))[0]
    assert (meta(gap)["kind"], meta(gap)["prompt"]) == (kind, prompt)


def test_later_note_wins() -> None:
    text = "INT. HOUSE - DAY\n\n[[GEN stunt]]\n\nMary waits.\n\n[[GEN insert]]\n"
    assert meta(gaps(fountain.read_from_string(text))[0])["kind"] == "insert"


# -- page estimate ------------------------------------------------------------------------

def test_page_estimate_counts_spacing_wrapping_and_dual_columns() -> None:
    heading = Element(ElementKind.HEADING, "INT. HOUSE - DAY")
    action = Element(ElementKind.ACTION, "word " * 30)          # 150 chars: 3 lines at 60
    cue = Element(ElementKind.CHARACTER, "MARY")
    line = Element(ElementKind.DIALOGUE, "Hello there.")
    dual_cue = Element(ElementKind.CHARACTER, "JOHN", dual=True)
    dual_line = Element(ElementKind.DIALOGUE, "Hi.", dual=True)
    note = Element(ElementKind.NOTE, "GEN stunt")
    assert estimate_lines([heading]) == 3
    assert estimate_lines([heading, action]) == 3 + 4
    assert estimate_lines([heading, cue, line]) == 3 + 3
    assert estimate_lines([heading, cue, line, dual_cue, dual_line]) == 3 + 3
    assert estimate_lines([heading, note, action]) == 3 + 4
    assert eighths_of_page(1) == 1 and eighths_of_page(55) == 8 and eighths_of_page(56) == 9
