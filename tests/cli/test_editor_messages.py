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
