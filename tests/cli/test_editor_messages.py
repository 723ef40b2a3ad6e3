"""The exact words an editor reads from scan, revert and report (issue 19)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pickup.cli import main
from tests.conftest import FIXTURES


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _copy(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copy(FIXTURES / name, dest)
    return dest


CONVENTION = ('Mark a slot with a marker/locator, or name a placeholder clip, starting with '
              'GEN or PICKUP, a kind and a colon, e.g. "GEN establishing: a farmhouse at '
              'dusk, slow push-in" (kinds: establishing, stunt, insert, cutaway, broll, '
              'plate, extend).')


def test_scan_says_why_nothing_was_found(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scan", str(_copy(tmp_path, "multiple_markers.aaf")))
    assert code == 0
    lines = [" ".join(line.split()) for line in out.splitlines()]
    text = " ".join(lines)
    assert "0 slot(s)" in lines
    assert ("No slots: 10 marker(s)/locator(s) seen ('PUBLISH', 'GREEN: V1: zts02_1010: "
            "f1104: seq.f1104', 'FX', ...), none starts with GEN or PICKUP; no clip is "
            "named with GEN or PICKUP either.") in text
    assert CONVENTION in text
    assert "Unmarked holes in the picture are listed with --all-gaps." in text


def test_scan_json_counts_markers_and_explains_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "scan", str(_copy(tmp_path, "premiere_example.xml")),
                          "--json")
    assert code == 0
    data = json.loads(out)
    assert data["slots"] == [] and data["markers_seen"] == 4
    assert "No slots: 4 marker(s)/locator(s) seen ('My MArker 1', 'dsf', '(no name)', ...)" \
        in err


def test_scan_without_any_marker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "scan", str(_copy(tmp_path, "gap_test.edl")))
    assert ("No slots: the sequence has no markers or locators; no clip is named with GEN "
            "or PICKUP either.") in " ".join(out.split())


@pytest.fixture()
def filled_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    edl = _copy(tmp_path, "gap_test.edl")
    code, out, err = _run(capsys, "fill", str(edl), "--all-gaps", "--slots", "V1-00000100",
                          "--prompt", "rain on a window", "--negative", "people",
                          "--size", "64x36", "--profile", "h264")
    assert code == 0, err
    return Path(out.strip().splitlines()[-1])


def test_scan_says_what_a_filled_slot_was(filled_gap: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scan", str(filled_gap), "--all-gaps")
    assert code == 0
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[1:-1]]
            for line in out.splitlines() if line.startswith("│")}
    assert rows["V1-00000100"][5] == "filled (unmarked gap)"
    assert rows["V1-00000216"][5] == "unmarked"
    code, out, _ = _run(capsys, "scan", str(filled_gap), "--json")
    assert [(s["id"], s["was"]) for s in json.loads(out)["slots"]] == [
        ("V1-00000100", "unmarked gap")]


def test_revert_of_a_gap_says_gap(filled_gap: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out_path = filled_gap.with_name("reverted.edl")
    code, _out, err = _run(capsys, "revert", str(filled_gap), "V1-00000100", "-o",
                          str(out_path))
    assert code == 0, err
    assert (f"slot V1-00000100: an unmarked gap again, as before the fill (takes kept in "
            f"{filled_gap.with_name('gap_test.pickup') / 'takes.otio'})") in err
    assert "placeholder" not in err


def test_report_defaults_to_html_beside_the_timeline(
        filled_gap: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "report", str(filled_gap))
    assert code == 0, err
    expected = filled_gap.with_name("gap_test.pickup.report.html")
    assert out.strip().splitlines()[-1] == str(expected)
    assert expected.read_text().lstrip().lower().startswith("<!doctype html")
    code, out, _ = _run(capsys, "report", str(filled_gap), "--format", "csv")
    assert out.strip().splitlines()[-1] == str(filled_gap.with_name(
        "gap_test.pickup.report.csv"))


def test_fill_prompt_is_used_and_kept_for_the_panel(filled_gap: Path) -> None:
    from pickup.engine.journal import Journal

    project = filled_gap.with_name("gap_test.pickup")
    journal = Journal(project / "journal.sqlite")
    try:
        (row,) = journal.all()
    finally:
        journal.close()
    assert row.request["prompt"] == "rain on a window"
    assert row.request["negative_prompt"] == "people"
    state = json.loads((project / "panel.json").read_text())
    assert state["slots"]["V1-00000100"] == {"prompt": "rain on a window",
                                             "negative": "people"}
    # The panel's model shows it.
    from pickup.project import Project
    from pickup.workflow.prompts import saved_prompt

    assert saved_prompt(Project(project), "V1-00000100") == ("rain on a window", "people")


def test_unmarked_gap_without_prompt_is_refused(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    edl = _copy(tmp_path, "gap_test.edl")
    code, _, err = _run(capsys, "fill", str(edl), "--all-gaps", "--provider", "comfyui")
    assert code == 2
    assert err.splitlines()[-1] == (
        f"pickup: error: {edl}: slots V1-00000100, V1-00000216 are unmarked gaps: nothing to "
        "generate from, so nothing was submitted (pass --slots V1-00000100 --prompt TEXT, or "
        "mark the slot in the cut: GEN kind: prompt)")
    code, _, err = _run(capsys, "fill", str(edl), "--slots", "V1-00000216", "--provider",
                        "comfyui")
    assert code == 2
    assert "slot V1-00000216 is an unmarked gap: nothing to generate from" in err
    code, _, err = _run(capsys, "fill", str(edl), "--all-gaps", "--prompt", "rain")
    assert code == 2
    assert err.splitlines()[-1] == (
        f"pickup: error: {edl}: --prompt and --negative set the prompt of one slot (name it "
        "with --slots ID; `pickup scan --all-gaps` lists the ids)")
    assert not (tmp_path / "gap_test.pickup" / "journal.sqlite").exists()


def test_unmarked_gap_without_prompt_warns_with_previz(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edl = _copy(tmp_path, "gap_test.edl")
    code, _, err = _run(capsys, "fill", str(edl), "--slots", "V1-00000216", "--dry-run")
    assert code == 0, err
    assert ("pickup: warning: slot V1-00000216 is an unmarked gap with no prompt: previz "
            "draws a placeholder card from the neighbouring shots; a generating provider will "
            "need a prompt (pass --slots V1-00000216 --prompt TEXT, or mark the slot in the "
            "cut: GEN kind: prompt)") in err.splitlines()


def test_a_kind_without_prompt_generates_from_the_kind_default(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edl = tmp_path / "cut.edl"
    edl.write_text("TITLE: t\nFCM: NON-DROP FRAME\n"
                   "001  BL       V     C        00:00:00:00 00:00:01:00 01:00:00:00 "
                   "01:00:01:00 \n* LOC: 01:00:00:05 RED     GEN establishing:\n")
    code, _, err = _run(capsys, "fill", str(edl), "--dry-run")
    assert code == 0, err
    assert ('slot V1-01000000: no prompt; generating from the establishing default "an '
            'establishing wide shot of the location, slow camera move" (pass --prompt to say '
            'more)') in err


def test_edl_rate_note_is_said_once_per_cut(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    edl = _copy(tmp_path, "gap_test.edl")
    note = "gap_test.edl: largest frame field is 16; read at 24 fps (pass --rate if it is 25 or 30)"
    _, _, err = _run(capsys, "scan", str(edl))
    assert note in err.splitlines()
    _, _, err = _run(capsys, "scan", str(edl), "--all-gaps")
    assert "fps" not in err
    _, _, err = _run(capsys, "scan", str(edl), "--rate", "25")
    assert ("gap_test.edl: read at 25 fps; later commands on this cut use it without --rate"
            in err.splitlines())
    code, out, err = _run(capsys, "scan", str(edl), "--json")
    assert code == 0 and "fps" not in err
    assert json.loads(out)["rate"] == 25.0  # the rate the editor gave is remembered


def test_offline_neighbours_are_named_once(tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    edl = _copy(tmp_path, "gap_test.edl")
    code, _, err = _run(capsys, "fill", str(edl), "--slots", "V1-00000100", "--prompt",
                        "rain", "--takes", "2", "--dry-run")
    assert code == 0, err
    messages = [r.getMessage() for r in caplog.records if "neighbour" in r.name
                or "clip" in r.getMessage()]
    assert messages.count("slot V1-00000100: the outgoing clip 'shot1' (reel SHOT1, record "
                          "00:00:00:00) has no local media; no outgoing frame") == 1
    assert messages.count("slot V1-00000100: the incoming clip 'shot2' (reel SHOT2, record "
                          "00:00:01:16) has no local media; no incoming frame") == 1
    # Asking again for the same timeline says nothing new (one message per fact).
    from pickup.media.neighbours import neighbour_frames
    from pickup.timeline import find_slots, read_timeline

    caplog.clear()
    loaded = read_timeline(edl, rate=24)
    (slot,) = [s for s in find_slots(loaded.timeline, rate=24, all_gaps=True)
               if s.id == "V1-00000100"]
    for _ in range(2):
        assert neighbour_frames(loaded, slot, tmp_path / "frames") == (None, None)
    assert len([r for r in caplog.records if "no local media" in r.getMessage()]) == 2


def test_fill_with_nothing_marked_shows_the_convention(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xml = _copy(tmp_path, "premiere_example.xml")
    code, _, err = _run(capsys, "fill", str(xml))
    assert code == 2
    assert err.splitlines()[-1] == (
        f"pickup: error: {xml}: no marked slots to fill ({CONVENTION[:-1]}; `pickup scan` "
        "says what it saw, and --all-gaps fills unmarked holes)")


def test_a_kept_prompt_serves_a_refill_of_the_gap(filled_gap: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from pickup.engine.journal import Journal

    code, _, err = _run(capsys, "fill", str(filled_gap), "--slots", "V1-00000100",
                        "--new-seed", "--size", "64x36", "--profile", "h264")
    assert code == 0, err
    assert ('slot V1-00000100: generating from the prompt kept in the project state: "rain on '
            'a window"') in err.splitlines()
    assert "warning" not in err
    journal = Journal(filled_gap.with_name("gap_test.pickup") / "journal.sqlite")
    try:
        rows = journal.all()
    finally:
        journal.close()
    assert len(rows) == 2
    assert {(r.request["prompt"], r.request["negative_prompt"]) for r in rows} == {
        ("rain on a window", "people")}
