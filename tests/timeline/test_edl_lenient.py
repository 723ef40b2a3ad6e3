"""``timecode_mismatch.edl`` (OTIO's CMX adapter samples): four events whose source and
record durations differ are read trusting the record side, with a warning each; pycmx,
a reader Pickup did not write, agrees on the 20 events and the 2-frame hole."""

from __future__ import annotations

import logging
import shutil

import opentimelineio as otio
import pycmx

from pickup.cli import main
from pickup.timeline import find_slots, read_timeline
from tests.conftest import FIXTURES

NAME = "timecode_mismatch.edl"


def test_read_leniently_with_a_warning_per_event(caplog):
    with caplog.at_level(logging.WARNING):
        loaded = read_timeline(FIXTURES / NAME)
    warned = [r.getMessage() for r in caplog.records if "lenient read" in r.getMessage()]
    assert [w.split(": ")[1] for w in warned] == ["event 004", "event 005", "event 009",
                                                  "event 010"]
    with (FIXTURES / NAME).open() as f:
        edits = [e for ev in pycmx.parse_cmx3600(f).events for e in ev.edits]
    clips = list(loaded.timeline.find_clips())
    assert len(clips) == len(edits) == 20
    rate = loaded.rate
    for clip, edit in zip(clips, edits, strict=True):  # the record side, event by event
        rng = clip.range_in_parent()
        assert otio.opentime.to_timecode(rng.start_time, rate) == edit.record_in
        assert otio.opentime.to_timecode(rng.end_time_exclusive(), rate) == edit.record_out
    holes = find_slots(loaded.timeline, rate=rate, start_frame=loaded.start_frame,
                       all_gaps=True)
    assert [(h.start, h.duration) for h in holes] == [(19 * 25 + 19, 2)]


def test_fill_the_hole_and_verify(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "none.toml"))
    src = tmp_path / NAME
    shutil.copyfile(FIXTURES / NAME, src)
    assert main(["fill", str(src), "--all-gaps", "--provider", "previz", "--size",
                 "256x144"]) == 0
    out = src.with_name("timecode_mismatch.pickup.edl")
    capsys.readouterr()
    assert main(["verify", str(src), str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("V1-00001919  V1  00:00:19:19-00:00:19:21")
    assert src.read_bytes() == (FIXTURES / NAME).read_bytes()
