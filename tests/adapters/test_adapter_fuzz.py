"""Whatever the input, the adapters return a timeline or raise TimelineError, never anything
from deep inside."""

from __future__ import annotations

from collections.abc import Callable

import opentimelineio as otio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pickup.errors import TimelineError
from pickup.otio_adapters import fdx, fountain, shotlist

# Lines built from the characters Fountain gives meaning to, so the parser's paths are hit.
_PIECES = st.sampled_from([
    "", "  ", "INT. HOUSE - DAY", "EXT. FIELD #1#", ".CLOSE ON - RING", ".GARDEN", "MARY",
    "MARY ^", "@McCLANE", "(beat)", "Hello.", "CUT TO:", "> FADE OUT.", ">THE END<", "~la la",
    "!BANG.", "# ACT ONE", "### INSERT - NOTE", "= synopsis", "===", "[[GEN stunt]]",
    "[[GEN duration: 2s]]", "[[note", "]]", "/*", "*/", "Title: X", "    indented",
    "*bold* _u_", "[[GEN duration: x]]", "\t", "Ünïcode ☃",
])
_SETTINGS = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def _check(read: Callable[[str], object], text: str) -> None:
    try:
        result = read(text)
    except TimelineError as exc:
        assert exc.message
        return
    assert isinstance(result, otio.schema.Timeline)
    assert all(g.source_range.duration.value >= 1 for g in result.tracks[0])


@_SETTINGS
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40))
def test_fountain_never_fails_badly(lines: list[str]) -> None:
    _check(fountain.read_from_string, "\n".join(lines))


@_SETTINGS
@given(st.lists(st.lists(st.one_of(st.sampled_from(["4s", "96f", "x", "", "stunt", '"', "24"]),
                                   st.text(max_size=8)), max_size=6), max_size=8))
def test_shotlist_never_fails_badly(rows: list[list[str]]) -> None:
    text = "Scene,Shot,Kind,Description,Duration,Rate\n" + "\n".join(",".join(r) for r in rows)
    _check(shotlist.read_from_string, text)


@_SETTINGS
@given(st.text(max_size=300))
def test_fdx_never_fails_badly(text: str) -> None:
    _check(fdx.read_from_string, "<FinalDraft><Content>" + text + "</Content></FinalDraft>")
