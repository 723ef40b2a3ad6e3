"""Every Fountain element, one behaviour per test, read by the parser into the neutral model."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pickup.otio_adapters._fountain_markup import plain_text
from pickup.otio_adapters._fountain_parser import parse_fountain
from pickup.otio_adapters._script import Element, ElementKind, Script

K = ElementKind
Parse = Callable[[str], Script]


def kinds(script: Script, scene: int = 0) -> list[tuple[str, str]]:
    return [(e.kind.value, e.text) for e in script.scenes[scene].elements]


def body(script: Script, scene: int = 0) -> list[Element]:
    return script.scenes[scene].elements[1:]


# -- title page ------------------------------------------------------------------

def test_title_page_fields_with_indented_continuations(parse: Parse) -> None:
    script = parse("""
        Title:
            _**BRICK & STEEL**_
            _**FULL RETIRED**_
        Credit: Written by
        Author: Stu Maschwitz
        Draft date: 1/27/2012

        EXT. BRICK'S PATIO - DAY

        A gorgeous day.
    """)
    assert script.title == "BRICK & STEEL FULL RETIRED"
    assert script.title_page["Author"] == "Stu Maschwitz"
    assert script.title_page["Draft date"] == "1/27/2012"
    assert [s.heading for s in script.scenes] == ["EXT. BRICK'S PATIO - DAY"]


def test_no_title_page_when_the_script_opens_with_fade_in(parse: Parse) -> None:
    script = parse("""
        FADE IN:

        INT. HOUSE - DAY

        Quiet.
    """)
    assert script.title is None and script.title_page == {}
    assert [(e.kind, e.text) for e in script.preamble] == [(K.TRANSITION, "FADE IN:")]


def test_note_on_the_title_page_goes_to_the_preamble(parse: Parse) -> None:
    script = parse("""
        Title: Ferry
        Notes: [[GEN style: grainy 16mm]]

        INT. HOUSE - DAY

        Quiet.
    """)
    assert script.title_page["Notes"] == ""
    assert [(e.kind, e.text) for e in script.preamble] == [(K.NOTE, "GEN style: grainy 16mm")]


# -- scene headings ----------------------------------------------------------------

@pytest.mark.parametrize("heading", [
    "INT. KITCHEN - DAY", "EXT. FIELD - NIGHT", "EST. CITY SKYLINE - DUSK",
    "INT./EXT. CAR - MOVING", "INT/EXT CAR - MOVING", "I/E. TAXI - NIGHT", "int. garage - night",
    "EXT FIELD - DAY",
])
def test_scene_heading_prefixes(parse: Parse, heading: str) -> None:
    script = parse(f"""
        {heading}

        Something happens.
    """)
    assert script.scenes[0].heading == heading
    assert kinds(script)[1] == ("action", "Something happens.")


def test_words_that_merely_start_like_a_heading_are_action(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        Internal affairs arrive.

        Extraordinary.
    """)
    assert [e.kind for e in body(script)] == [K.ACTION, K.ACTION]


def test_forced_heading_and_ellipsis_is_not_one(parse: Parse) -> None:
    script = parse("""
        .SNIPER SCOPE POV

        ...and then silence.
    """)
    assert script.scenes[0].heading == "SNIPER SCOPE POV"
    assert kinds(script)[1] == ("action", "...and then silence.")


@pytest.mark.parametrize(("line", "number"), [
    ("INT. HOUSE - DAY #1#", "1"), ("EXT. BRICK'S POOL - DAY #1A#", "1A"),
    ("INT. HOUSE - DAY #I-1-A#", "I-1-A"), (".FLASHBACK #110A#", "110A"),
])
def test_scene_numbers(parse: Parse, line: str, number: str) -> None:
    script = parse(f"""
        {line}

        Action.
    """)
    assert script.scenes[0].number == number
    assert "#" not in (script.scenes[0].heading or "")


def test_heading_needs_an_empty_line_before_it(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        He reads the sign:
        INT. NOT A HEADING
    """)
    assert len(script.scenes) == 1
    assert kinds(script)[1] == ("action", "He reads the sign:\nINT. NOT A HEADING")


# -- action, characters, dialogue --------------------------------------------------------

def test_action_lines_form_one_paragraph_and_keep_their_breaks(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        Mary enters.
        She stops.

        She sits.
    """)
    assert kinds(script)[1:] == [("action", "Mary enters.\nShe stops."), ("action", "She sits.")]


