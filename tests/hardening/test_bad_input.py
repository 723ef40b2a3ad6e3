"""Bad input ends in one line and exit 2, never a traceback or a wrong success."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.cli import main
from tests.conftest import FIXTURES
from tests.hardening.helpers import cut_text, one_line_error, run_cli

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


def with_rate(text: str, rate: object) -> str:
    data = json.loads(text)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("OTIO_SCHEMA", "")).startswith("RationalTime"):
                node["rate"] = rate
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return json.dumps(data).replace('"NaN"', "NaN").replace('"Infinity"', "Infinity")


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    return code, err


@pytest.mark.parametrize("rate", [0, -24, "NaN", "Infinity", 1e9])
def test_bad_rates_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                rate: object) -> None:
    path = tmp_path / "cut.otio"
    path.write_text(with_rate(cut_text(), rate))
    code, err = _run(capsys, "scan", path)
    assert code == 2 and one_line_error(err) and "rate" in err


def test_negative_start_timecode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.otio"
    path.write_text(cut_text(start=-100))
    code, err = _run(capsys, "scan", path)
    assert code == 2 and "before 00:00:00:00" in err


def test_non_utf8_byte_in_an_otio_string(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.otio"
    path.write_bytes(cut_text().encode().replace(b"a farm", b"a f\xffarm"))
    code, err = _run(capsys, "scan", path)
    assert code == 2 and "not UTF-8" in err and re.search(r"line \d+", err)


@pytest.mark.parametrize(("timebase", "needle"), [("0", "rate"), ("-25", "rate")])
def test_fcp7_bad_timebase(tmp_path: Path, capsys: pytest.CaptureFixture[str], timebase: str,
                           needle: str) -> None:
    text = (FIXTURES / "premiere_example.xml").read_text()
    path = tmp_path / "cut.xml"
    path.write_text(re.sub(r"<timebase>\d+</timebase>", f"<timebase>{timebase}</timebase>",
                           text))
    code, err = _run(capsys, "scan", path)
    assert code == 2 and needle in err


def test_fcp7_negative_start_timecode(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = (FIXTURES / "premiere_example.xml").read_text()
    text = re.sub(r"<timecode>.*?</timecode>",
                  lambda m: re.sub(r"<frame>\d+</frame>", "<frame>-1000</frame>", m.group(0)),
                  text, flags=re.S)
    path = tmp_path / "cut.xml"
    path.write_text(text)
    code, err = _run(capsys, "scan", path)
    assert code == 2 and "before 00:00:00:00" in err


def test_whitespace_only_edl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.edl"
    path.write_text("  \n\t\n   \n")
    code, err = _run(capsys, "scan", path)
    assert code == 2 and "empty" in err


def test_project_naming_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.otio"
    path.write_text(cut_text())
    (tmp_path / "afile").write_text("x")
    code, err = _run(capsys, "fill", path, "--project", tmp_path / "afile", "--dry-run")
    assert code == 2 and "--project names a file" in err


def test_timeline_named_like_an_option_after_double_dash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "-cut.otio").write_text(cut_text())
    monkeypatch.chdir(tmp_path)
    code, err = _run(capsys, "fill", "--dry-run", "--", "-cut.otio")
    assert code == 0, err
    code, err = _run(capsys, "fill", "--size", "64x36", "--profile", "prores_hq", "--",
                     "-cut.otio")
    assert code == 0, err


def test_fill_in_a_read_only_folder(tmp_path: Path) -> None:
    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    (src / "cut.otio").write_text(cut_text())
    if subprocess.run(["mount", "--bind", str(src), str(ro)], capture_output=True).returncode:
        pytest.skip("cannot bind-mount here (needs root)")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)],
                          capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        before = (ro / "cut.otio").read_bytes()
        result = run_cli(["fill", ro / "cut.otio", "--size", "64x36", "--profile", "prores_hq"],
                         env={"PICKUP_CONFIG": str(tmp_path / "none.toml")})
        assert result.returncode in (1, 2) and one_line_error(result.stderr), result.stderr
        assert "read-only" in result.stderr.lower() or "permission" in result.stderr.lower()
        assert (ro / "cut.otio").read_bytes() == before
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)
