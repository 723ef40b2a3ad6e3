"""What ``--to ADAPTER`` loses, measured in the timeline layer that ``place``, ``fill``
and ``export`` all call, and adapter failures as one readable line."""

from __future__ import annotations

import shutil

from pickup.cli import main
from pickup.timeline import read_timeline
from pickup.timeline.loss import adapter_losses
from tests.conftest import FIXTURES

SPEED = "speed_effects_small.edl"


def test_cmx_writer_losses_against_the_original_edl():
    loaded = read_timeline(FIXTURES / SPEED)
    assert adapter_losses(loaded.timeline, "cmx_3600") == []  # a read-back sees nothing
    lines = adapter_losses(loaded.timeline, "cmx_3600", original=loaded.path)
    assert lines[:2] == ["cmx_3600 drops M2 (speed) lines: 3 -> 2",
                         "cmx_3600 drops FREEZE FRAME comments: 2 -> 1"]
    assert lines[2].startswith("cmx_3600 changes the source timecodes of 1 event(s): "
                               "01:11:31:16 source 01:00:06:00-01:00:08:22 -> ")


def test_fill_to_cmx_reports_what_place_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "none.toml"))
    src = tmp_path / SPEED
    shutil.copyfile(FIXTURES / SPEED, src)
    code = main(["fill", str(src), "--slots", "V1-01083112", "--provider", "previz",
                 "--size", "256x144", "--to", "cmx_3600", "-o", str(tmp_path / "out.edl")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "pickup: warning: cmx_3600 drops M2 (speed) lines: 3 -> 2" in err
    assert "pickup: warning: cmx_3600 drops FREEZE FRAME comments: 2 -> 1" in err


def test_aaf_writer_failure_is_one_short_line():
    loaded = read_timeline(FIXTURES / "fcpx_example.fcpxml")
    lines = adapter_losses(loaded.timeline, "AAF")
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith("AAF could not write or read back this timeline "
                               "(AAFAdapterError: Cannot find mob ID for clip")
    assert len(lines[0]) < 300


def test_fcpx_writer_losses_are_counted():
    loaded = read_timeline(FIXTURES / "fcpx_example.fcpxml")
    lines = adapter_losses(loaded.timeline, "fcpx_xml")
    assert "fcpx_xml changes markers: 8 -> 7" in lines


def test_fill_suggests_all_gaps_only_when_it_was_not_passed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "none.toml"))
    src = tmp_path / "cut.xml"
    shutil.copyfile(FIXTURES / "premiere_example.xml", src)
    assert main(["fill", str(src), "--provider", "previz"]) == 2
    assert "--all-gaps fills unmarked holes" in capsys.readouterr().err
    assert main(["fill", str(src), "--all-gaps", "--provider", "previz"]) == 2
    err = capsys.readouterr().err
    assert "no marked slots and no unmarked holes" in err and "--all-gaps fills" not in err
