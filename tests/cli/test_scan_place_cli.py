"""`pickup scan` and `pickup place` end to end, including every bad-input case."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.cli import main
from tests.conftest import FIXTURES

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
    try:
        import make_example
    finally:
        sys.path.pop(0)
    return make_example.build(tmp_path / "project")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scan_json_schema(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scan", str(demo), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "otio" and data["rate"] == 24
    assert data["start_timecode"] == "01:00:00:00"
    slots = data["slots"]
    assert [s["kind"] for s in slots] == ["establishing", "stunt"]
    assert [s["mark"] for s in slots] == ["marker", "placeholder"]
    first = slots[0]
    assert set(first) >= {"id", "track", "track_index", "start", "duration", "record_in",
                          "record_out", "kind", "prompt", "mark"}
    assert (first["start"], first["duration"]) == (48, 72)
    assert (first["record_in"], first["record_out"]) == ("01:00:02:00", "01:00:05:00")
    assert first["id"] == "V1-01000200"
    assert first["prompt"] == "a farmhouse at dusk, slow push-in"


def test_scan_table_and_edl_rate_note(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(FIXTURES / "25fps.edl", tmp_path / "25fps.edl")
    code, out, err = _run(capsys, "scan", str(tmp_path / "25fps.edl"), "--all-gaps")
    assert code == 0
    assert "read at 25 fps" in err
    assert "slot(s)" in out


def test_place_writes_beside_input_and_keeps_input(demo: Path, capsys: pytest.CaptureFixture[str]
                                                   ) -> None:
    before = demo.read_bytes()
    media = demo.parent / "media" / "ready_made_insert.mp4"
    code, out, _ = _run(capsys, "place", str(demo), "V1-01000200", str(media))
    assert code == 0
    written = Path(out.strip().splitlines()[-1])
    assert written == demo.with_name("farmhouse.pickup.otio")
    assert demo.read_bytes() == before
    tl = otio.adapters.read_from_file(str(written))
    clip = tl.tracks[0][1]
    assert clip.name == "V1-01000200"
    assert clip.media_reference.target_url == media.resolve().as_uri()
    assert tl.tracks[0].range_of_child_at_index(1) == TR(RT(48, 24), RT(72, 24))
    # The project folder is created only when something is written into it.
    assert not demo.with_name("farmhouse.pickup").exists()


def test_place_in_place_keeps_backup(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = demo.read_bytes()
    media = demo.parent / "media" / "ready_made_insert.mp4"
    code, out, _ = _run(capsys, "place", str(demo), "V1-01000200", str(media), "--in-place")
    assert code == 0
    assert Path(out.strip().splitlines()[-1]) == demo
    assert demo.with_name("farmhouse.otio.bak").read_bytes() == before
    assert demo.read_bytes() != before


def test_place_short_media_refused(demo: Path, capsys: pytest.CaptureFixture[str],
                                   make_video: Callable[..., Path]) -> None:
    short = make_video(10)
    code, _, err = _run(capsys, "place", str(demo), "V1-01000200", str(short))
    assert code == 2
    assert "--hold" in err and "V1-01000200" in err
    assert not demo.with_name("farmhouse.pickup.otio").exists()


def _error_cases(tmp: Path, demo: Path) -> list[tuple[list[str], str]]:
    (tmp / "empty.otio").write_bytes(b"")
    data = (FIXTURES / "premiere_example.xml").read_bytes()
    (tmp / "trunc.xml").write_bytes(data[: len(data) // 3])
    (tmp / "garbage.aaf").write_bytes(b"this is not an AAF" * 100)
    (tmp / "bad.edl").write_bytes(
        b"TITLE: bad\nFCM: NON-DROP FRAME\n001  AX  V  C  00:00:00:00 00:00:01:00 "
        b"00:00:00:00 00:00:01:00\n002  AX  V  C  00:00:00:00 00:61:01:00 00:00:01:00 xx\n")
    (tmp / "cut.docx").write_bytes(b"PK")
    newer = tmp / "newer.otio"
    shutil.copy(FIXTURES / "premiere_example.newer-schema.otio", newer)
    media = demo.parent / "media" / "ready_made_insert.mp4"
    notvideo = tmp / "notes.mov"
    notvideo.write_text("hello")
    return [
        (["scan", str(tmp / "missing.otio")], "no such file"),
        (["scan", str(tmp / "cut.docx")], "unknown timeline suffix"),
        (["scan", str(tmp / "empty.otio")], "empty"),
        (["scan", str(tmp / "trunc.xml")], "trunc.xml"),
        (["scan", str(tmp / "garbage.aaf")], "garbage.aaf"),
        (["scan", str(tmp / "bad.edl")], "bad.edl"),
        (["scan", str(newer)], "newer OpenTimelineIO"),
        (["scan", str(FIXTURES / "fcpx_clips.fcpxml")], "no sequence"),
        (["place", str(demo), "V9-99999999", str(media)], "no slot 'V9-99999999'"),
        (["place", str(demo), "V1-01000200", str(notvideo)], "notes.mov"),
        (["place", str(demo), "V1-01000200", str(tmp / "nope.mov")], "no such media"),
    ]


def test_bad_input_one_line_exit_2_no_output(demo: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    for argv, needle in _error_cases(tmp_path, demo):
        code, _, err = _run(capsys, *argv)
        assert code == 2, (argv, err)
        lines = err.strip().splitlines()
        assert lines[-1].startswith("pickup: error:"), (argv, err)
        assert needle in lines[-1], (argv, err)
        assert "Traceback" not in err
    assert not list(tmp_path.glob("*.pickup.*"))
    assert not demo.with_name("farmhouse.pickup.otio").exists()


def test_console_script_runs_as_a_process(demo: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pickup", "scan", str(demo.parent / "x.otio")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("pickup: error:")


def test_output_suffix_picks_the_writer(demo: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """An EDL placed into `-o x.otio` is written as OTIO JSON; `-o x.xml` is refused."""
    src = tmp_path / "gap_test.edl"
    shutil.copy(FIXTURES / "gap_test.edl", src)
    media = demo.parent / "media" / "ready_made_insert.mp4"
    code, out, err = _run(capsys, "place", str(src), "V1-00000100", str(media), "--all-gaps",
                          "-o", str(tmp_path / "filled.otio"))
    assert code == 0, err
    tl = otio.adapters.read_from_file(out.strip().splitlines()[-1])
    assert tl.tracks[0][1].name == "V1-00000100"
    code, out, err = _run(capsys, "place", str(src), "V1-00000100", str(media), "--all-gaps",
                          "-o", str(tmp_path / "filled.xml"))
    assert code == 2
    assert "not the input's format" in err
    assert not (tmp_path / "filled.xml").exists()


def test_options_may_sit_between_positionals(demo: Path, capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    media = demo.parent / "media" / "ready_made_insert.mp4"
    out = tmp_path / "x.otio"
    code, stdout, err = _run(capsys, "place", str(demo), "-o", str(out), "V1-01000200",
                             str(media))
    assert code == 0, err
    assert Path(stdout.strip().splitlines()[-1]) == out
    code, _, err = _run(capsys, "scan", str(demo), "--bogus")
    assert code == 2 and "unrecognized arguments: --bogus" in err
