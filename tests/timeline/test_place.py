"""Placing media into slots: only the slot changes, markers follow, ids survive."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.errors import SlotError
from pickup.timeline import PlacedMedia, Placement, find_slots, place_all, read_timeline
from pickup.timeline.place import PLACEHOLDER_KEY
from tests.conftest import FIXTURES

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


def _marked_timeline(rate: float = 24) -> otio.schema.Timeline:
    def clip(name: str, frames: int) -> otio.schema.Clip:
        return otio.schema.Clip(name=name, media_reference=otio.schema.ExternalReference(
            target_url=f"/media/{name}.mov"), source_range=TR(RT(100, rate), RT(frames, rate)))

    gap = otio.schema.Gap(duration=RT(48, rate))
    gap.markers.append(otio.schema.Marker(name="GEN establishing: a farmhouse at dusk",
                                          marked_range=TR(RT(0, rate), RT(48, rate))))
    slug = otio.schema.Clip(name="GEN stunt: roof jump", media_reference=(
        otio.schema.GeneratorReference(generator_kind="SolidColor")),
        source_range=TR(RT(0, rate), RT(24, rate)))
    slug.markers.append(otio.schema.Marker(name="note on slug",
                                           marked_range=TR(RT(5, rate), RT(0, rate))))
    slug.effects.append(otio.schema.Effect(name="blur", effect_name="Blur"))
    v1 = otio.schema.Track(name="V1", children=[clip("a", 24), gap, clip("b", 24), slug,
                                                 clip("c", 24)])
    v2 = otio.schema.Track(name="V2", children=[otio.schema.Gap(duration=RT(30, rate)),
                                                 clip("title", 10)])
    a1 = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio,
                           children=[clip("sound", 144)])
    tl = otio.schema.Timeline(name="t", tracks=[v1, v2, a1])
    tl.global_start_time = RT(86400, rate)
    return tl


def _media(frames: int, rate: int = 24, path: str = "/tmp/take.mov") -> PlacedMedia:
    return PlacedMedia(path=Path(path), frames=frames, rate=Fraction(rate))


def _items(timeline: otio.schema.Timeline) -> list[tuple[int, str, str]]:
    out = []
    for index, track in enumerate(timeline.tracks):
        for item, rng in track.range_of_all_children().items():
            out.append((index, otio.adapters.write_to_string(item, "otio_json"), str(rng)))
    return out


def test_place_gap_and_placeholder_changes_only_the_slots() -> None:
    tl = _marked_timeline()
    slots = find_slots(tl, rate=24, start_frame=86400)
    assert [s.mark for s in slots] == ["marker", "placeholder"]
    before = _items(tl)
    out = place_all(tl, [Placement(slot=s, media=_media(60)) for s in slots])
    assert _items(tl) == before, "the input timeline must not change"
    v1 = out.tracks[0]
    assert out.tracks[0].duration() == tl.tracks[0].duration()
    # Everything outside the slots compares equal.
    for track_index in (1, 2):
        assert (otio.adapters.write_to_string(out.tracks[track_index], "otio_json")
                == otio.adapters.write_to_string(tl.tracks[track_index], "otio_json"))
    for index in (0, 2, 4):
        assert (otio.adapters.write_to_string(v1[index], "otio_json")
                == otio.adapters.write_to_string(tl.tracks[0][index], "otio_json"))
    filled_gap, filled_slug = v1[1], v1[3]
    assert isinstance(filled_gap, otio.schema.Clip)
    assert filled_gap.name == slots[0].id
    assert filled_gap.duration().value == 48
    assert filled_gap.metadata["pickup"]["slot_id"] == slots[0].id
    assert [m.name for m in filled_gap.markers] == ["GEN establishing: a farmhouse at dusk"]
    assert filled_gap.active_media_reference_key == "T01"
    assert isinstance(filled_gap.media_references()[PLACEHOLDER_KEY],
                      otio.schema.MissingReference)
    # The placeholder keeps its identity: effects, markers at the same record time.
    assert filled_slug.effects[0].effect_name == "Blur"
    assert filled_slug.markers[0].marked_range.start_time.value == 5
    assert isinstance(filled_slug.media_references()[PLACEHOLDER_KEY],
                      otio.schema.GeneratorReference)
    assert filled_slug.metadata["pickup"]["placeholder_name"] == "GEN stunt: roof jump"
    # Scanning the result finds the same slots under the same ids, now filled.
    again = find_slots(out, rate=24, start_frame=86400)
    assert [(s.id, s.filled, s.kind) for s in again] == [(s.id, True, s.kind) for s in slots]


def test_marker_with_duration_fills_part_of_a_gap() -> None:
    tl = _marked_timeline()
    gap = tl.tracks[0][1]
    gap.markers[0].marked_range = TR(RT(12, 24), RT(24, 24))
    slot = find_slots(tl, rate=24)[0]
    assert (slot.start, slot.duration) == (36, 24)
    out = place_all(tl, [Placement(slot=slot, media=_media(30))])
    kinds = [type(i).__name__ for i in out.tracks[0]]
    assert kinds[:5] == ["Clip", "Gap", "Clip", "Gap", "Clip"]
    assert out.tracks[0].range_of_child_at_index(2).start_time.value == 36
    assert out.tracks[0].duration() == tl.tracks[0].duration()


def test_short_media_refused_unless_hold() -> None:
    tl = _marked_timeline()
    slot = find_slots(tl, rate=24)[0]
    with pytest.raises(SlotError, match="--hold"):
        place_all(tl, [Placement(slot=slot, media=_media(20))])
    out = place_all(tl, [Placement(slot=slot, media=_media(20), hold=True)])
    assert out.tracks[0][1].metadata["pickup"]["hold"] is True


def test_different_media_rate_keeps_record_duration() -> None:
    tl = _marked_timeline()
    slot = find_slots(tl, rate=24)[0]
    out = place_all(tl, [Placement(slot=slot, media=_media(90, rate=30))])
    assert out.tracks[0].duration() == tl.tracks[0].duration()
    assert out.tracks[0][1].duration().to_seconds() == pytest.approx(2.0)


def test_mark_on_nested_stack_warns() -> None:
    loaded = read_timeline(FIXTURES / "nested_example.otio")
    stack = next(i for i in loaded.timeline.tracks[0] if isinstance(i, otio.schema.Stack))
    stack.markers.append(otio.schema.Marker(name="GEN insert: x"))
    warnings: list[str] = []
    assert find_slots(loaded.timeline, rate=loaded.rate, warnings=warnings) == []
    assert "nested Stack" in warnings[0]


def test_changed_timeline_is_refused() -> None:
    tl = _marked_timeline()
    slot = find_slots(tl, rate=24)[1]  # the placeholder
    changed = tl.deepcopy()
    changed.tracks[0][3].source_range = TR(RT(0, 24), RT(12, 24))
    with pytest.raises(SlotError, match="changed since it was scanned"):
        place_all(changed, [Placement(slot=slot, media=_media(60))])


def test_refill_adds_a_take_and_keeps_placeholder() -> None:
    tl = _marked_timeline()
    slot = find_slots(tl, rate=24)[0]
    once = place_all(tl, [Placement(slot=slot, media=_media(60, path="/tmp/t1.mov"))])
    slot2 = find_slots(once, rate=24)[0]
    twice = place_all(once, [Placement(slot=slot2, media=_media(60, path="/tmp/t2.mov"))])
    clip = twice.tracks[0][1]
    assert sorted(clip.media_references()) == [PLACEHOLDER_KEY, "T01", "T02"]
    assert clip.active_media_reference_key == "T02"
    assert clip.media_reference.target_url.endswith("t2.mov")


@pytest.mark.parametrize("name", ["multitrack.otio", "transition.otio", "nested_example.otio"])
def test_place_on_real_otio_fixtures(name: str, tmp_path: Path,
                                     make_video: Callable[..., Path]) -> None:
    loaded = read_timeline(FIXTURES / name)
    tl = loaded.timeline
    track = tl.tracks[0]
    rate = loaded.rate
    items = [i for i in track if isinstance(i, otio.schema.Clip)]
    target = items[len(items) // 2]
    target.markers.append(otio.schema.Marker(
        name="GEN insert: a close-up", marked_range=TR(target.trimmed_range().start_time,
                                                        RT(0, rate))))
    slots = find_slots(tl, rate=rate, start_frame=loaded.start_frame)
    assert len(slots) == 1
    slot = slots[0]
    media = make_video(slot.duration + 5, rate=round(rate))
    out = place_all(tl, [Placement(slot=slot, media=PlacedMedia(
        path=media, frames=slot.duration + 5, rate=Fraction(round(rate))))])
    assert out.duration() == tl.duration()
    old = [otio.adapters.write_to_string(i, "otio_json") for i in tl.find_children()
           if i is not target]
    new_items = [i for i in out.find_children()
                 if not (isinstance(i, otio.schema.Clip) and i.name == slot.id)]
    new = [otio.adapters.write_to_string(i, "otio_json") for i in new_items]
    # Every item except the slot's clip and the track that holds it is unchanged.
    changed = {otio.adapters.write_to_string(track, "otio_json")}
    assert [s for s in old if s not in changed] == [s for s in new if s not in {
        otio.adapters.write_to_string(out.tracks[0], "otio_json")}]


@pytest.mark.parametrize("in_place", [False, True])
def test_layouts_from_the_scan_give_the_same_result(in_place: bool) -> None:
    tl = _marked_timeline()
    plain = place_all(tl, [Placement(slot=s, media=_media(60))
                           for s in find_slots(tl, rate=24)])
    layouts: dict = {}
    slots = find_slots(tl, rate=24, layouts=layouts)
    assert set(layouts) == {0, 1, 2}
    reused = place_all(tl, [Placement(slot=s, media=_media(60)) for s in slots],
                       in_place=in_place, layouts=layouts)
    assert (reused is tl) is in_place
    assert (otio.adapters.write_to_string(reused, "otio_json")
            == otio.adapters.write_to_string(plain, "otio_json"))


def test_markers_of_a_split_gap_stay_at_their_record_time() -> None:
    """Filling part of a gap moves each of its markers to the piece that now covers its
    record time; the input timeline keeps its markers (place_all works on a copy)."""
    tl = _marked_timeline()
    gap = tl.tracks[0][1]  # record 24..72
    gap.markers[0].marked_range = TR(RT(12, 24), RT(24, 24))  # the slot: record 36..60
    gap.markers.append(otio.schema.Marker(name="note A", marked_range=TR(RT(2, 24), RT(0, 24))))
    gap.markers.append(otio.schema.Marker(name="note B", marked_range=TR(RT(40, 24), RT(0, 24))))
    slot = find_slots(tl, rate=24)[0]
    out = place_all(tl, [Placement(slot=slot, media=_media(30))])
    before, clip, after = out.tracks[0][1], out.tracks[0][2], out.tracks[0][3]
    assert [(m.name, m.marked_range.start_time.value) for m in before.markers] == [
        ("note A", 2)]
    assert [(m.name, m.marked_range.start_time.value - clip.source_range.start_time.value)
            for m in clip.markers] == [("GEN establishing: a farmhouse at dusk", 0)]
    assert [(m.name, m.marked_range.start_time.value) for m in after.markers] == [
        ("note B", 4)]
    for piece in (before, clip, after):
        for marker in piece.markers:
            record = piece.trimmed_range_in_parent().start_time.value + (
                marker.marked_range.start_time.value
                - piece.trimmed_range().start_time.value)
            original = {m.name: m for m in gap.markers}[marker.name]
            assert record == 24 + original.marked_range.start_time.value
    assert [m.name for m in tl.tracks[0][1].markers] == [
        "GEN establishing: a farmhouse at dusk", "note A", "note B"]
