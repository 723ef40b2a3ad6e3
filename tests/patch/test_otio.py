"""OTIO JSON write-back on every .otio fixture, marked with GEN markers through the OTIO API."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from pickup.cli import main
from pickup.timeline import find_slots, read_timeline
from tests.patch.conftest import assert_slot_filled, assert_untouched_equal, marker_count, placement


@pytest.mark.parametrize("name", ["multitrack.otio", "nested_example.otio", "simple_cut.otio",
                                  "transition.otio", "generator_reference_test.otio"])
def test_gen_marker_slot_filled(fixture_copy, media, capsys, name):
    src = fixture_copy(name)
    timeline = otio.adapters.read_from_file(str(src))
    track = next(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
    item = next((i for i in track if isinstance(i, otio.schema.Gap)), None) or next(
        i for i in track if isinstance(i, otio.schema.Clip))
    rng = item.trimmed_range()
    length = min(rng.duration.value, 48)
    item.markers.append(otio.schema.Marker(
        name="GEN broll: rain on a window", marked_range=otio.opentime.TimeRange(
            rng.start_time, otio.opentime.RationalTime(length, rng.duration.rate))))
    otio.adapters.write_to_file(timeline, str(src))
    before = read_timeline(src)
    slots = find_slots(before.timeline, rate=before.rate, start_frame=before.start_frame)
    assert len(slots) == 1 and slots[0].prompt == "rain on a window"
    out = src.with_name("out.otio")
    assert main(["place", str(src), slots[0].id, str(media(before.rate)), "-o", str(out)]) == 0
    after = read_timeline(out)
    p = placement(slots[0], media(before.rate))
    assert_slot_filled(after, p)
    assert_untouched_equal(before, after, [p])
    assert marker_count(after.timeline) == marker_count(before.timeline)
