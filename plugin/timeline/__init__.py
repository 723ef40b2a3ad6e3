"""Timelines: read any editor's file, find the marked slots, place media, write back."""

from __future__ import annotations

from pickup.timeline.formats import FORMATS, Format, detect_edl_rate, format_for
from pickup.timeline.marks import DEFAULT_TAGS, KINDS, Mark, convention, parse_mark
from pickup.timeline.place import PLACEHOLDER_KEY, PlacedMedia, Placement, place_all, take_key
from pickup.timeline.read import LoadedTimeline, read_timeline
from pickup.timeline.slots import (
    PROJECT_MARK_TEXT,
    MarkerCensus,
    Slot,
    SlotMark,
    find_slots,
    frames_to_timecode,
    mark_label,
    marker_census,
    slot_id_from_name,
)
from pickup.timeline.writeback import default_output, register_patcher, write_back

__all__ = [
    "DEFAULT_TAGS",
    "FORMATS",
    "KINDS",
    "PLACEHOLDER_KEY",
    "PROJECT_MARK_TEXT",
    "Format",
    "LoadedTimeline",
    "Mark",
    "MarkerCensus",
    "PlacedMedia",
    "Placement",
    "Slot",
    "SlotMark",
    "convention",
    "default_output",
    "detect_edl_rate",
    "find_slots",
    "format_for",
    "frames_to_timecode",
    "mark_label",
    "marker_census",
    "parse_mark",
    "place_all",
    "read_timeline",
    "register_patcher",
    "slot_id_from_name",
    "take_key",
    "write_back",
]
