"""``pickup export --for avid|avid-edl|premiere|fcp`` on timelines Pickup filled."""

from __future__ import annotations

from pathlib import Path

from pickup.cli import main
from pickup.media.probe import probe
from pickup.timeline import read_timeline


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["export", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_premiere_from_otio_converts_and_conforms(filled, tmp_path, capsys):
    code, out, err = _run(capsys, str(filled), "--for", "premiere", "-o", str(tmp_path / "p"))
    assert code == 0, err
    xml = Path(out.strip().splitlines()[-1])
    assert xml == tmp_path / "p" / "Cut_1.pickup.xml"
    text = xml.read_text()
    media = tmp_path / "p" / "media" / "V1-01000200_T01.mov"
    assert f"<pathurl>{media.as_uri()}</pathurl>" in text
    info = probe(media)
    assert (info.codec, info.frames, info.start_timecode) == ("prores", 72, "01:00:02:00")
    assert "through OTIO's fcp_xml adapter" in err and "File > Import..." in err
    back = read_timeline(xml)
    names = [c.name for c in back.timeline.find_clips()]
    assert "V1-01000200_T01" in names and "V1-01000700_T01" in names


def test_premiere_h264_and_codec_check(filled, tmp_path, capsys):
    code, _, err = _run(capsys, str(filled), "--for", "premiere", "--codec", "h264", "-o",
                        str(tmp_path / "h"))
    assert code == 0, err
    assert probe(tmp_path / "h" / "media" / "V1-01000700_T01.mp4").codec == "h264"
    code, _, err = _run(capsys, str(filled), "--for", "fcp", "--codec", "dnxhr_hq", "-o",
                        str(tmp_path / "x"))
    assert code == 2 and "takes prores_hq media" in err


def test_fcp_writes_fcpxml(filled, tmp_path, capsys):
    code, out, err = _run(capsys, str(filled), "--for", "fcp", "-o", str(tmp_path / "f"))
    assert code == 0, err
    fcpxml = Path(out.strip())
    assert fcpxml.suffix == ".fcpxml"
    assert (tmp_path / "f" / "media" / "V1-01000700_T01.mov").as_uri() in fcpxml.read_text()
    assert len(read_timeline(fcpxml).timeline.tracks) >= 1


def test_avid_edl_writes_edl_ale_and_dnxhr(filled, tmp_path, capsys):
    code, out, err = _run(capsys, str(filled), "--for", "avid-edl", "-o", str(tmp_path / "a"))
    assert code == 0, err
    edl = Path(out.strip())
    ale = edl.with_suffix(".ale")
    assert edl.suffix == ".edl" and ale.is_file()
    rows = ale.read_text().split("Data\n", 1)[1].strip().splitlines()
    assert len(rows) == 2
    name, _tape, source, start, end, _tracks, fps, slot, prompt = rows[0].split("\t")
    assert (name, slot, start, end, fps) == ("V1-01000200_T01", "V1-01000200", "01:00:02:00",
                                             "01:00:05:00", "24")
    assert source.endswith("V1-01000200_T01.mxf") and prompt.startswith("a farmhouse")
    info = probe(source)
    assert (info.codec, info.profile) == ("dnxhd", "DNXHR HQ")
    assert "import the ALE into a bin" in err and "EDL Manager" in err


def test_avid_aaf_needs_a_filled_aaf(filled, tmp_path, capsys):
    code, _, err = _run(capsys, str(filled), "--for", "avid", "-o", str(tmp_path / "v"))
    assert code == 2
    assert "only from a filled AAF" in err and "--for avid-edl" in err
    assert not (tmp_path / "v" / "media").exists()


def test_premiere_from_filled_xml_is_lossless(filled_xml, tmp_path, capsys):
    code, out, err = _run(capsys, str(filled_xml), "--for", "premiere", "-o",
                          str(tmp_path / "l"))
    assert code == 0, err
    assert "nothing else changed" in err
    before = filled_xml.read_text().splitlines()
    after = Path(out.strip()).read_text().splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed, "the filled clips must point at the conformed media"
    for old, new in changed:
        assert ("pathurl" in old and "Cut_1.pickup.premiere" not in old
                and str(tmp_path / "l" / "media") in new) or "pickup-" in old, (old, new)


def test_unfilled_timeline_is_bad_input(filled_dir, tmp_path, capsys):
    code, _, err = _run(capsys, str(filled_dir / "Cut_1.otio"), "--for", "premiere", "-o",
                        str(tmp_path / "u"))
    assert code == 2 and "no clips that Pickup filled" in err
