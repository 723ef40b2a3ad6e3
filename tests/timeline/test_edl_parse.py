"""Pickup reads EDLs with OTIO's cmx_3600 parser a piece at a time (linear instead of
quadratic in the number of lines); what it returns must be exactly what the plain adapter
returns, compared as OTIO JSON, on every EDL fixture and at every possible cut.

OTIO's plugin loader imports the adapter module under its own name, so its
``EDLParseError`` is another class object than the one Pickup's import sees: errors are
compared by class name and message (both are ``otio.exceptions.OTIOError``)."""

from __future__ import annotations

import itertools

import opentimelineio as otio
import pytest

from pickup.timeline import read_timeline
from pickup.timeline.edl_parse import _lines, _pieces, read_edl_string
from pickup.timeline.formats import detect_edl_rate
from pickup.timeline.read import _trust_record_side
from tests.conftest import FIXTURES

EDLParseError = otio.exceptions.OTIOError

EDLS = sorted(FIXTURES.glob("*.edl"))


def _json(obj: object) -> str:
    return otio.adapters.write_to_string(obj, adapter_name="otio_json")


def _plain(text: str, rate: float, ignore: bool) -> str:
    return _json(otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=rate,
                                                ignore_timecode_mismatch=ignore))


def test_there_are_edl_fixtures():
    assert len(EDLS) >= 9


@pytest.mark.parametrize("path", EDLS, ids=lambda p: p.name)
def test_pickup_read_equals_the_plain_adapter(path):
    """``read_timeline`` against the adapter reading the same text (the record-side fix
    for timecode_mismatch.edl applied to both); the one thing Pickup adds on purpose, the
    sequence start timecode the adapter drops, is carried over before comparing."""
    text = path.read_text()
    loaded = read_timeline(path)
    try:
        expected = otio.adapters.read_from_string(text, adapter_name="cmx_3600",
                                                  rate=loaded.rate)
    except EDLParseError:
        fixed, _ = _trust_record_side(text, loaded.rate)
        expected = otio.adapters.read_from_string(fixed, adapter_name="cmx_3600",
                                                  rate=loaded.rate)
    expected.global_start_time = loaded.timeline.global_start_time
    assert len(list(loaded.timeline.find_clips())) > 0
    assert _json(loaded.timeline) == _json(expected)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, None])
@pytest.mark.parametrize("path", EDLS, ids=lambda p: p.name)
def test_every_cut_gives_the_adapter_result(path, chunk):
    text = path.read_text()
    rate, _ = detect_edl_rate(text)
    for ignore in (False, True):
        try:
            expected = _plain(text, rate, ignore)
        except EDLParseError as exc:
            with pytest.raises(EDLParseError) as got:
                read_edl_string(text, rate, chunk_lines=chunk, ignore_timecode_mismatch=ignore)
            assert (type(got.value).__name__, str(got.value)) == (type(exc).__name__,
                                                                    str(exc))
            continue
        got_json = _json(read_edl_string(text, rate, chunk_lines=chunk,
                                         ignore_timecode_mismatch=ignore))
        assert got_json == expected


def _event(n: int, rec: int, dur: int, kind: str = "C", channel: str = "V") -> str:
    def tc(f: int) -> str:
        return f"{f // 86400:02d}:{f // 1440 % 60:02d}:{f // 24 % 60:02d}:{f % 24:02d}"
    return (f"{n:03d}  R{n % 7:03d}     {channel:5s} {kind:8s} 00:00:01:00 "
            f"{tc(24 + dur)} {tc(rec)} {tc(rec + dur)}")


def _synthetic() -> str:
    """From 00:00:00:00 (the adapter clears a track's range when it starts at zero, so a
    cut there must not change the result), opening with a SPLIT (the adapter reads one
    only before the first event; later it is an event's comment), with holes, a dissolve
    (a transition line with the event's own number), events on V and A, comments."""
    lines = ["TITLE: synthetic", "FCM: NON-DROP FRAME", "",
             "SPLIT:    VIDEO DELAY=  00:00:00:00", _event(1, 0, 6, channel="V"),
             _event(1, 0, 6, channel="A"), "* FROM CLIP NAME: split"]
    rec = 6
    for n in range(2, 40):
        if n == 12:
            lines += [_event(n, rec, 0), _event(n, rec, 10, "D 005"),
                      "* FROM CLIP NAME: dissolve in"]
            rec += 10
            continue
        lines.append(_event(n, rec, 4 + n % 3, channel="B" if n % 9 == 0 else "V"))
        lines.append(f"* FROM CLIP NAME: shot {n}")
        rec += 4 + n % 3 + (3 if n % 10 == 5 else 0)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("chunk", [1, 2, 5, 11, None])
def test_synthetic_edl_from_zero(chunk):
    text = _synthetic()
    expected = otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=24)
    assert any(t.source_range is None for t in expected.tracks)  # the case that matters
    assert len(list(expected.find_clips())) > 30
    assert _json(read_edl_string(text, 24, chunk_lines=chunk)) == _json(expected)


def test_pieces_cut_only_where_an_event_starts():
    lines = _lines(_synthetic())
    pieces = list(_pieces(lines, 1))
    assert [line for piece in pieces for line in piece] == lines
    assert len(pieces) > 30
    for before, piece in itertools.pairwise(pieces):
        assert piece[0][:3].isdigit()
        assert piece[0][:3] != before[-1][:3] or not before[-1][:3].isdigit()
        assert not before[-1].startswith("SPLIT") and not before[-2].startswith("SPLIT")


@pytest.mark.parametrize("bad", [
    "TITLE: x\n* a comment before any event\n001  AX V C 00:00:00:00 00:00:01:00 "
    "00:00:00:00 00:00:01:00\n",
    "001  AX V C 00:00:00:00 00:00:01:00 00:00:01:00 00:00:02:00\n"
    "002  AX V C 00:00:00:00 00:00:01:00 00:00:01:12 00:00:02:12\n",
])
@pytest.mark.parametrize("chunk", [1, None])
def test_errors_are_the_adapters(bad, chunk):
    with pytest.raises(EDLParseError) as plain:
        otio.adapters.read_from_string(bad, adapter_name="cmx_3600", rate=24)
    with pytest.raises(EDLParseError) as ours:
        read_edl_string(bad, 24, chunk_lines=chunk)
    assert type(ours.value).__name__ == type(plain.value).__name__ == "EDLParseError"
    assert str(ours.value) == str(plain.value)
