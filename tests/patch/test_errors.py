"""Bad inputs and failing disks: one clear error, the right exit code, nothing half-written."""

from __future__ import annotations

import errno
import os
import shutil

import pytest

from pickup.cli import main
from pickup.errors import SlotError, TimelineError
from pickup.timeline import find_slots, place_all, read_timeline
from pickup.timeline.patch.fcp7xml import patch_fcp7xml
from pickup.timeline.writeback import write_back
from tests.patch.conftest import FIXTURES, make_slot, placement


def _files(folder):
    """What is in ``folder``, leaving out a project folder that holds at most the EDL
    rate Pickup remembers for the cut (``timeline.json``): no output, no sidecar, no
    temp file, no media may be among the rest."""
    return sorted(p.name for p in folder.iterdir() if not _only_rate_memory(p))


def _only_rate_memory(path):
    return (path.is_dir() and path.name.endswith(".pickup")
            and {p.name for p in path.iterdir()} <= {"timeline.json"})


@pytest.mark.parametrize("name", ["premiere_example.xml", "gap_test.edl", "trims.aaf",
                                  "fcpx_example.fcpxml"])
def test_truncated_file_exit_2_nothing_written(tmp_path, media, capsys, name):
    src = tmp_path / name
    data = (FIXTURES / name).read_bytes()
    src.write_bytes(data[: len(data) // 2] if not name.endswith(".edl") else
                    data.replace(b"00:00:01:16", b"00:00:0"))
    code = main(["place", str(src), "V1-00000100", str(media(24))])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and err.startswith("pickup: error:")
    assert _files(tmp_path) == [name] and src.read_bytes() != data


@pytest.mark.parametrize("real,fake", [("trims.aaf", "cut.xml"), ("premiere_example.xml",
                                                                   "cut.aaf")])
def test_file_that_is_not_its_suffix(tmp_path, media, capsys, real, fake):
    src = tmp_path / fake
    shutil.copyfile(FIXTURES / real, src)
    assert main(["place", str(src), "V1-01012422", str(media(24))]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert _files(tmp_path) == [fake]


def test_patcher_refuses_non_fcp7_root(tmp_path):
    src = tmp_path / "x.xml"
    shutil.copyfile(FIXTURES / "fcpx_example.fcpxml", src)
    loaded = read_timeline(src, adapter="fcpx_xml")
    object.__setattr__(loaded, "path", src)
    with pytest.raises(TimelineError, match="not FCP7 XML"):
        patch_fcp7xml(loaded, [])


def test_changed_since_scan_refused(tmp_path, media):
    src = tmp_path / "premiere_example.xml"
    shutil.copyfile(FIXTURES / "premiere_example.xml", src)
    loaded = read_timeline(src)
    p = placement(make_slot(loaded, 2, 113, 52, "gap"), media(30))
    edited = place_all(loaded.timeline, [p])
    # Meanwhile the editor fills the gap and exports again.
    text = src.read_text()
    at = text.index("<clipitem", text.index("<clipitem") + 1)
    src.write_text(text[:at] + "<clipitem id=\"x\"><name>late</name><start>113</start>"
                   "<end>165</end><in>0</in><out>52</out></clipitem>" + text[at:])
    before = src.read_bytes()
    out = tmp_path / "out.xml"
    with pytest.raises(SlotError, match="changed since it was scanned"):
        write_back(loaded, edited, [p], out)
    assert src.read_bytes() == before and _files(tmp_path) == ["premiere_example.xml"]


@pytest.mark.parametrize("name", ["gap_test.edl", "trims.aaf"])
def test_full_disk_exit_1_no_partial_output(tmp_path, media, capsys, monkeypatch, name):
    src = tmp_path / name
    shutil.copyfile(FIXTURES / name, src)
    loaded = read_timeline(src)
    slot = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                      all_gaps=True)[0]

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    code = main(["place", str(src), slot.id, str(media(24)), "--all-gaps"])
    err = capsys.readouterr().err
    assert code == 1 and "disk is full" in err and "Traceback" not in err
    assert _files(tmp_path) == [name]  # no output, no sidecar, no temp file
    assert src.read_bytes() == (FIXTURES / name).read_bytes()


def test_read_only_output_folder(tmp_path, media, capsys, monkeypatch):
    src = tmp_path / "gap_test.edl"
    shutil.copyfile(FIXTURES / "gap_test.edl", src)
    import tempfile

    def denied(*_a, **_k):  # the tests run as root, whom chmod does not stop
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    assert main(["place", str(src), "V1-00000100", str(media(24))]) == 1
    assert "no permission" in capsys.readouterr().err
    assert _files(tmp_path) == ["gap_test.edl"]


def test_to_adapter_warns_then_fails_cleanly(tmp_path, media, capsys):
    src = tmp_path / "multitrack.aaf"
    shutil.copyfile(FIXTURES / "multitrack.aaf", src)
    out = tmp_path / "via_otio_writer.aaf"
    code = main(["place", str(src), "V1-01015113", str(media(24)), "--all-gaps",
                 "--to", "AAF", "-o", str(out)])
    err = capsys.readouterr().err
    # OTIO's AAF writer cannot write a clip of external media at all: the user is told
    # before, the write fails with one line, and nothing is left behind.
    assert code == 1 and "Traceback" not in err
    assert "pickup: warning: AAF could not write" in err
    assert _files(tmp_path) == ["multitrack.aaf"]


def test_adapter_losses_measures_the_aaf_writer():
    from pickup.timeline.loss import adapter_losses

    loaded = read_timeline(FIXTURES / "multiple_markers.aaf")
    lines = adapter_losses(loaded.timeline, "AAF")
    assert any("markers: 10 -> 0" in line and "locators" in line for line in lines)
    assert any("tracks: 5 -> 2" in line for line in lines)
    assert adapter_losses(read_timeline(FIXTURES / "gap_test.edl").timeline, "otio_json") == []
