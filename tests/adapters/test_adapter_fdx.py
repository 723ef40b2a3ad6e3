"""Final Draft (.fdx) reading: the same slots as the Fountain twin, FDX specifics, safe XML."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.errors import TimelineError
from pickup.otio_adapters import fdx, fountain
from pickup.otio_adapters._fdx_parser import parse_fdx
from pickup.otio_adapters._script import Element, ElementKind

K = ElementKind
COMPARED = ("scene_number", "heading", "shot", "shot_heading", "characters", "kind", "prompt",
            "page_eighths", "marked")


def slot_view(timeline: otio.schema.Timeline) -> list[tuple]:
    rows = []
    for gap in timeline.tracks[0]:
        info = gap.metadata["pickup"]
        rows.append((gap.name, gap.source_range.duration, [m.name for m in gap.markers],
                     *(list(info[k]) if k == "characters" else info[k] for k in COMPARED)))
    return rows


def fdx_doc(content: str, extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
            f'<FinalDraft DocumentType="Script" Template="No" Version="5">\n'
            f"<Content>{content}</Content>{extra}</FinalDraft>\n").encode()


def para(kind: str, text: str, attrs: str = "", inner: str = "") -> str:
    return f'<Paragraph Type="{kind}"{attrs}>{inner}<Text>{text}</Text></Paragraph>'


def test_same_scenes_give_the_same_slots(data_dir: Path) -> None:
    from_fountain = fountain.read_from_file(data_dir / "last_ferry.fountain")
    from_fdx = fdx.read_from_file(data_dir / "last_ferry.fdx")
    assert from_fdx.name == from_fountain.name == "The Last Ferry"
    assert slot_view(from_fdx) == slot_view(from_fountain)
    assert len(slot_view(from_fdx)) == 11
    assert from_fdx.metadata["pickup"]["source"] == "fdx"
    assert from_fdx.metadata["pickup"]["style"] == from_fountain.metadata["pickup"]["style"]
    assert all(g.metadata["pickup"]["source"] == "fdx" for g in from_fdx.tracks[0])


def test_elements_of_the_fdx(data_dir: Path) -> None:
    script = parse_fdx((data_dir / "last_ferry.fdx").read_bytes(), source="last_ferry.fdx")
    assert [(e.kind, e.text) for e in script.preamble] == [
        (K.TRANSITION, "FADE IN:"),
        (K.NOTE, "GEN style: 35mm film, overcast light, muted teal and amber"),
    ]
    first, second, third = script.scenes[:3]
    assert (first.number, first.heading) == ("1", "EXT. PORTSMOUTH HARBOUR - DAWN")
    assert first.elements[-1] == Element(K.TRANSITION, "CUT TO:", 5)  # paragraph 5
    texts = [(e.kind, e.text) for e in second.elements]
    assert (K.ACTION, "MARY HALE (30s, rain-soaked coat) nurses a cold tea at the window. "
                      "The seven-fifteen board says DELAYED.") in texts
    assert (K.NOTE, "Casting: ask for Brenda again.") in texts  # a note inside a paragraph
    assert texts[-1] == (K.NOTE, "GEN duration: 6s")          # a ScriptNotes Range
    assert [(e.kind, e.text, e.dual) for e in third.elements[-4:]] == [
        (K.CHARACTER, "McKENZIE", False), (K.DIALOGUE, "We're closing, son!", False),
        (K.CHARACTER, "TOM", True), (K.DIALOGUE, "Hold it!", True),
    ]
    assert script.title_page["Title"] == "The Last Ferry"
    assert script.position == "paragraph"


def test_shot_paragraph_starts_a_slot_and_centre_alignment_is_centred() -> None:
    doc = fdx_doc(
        para("Scene Heading", "INT. HOUSE - DAY", ' Number="12"')
        + para("Action", "Mary waits.")
        + para("Shot", "ANGLE ON - THE DOOR")
        + para("Action", "It opens.")
        + para("Action", "THE END", ' Alignment="Center"'))
    script = parse_fdx(doc, source="x.fdx")
    assert [e.kind for e in script.scenes[0].elements] == [
        K.HEADING, K.ACTION, K.SHOT, K.ACTION, K.CENTERED]
    timeline = fdx.read_from_string(doc.decode())
    assert [g.name for g in timeline.tracks[0]] == ["12/1 INT. HOUSE - DAY",
                                                     "12/2 ANGLE ON - THE DOOR"]


def test_scene_properties_length_sets_the_duration() -> None:
    doc = fdx_doc(
        para("Scene Heading", "EXT. FIELD - DAY", ' Number="3"',
             '<SceneProperties Length="1 2/8" Page="4" Title=""/>')
        + para("Action", "Wind in the grass."))
    (gap,) = fdx.read_from_string(doc.decode()).tracks[0]
    assert gap.source_range.duration.value == 10 * 7.5 * 24  # 1 2/8 pages at a minute a page
    assert gap.metadata["pickup"]["duration_from"] == "script page length"


def test_scene_length_is_shared_between_shots() -> None:
    doc = fdx_doc(
        para("Scene Heading", "EXT. FIELD - DAY", "", '<SceneProperties Length="2/8"/>')
        + para("Action", "Wind in the grass.")
        + para("Shot", "CLOSE ON - A BEETLE")
        + para("Action", "It climbs."))
    timeline = fdx.read_from_string(doc.decode())
    durations = [g.source_range.duration.value for g in timeline.tracks[0]]
    assert sum(durations) == 2 * 7.5 * 24
    assert all(d > 0 for d in durations)


def test_general_paragraph_and_unknown_types_are_action() -> None:
    doc = fdx_doc(para("Scene Heading", "INT. HOUSE - DAY")
                  + para("General", "A clock ticks.") + para("Teleplay Thing", "Odd."))
    script = parse_fdx(doc, source="x.fdx")
    assert [(e.kind, e.text) for e in script.scenes[0].elements[1:]] == [
        (K.ACTION, "A clock ticks."), (K.ACTION, "Odd.")]


def test_multiple_text_runs_are_joined_and_all_caps_applied() -> None:
    doc = fdx_doc(para("Scene Heading", "INT. HOUSE - DAY")
                  + '<Paragraph Type="Action"><Text>She </Text><Text Style="Bold">runs</Text>'
                    '<Text>.</Text></Paragraph>'
                  + '<Paragraph Type="Transition"><Text Style="AllCaps">cut to:</Text></Paragraph>')
    script = parse_fdx(doc, source="x.fdx")
    assert [e.text for e in script.scenes[0].elements[1:]] == ["She runs.", "CUT TO:"]


def test_unplaceable_script_note_is_a_warning() -> None:
    doc = fdx_doc(para("Scene Heading", "INT. HOUSE - DAY"),
                  '<ScriptNotes><ScriptNote><Paragraph><Text>GEN stunt</Text></Paragraph>'
                  "</ScriptNote></ScriptNotes>")
    script = parse_fdx(doc, source="x.fdx")
    assert any("no position" in w for w in script.warnings)


# -- safe and clear failures --------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&lol9;</Text></Paragraph></Content></FinalDraft>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE FinalDraft [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&secret;</Text></Paragraph></Content>
</FinalDraft>
"""


