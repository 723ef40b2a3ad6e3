"""`pickup fill --prompt/--negative` is kept in the project state: the panel shows it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pickup.cli import main
from tests.conftest import FIXTURES


def test_panel_shows_the_prompt_the_command_line_filled_with(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pickup.ui.model import PanelModel
    from pickup.ui.services import load_session

    edl = tmp_path / "gap_test.edl"
    shutil.copy(FIXTURES / "gap_test.edl", edl)
    code = main(["fill", str(edl), "--slots", "V1-00000100", "--prompt", "rain on a window",
                 "--negative", "people", "--size", "64x36", "--profile", "h264"])
    out, err = capsys.readouterr()
    assert code == 0, err
    model = PanelModel(load_session(Path(out.strip().splitlines()[-1])))
    slot = model["V1-00000100"]
    assert (slot.prompt, slot.negative) == ("rain on a window", "people")


def test_panel_reads_an_edl_at_the_rate_given_on_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pickup.ui.services import read_session

    edl = tmp_path / "gap_test.edl"
    shutil.copy(FIXTURES / "gap_test.edl", edl)
    assert read_session(edl).loaded.rate == 24  # detected; opening writes nothing
    assert not (tmp_path / "gap_test.pickup").exists()
    assert main(["scan", str(edl), "--rate", "25"]) == 0
    capsys.readouterr()
    assert read_session(edl).loaded.rate == 25
    assert main(["takes", str(edl)]) in (0, 1)
    assert "fps" not in capsys.readouterr().err  # said once, on the scan that set it
