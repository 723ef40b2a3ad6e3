"""set_metadata stores exactly what OTIO's own ``metadata[key] = value`` stores."""

from __future__ import annotations

from typing import Any

import opentimelineio as otio
import pytest

from pickup.timeline.metadata import set_metadata

VALUES: list[Any] = [
    "text", 0, -(2**63), 2**63 - 1, 1.5, True, False, None, [], {},
    {"slot_id": "V1-01000412", "cost": 0.25, "seed": 7, "stale": False, "note": None},
    {"nested": {"deeper": {"list": [1, "two", 3.0, None, {"x": [True]}]}}},
    (1, 2, "tuple"),
    {"time": otio.opentime.RationalTime(12, 24),
     "range": otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24),
                                      otio.opentime.RationalTime(48, 24)),
     "marker": otio.schema.Marker(name="m")},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_same_result_as_otio_assignment(value: Any) -> None:
    ours, theirs = otio.schema.Clip(name="c"), otio.schema.Clip(name="c")
    set_metadata(ours.metadata, "pickup", value)
    theirs.metadata["pickup"] = value
    assert (otio.adapters.write_to_string(ours, "otio_json")
            == otio.adapters.write_to_string(theirs, "otio_json"))


def test_values_stay_independent_of_the_source() -> None:
    source = {"a": [1, 2]}
    clip = otio.schema.Clip()
    set_metadata(clip.metadata, "pickup", source)
    source["a"].append(3)
    assert list(clip.metadata["pickup"]["a"]) == [1, 2]


def test_bad_values_are_refused_like_otio_does() -> None:
    clip = otio.schema.Clip()
    with pytest.raises(ValueError, match="not a string"):
        set_metadata(clip.metadata, "pickup", {1: "int key"})
    with pytest.raises((TypeError, ValueError)):
        set_metadata(clip.metadata, "pickup", {"x": object()})
    with pytest.raises(ValueError):
        set_metadata(clip.metadata, "pickup", {"big": 2**64})


def test_plain_mappings_are_assigned() -> None:
    table: dict[str, Any] = {}
    set_metadata(table, "pickup", {"a": 1})
    assert table == {"pickup": {"a": 1}}