def test_forced_action_keeps_capitals_that_would_make_a_character(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        !SCANNING THE AISLES...
        Where is that pit boss?
    """)
    assert kinds(script)[1:] == [("action", "SCANNING THE AISLES...\nWhere is that pit boss?")]


def test_character_extension_parenthetical_and_dialogue(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        MOM (O. S.)
        (calling)
        Luke! Come down for supper!
        It's getting cold.
    """)
    assert kinds(script)[1:] == [
        ("character", "MOM (O. S.)"),
        ("parenthetical", "(calling)"),
        ("dialogue", "Luke! Come down for supper!\nIt's getting cold."),
    ]


def test_forced_character_keeps_its_case(parse: Parse) -> None:
    script = parse("""
        INT. NAKATOMI PLAZA - NIGHT

        @McCLANE
        Yippie ki-yay!
    """)
    assert kinds(script)[1:] == [("character", "McCLANE"), ("dialogue", "Yippie ki-yay!")]


def test_capitals_line_followed_by_an_empty_line_is_action(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        BOOM

        Nothing else.
    """)
    assert [e.kind for e in body(script)] == [K.ACTION, K.ACTION]


def test_capital_sentence_over_action_is_action_not_a_character(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        THE DOOR EXPLODES.
        Mary dives for cover.
    """)
    assert kinds(script)[1:] == [("action", "THE DOOR EXPLODES.\nMary dives for cover.")]


def test_dual_dialogue_marks_the_second_speaker(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        BRICK
        Screw retirement.

        STEEL ^
        Screw retirement.
    """)
    elements = body(script)
    assert [(e.kind, e.text, e.dual) for e in elements] == [
        (K.CHARACTER, "BRICK", False), (K.DIALOGUE, "Screw retirement.", False),
        (K.CHARACTER, "STEEL", True), (K.DIALOGUE, "Screw retirement.", True),
    ]


def test_two_space_line_keeps_dialogue_together() -> None:
    # (not dedented: dedent would empty the two-space line)
    script = parse_fountain("INT. HOUSE - DAY\n\nDEALER\nTen.\n  \nFour.\n\nHe deals.\n",
                            source="test.fountain")
    assert kinds(script)[1:] == [("character", "DEALER"), ("dialogue", "Ten.\n\nFour."),
                                 ("action", "He deals.")]


def test_lyrics_in_dialogue_and_on_their_own(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        TOM
        ~Row, row, row your boat,
        ~gently down the stream.

        ~Merrily, merrily.
    """)
    assert kinds(script)[1:] == [
        ("character", "TOM"), ("lyric", "Row, row, row your boat,\ngently down the stream."),
        ("lyric", "Merrily, merrily."),
    ]


# -- transitions, centred text, page breaks -----------------------------------------------

def test_transitions_to_and_forced_and_fixed(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        Quiet.

        CUT TO:

        Calm.

        > BURN TO WHITE.

        FADE OUT.
    """)
    assert [(e.kind, e.text) for e in body(script)] == [
        (K.ACTION, "Quiet."), (K.TRANSITION, "CUT TO:"), (K.ACTION, "Calm."),
        (K.TRANSITION, "BURN TO WHITE."), (K.TRANSITION, "FADE OUT."),
    ]


def test_lowercase_to_is_not_a_transition(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        He walks to:

        The end.
    """)
    assert body(script)[0].kind is K.ACTION


def test_centred_text_and_page_break(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        >THE END<

        ===

        > INTERMISSION <
    """)
    assert [(e.kind, e.text) for e in body(script)] == [
        (K.CENTERED, "THE END"), (K.PAGE_BREAK, ""), (K.CENTERED, "INTERMISSION"),
    ]


# -- notes and boneyard --------------------------------------------------------------

def test_inline_note_is_taken_out_of_the_action(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        Mary enters. [[Is this the right house?]] She stops.
    """)
    assert [(e.kind, e.text) for e in body(script)] == [
        (K.ACTION, "Mary enters.  She stops."), (K.NOTE, "Is this the right house?"),
    ]


