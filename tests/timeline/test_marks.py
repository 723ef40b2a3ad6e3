"""The marking convention parser."""

from __future__ import annotations

import pytest

from pickup.timeline.marks import marker_texts, parse_mark


@pytest.mark.parametrize(("text", "kind", "prompt"), [
    ("GEN establishing: farmhouse at dusk, slow push-in", "establishing",
     "farmhouse at dusk, slow push-in"),
    ("GEN stunt: double jumps from the rooftop", "stunt", "double jumps from the rooftop"),
    ("gen insert: hands on a wheel", "insert", "hands on a wheel"),
    ("PICKUP b-roll: city traffic", "broll", "city traffic"),
    ("GEN: a prompt without kind", None, "a prompt without kind"),
    ("GEN a prompt without colon", None, "a prompt without colon"),
    ("GEN", None, None),
    ("GEN underwater-drone: reef", "underwaterdrone", "reef"),
    ("  GEN plate: sky, 16mm grain  ", "plate", "sky, 16mm grain"),
])
def test_parse(text: str, kind: str | None, prompt: str | None) -> None:
    mark = parse_mark(text)
    assert mark is not None
    assert (mark.kind, mark.prompt) == (kind, prompt)


@pytest.mark.parametrize("text", ["GENERIC shot", "general note", "", None, "ANIM FIX NEEDED",
                                  "my GEN marker"])
def test_not_a_mark(text: str | None) -> None:
    assert parse_mark(text) is None


def test_custom_tags() -> None:
    assert parse_mark("AI stunt: fall", tags=("AI",)).kind == "stunt"  # type: ignore[union-attr]
    assert parse_mark("GEN stunt: fall", tags=("AI",)) is None


def test_marker_texts_reads_every_app() -> None:
    meta = {"fcp_xml": {"comment": "GEN insert: a"}, "Resolve_OTIO": {"Note": "GEN plate: b"},
            "AAF": {"Comment": "GEN stunt: c"}}
    assert marker_texts("name", meta) == ["name", "GEN insert: a", "GEN plate: b",
                                          "GEN stunt: c"]