@pytest.mark.timeout(10)
def test_billion_laughs_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "laughs.fdx"
    path.write_bytes(BILLION_LAUGHS)
    with pytest.raises(TimelineError) as caught:
        otio.adapters.read_from_file(str(path))
    message = str(caught.value)
    assert str(path) in message
    assert "entities" in message and "billion laughs" in message
    assert "lol" not in message


def test_external_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.fdx"
    path.write_bytes(EXTERNAL_ENTITY)
    with pytest.raises(TimelineError, match="entities or external references"):
        fdx.read_from_file(path)


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.fdx"
    path.write_bytes(b'<?xml version="1.0"?>\n<FinalDraft>\n<Content>\n<Paragraph Type="Action">'
                     b"\n<Text>cut off</Paragraph>\n</Content></FinalDraft>\n")
    with pytest.raises(TimelineError) as caught:
        fdx.read_from_file(path)
    assert caught.value.where == f"{path}, line 5"
    assert "not well-formed XML: mismatched tag" in str(caught.value)


@pytest.mark.parametrize(("data", "message"), [
    (b"<html><body>hello</body></html>", "not a Final Draft document"),
    (b"<FinalDraft><TitlePage/></FinalDraft>", "no <Content>"),
    (fdx_doc(para("Action", "Just action.")), "no Scene Heading paragraphs"),
])
def test_wrong_documents(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "wrong.fdx"
    path.write_bytes(data)
    with pytest.raises(TimelineError, match=message):
        fdx.read_from_file(path)


def test_bad_duration_note_names_the_paragraph(tmp_path: Path) -> None:
    path = tmp_path / "note.fdx"
    path.write_bytes(fdx_doc(para("Scene Heading", "INT. HOUSE - DAY")
                             + para("Action", "Mary. [[GEN duration: soon]]")))
    with pytest.raises(TimelineError) as caught:
        fdx.read_from_file(path)
    assert caught.value.where == f"{path}, paragraph 2"
    assert "'soon' is not a duration" in caught.value.message