def test_note_on_its_own_line_does_not_break_dialogue(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        MARY
        [[GEN insert: her hands]]
        Hello.
    """)
    elements = body(script)
    assert [(e.kind, e.text) for e in elements] == [
        (K.CHARACTER, "MARY"), (K.NOTE, "GEN insert: her hands"), (K.DIALOGUE, "Hello."),
    ]


def test_note_spanning_lines(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        [[GEN establishing:
        the house from the garden,
        one window lit]]

        Quiet.
    """)
    note = body(script)[0]
    assert note.kind is K.NOTE
    assert note.text == "GEN establishing:\nthe house from the garden,\none window lit"
    assert note.line == 3
    assert body(script)[1].text == "Quiet."


def test_note_on_a_heading_belongs_to_that_scene(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        Quiet.

        EXT. GARDEN - DAY [[GEN stunt]]

        Calm.
    """)
    assert (K.NOTE, "GEN stunt") not in [(e.kind, e.text) for e in script.scenes[0].elements]
    assert script.scenes[1].heading == "EXT. GARDEN - DAY"
    assert script.scenes[1].elements[1] == Element(K.NOTE, "GEN stunt", 5)


def test_boneyard_inline_and_across_empty_lines(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        Mary /* slowly */ enters.

        /*
        EXT. CUT SCENE - DAY

        Nobody sees this.
        */

        She sits.
    """)
    assert [s.heading for s in script.scenes] == ["INT. HOUSE - DAY"]
    assert kinds(script)[1:] == [("action", "Mary  enters."), ("action", "She sits.")]


def test_line_numbers_survive_boneyard(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        /* one
        two
        three */
        Mary enters.
    """)
    assert body(script)[0].line == 6


# -- sections, synopses, emphasis ------------------------------------------------------------

def test_sections_and_synopses(parse: Parse) -> None:
    script = parse("""
        # ACT ONE

        = Mary meets the ferry.

        ## The harbour

        INT. HOUSE - DAY

        Quiet.

        # ACT TWO
    """)
    assert [(e.kind, e.text, e.level) for e in script.preamble] == [
        (K.SECTION, "ACT ONE", 1), (K.SYNOPSIS, "Mary meets the ferry.", 0),
        (K.SECTION, "The harbour", 2),
    ]
    assert (body(script)[-1].kind, body(script)[-1].level) == (K.SECTION, 1)


def test_shot_sections_and_forced_shot_headings_inside_a_scene(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        Mary enters.

        ### INSERT - THE LETTER

        It is unsigned.

        .CLOSE ON - MARY

        She reads.

        .GARDEN - LATER

        Birds.
    """)
    assert [(e.kind, e.text) for e in body(script)][1:] == [
        (K.SHOT, "INSERT - THE LETTER"), (K.ACTION, "It is unsigned."),
        (K.SHOT, "CLOSE ON - MARY"), (K.ACTION, "She reads."),
    ]
    assert [s.heading for s in script.scenes] == ["INT. HOUSE - DAY", "GARDEN - LATER"]


@pytest.mark.parametrize(("marked", "plain"), [
    ("*italic* and **bold** and ***both***", "italic and bold and both"),
    ("_underlined_ words", "underlined words"),
    ("Steel enters the code: \\*9765\\*", "Steel enters the code: *9765*"),
    ("snake_case_name stays", "snake_case_name stays"),
    ("2 * 3 = 6", "2 * 3 = 6"),
])
def test_emphasis_is_removed(marked: str, plain: str) -> None:
    assert plain_text(marked) == plain


def test_emphasis_removed_from_elements(parse: Parse) -> None:
    script = parse("""
        INT. HOUSE - DAY

        The *seven-fifteen* is **late**.
    """)
    assert body(script)[0].text == "The seven-fifteen is late."


def test_text_before_the_first_heading_becomes_a_prologue(parse: Parse) -> None:
    script = parse("""
        COLD OPEN

        Rain on a windscreen.

        INT. CAR - NIGHT

        Wipers.
    """)
    assert [(s.heading, s.index) for s in script.scenes] == [(None, 0), ("INT. CAR - NIGHT", 1)]
