"""``pickup relink TIMELINE --search DIR`` (issue 19): takes and the editor's media that moved."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.cli import main
from pickup.media.conform import ConformTarget, conform
from pickup.workflow.relink import Missing, plan_relink
from tests.conftest import FIXTURES, make_video_file


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _urls(path: Path) -> dict[tuple[str, str], str]:
    """(clip name, reference key) -> target URL, read by OTIO itself."""
    timeline = otio.adapters.read_from_file(str(path))
    return {(clip.name, key): ref.target_url for clip in timeline.find_clips()
            for key, ref in clip.media_references().items() if hasattr(ref, "target_url")}


def _private_copy(folder: Path, dest: Path) -> Path:
    """A copy of a filled folder whose timelines and take store name the copy's media
    (so moving it never touches the shared fixture)."""
    shutil.copytree(folder, dest)
    for path in dest.rglob("*"):
        if path.suffix in (".otio", ".xml") and path.is_file():
            path.write_text(path.read_text().replace(str(folder), str(dest)))
    return dest


@pytest.fixture
def cut(filled_dir: Path, tmp_path: Path) -> Path:
    return _private_copy(filled_dir, tmp_path / "cut") / "Cut_1.pickup.otio"


def test_relink_moved_and_renamed_takes(cut: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    media = cut.parent / "Cut_1.pickup" / "media"
    search = tmp_path / "moved"
    (search / "sub").mkdir(parents=True)
    shutil.move(media / "V1-01000200_T01.mov", search / "V1-01000200_T01.mov")
    shutil.move(media / "V1-01000200_T02.mov", search / "sub" / "renamed.mov")
    (search / "A002_C001.mov").write_bytes(b"the editor's clip, moved")
    before = cut.read_bytes()
    code, out, err = _run(capsys, "relink", str(cut), "--search", str(search))
    assert code == 1  # the other camera clips are still missing
    written = Path(out.strip().splitlines()[-1])
    assert written == cut.with_name("Cut_1.pickup.relinked.otio")
    assert cut.read_bytes() == before
    lines = err.splitlines()
    assert lines[0] == (f"Cut_1.pickup.otio: 5 media file(s) not where the timeline says; "
                        f"looked in {search}")
    assert (f"relinked V1-01000200_T01.mov (clip V1-01000200_T01) -> "
            f"{search / 'V1-01000200_T01.mov'} (by file name + checksum)") in lines
    assert (f"relinked V1-01000200_T02.mov (clip V1-01000200_T01) -> "
            f"{search / 'sub' / 'renamed.mov'} (by checksum)") in lines
    assert (f"relinked A002_C001.mov (clip A002_C001 porch) -> {search / 'A002_C001.mov'} "
            "(by file name)") in lines
    assert ("not found: /media/A001_C003.mov (clip A001_C003 road): no file of that name"
            in lines)
    store = cut.parent / "Cut_1.pickup" / "takes.otio"
    assert f"the take store follows the moved takes too: {store}" in lines
    assert lines[-1] == "3 of 5 relinked; 2 not found"
    assert str(search / "sub" / "renamed.mov") in store.read_text()
    # the take store found the moved take: swapping to it works on the relinked cut
    code, out, err = _run(capsys, "use", str(written), "V1-01000200", "T02", "-o",
                          str(tmp_path / "swapped.otio"))
    assert code == 0, err
    assert _urls(tmp_path / "swapped.otio")[("V1-01000200_T02", "T02")] == (
        search / "sub" / "renamed.mov").as_uri()
    old, new = _urls(cut), _urls(written)
    assert new[("V1-01000200_T01", "T01")] == (search / "V1-01000200_T01.mov").as_uri()
    assert new[("V1-01000200_T01", "T02")] == (search / "sub" / "renamed.mov").as_uri()
    assert new[("A002_C001 porch", "DEFAULT_MEDIA")] == str(search / "A002_C001.mov")
    changed = {k for k in old if old[k] != new[k]}
    assert changed == {("V1-01000200_T01", "T01"), ("V1-01000200_T01", "T02"),
                       ("A002_C001 porch", "DEFAULT_MEDIA")}


def test_same_name_other_content_is_not_used(cut: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    media = cut.parent / "Cut_1.pickup" / "media"
    (media / "V1-01000700_T02.mov").unlink()
    search = tmp_path / "elsewhere"
    search.mkdir()
    (search / "V1-01000700_T02.mov").write_bytes(b"not the take")
    code, out, err = _run(capsys, "relink", str(cut), "--search", str(search), "--dry-run")
    assert code == 1 and out == ""
    assert (f"not found: {media / 'V1-01000700_T02.mov'} (clip V1-01000700_T01): "
            f"{search / 'V1-01000700_T02.mov'} has another checksum than the take Pickup "
            "made") in err.splitlines()
    assert not cut.with_name("Cut_1.pickup.relinked.otio").exists()


def test_nothing_missing_writes_nothing(filled_xml: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    xml = tmp_path / filled_xml.name
    shutil.copy2(filled_xml, xml)
    text = xml.read_text()
    for url in {e.text for e in ET.fromstring(text).iter("pathurl") if e.text}:
        if "/media/A" in url:  # the editor's camera clips, which the fake never had
            text = text.replace(url, (tmp_path / "here.mov").as_uri())
    (tmp_path / "here.mov").write_bytes(b"x")
    xml.write_text(text)
    code, out, err = _run(capsys, "relink", str(xml), "--search", str(tmp_path))
    assert code == 0 and out == ""
    assert err.strip() == ("Cut_1.pickup.xml: every media file it names is where it says; "
                           "nothing to relink")


def test_relink_fcp7_xml_in_place_changes_only_pathurls(
        filled_xml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xml = _private_copy(filled_xml.parent, tmp_path / "x") / filled_xml.name
    takes = [Path(otio.url_utils.filepath_from_url(e.text)) for e in
             ET.parse(xml).iter("pathurl") if e.text and ".pickup/media/" in e.text]
    assert takes and all(str(tmp_path) in str(t) for t in takes)
    search = tmp_path / "drive"
    search.mkdir()
    for take in takes:
        shutil.move(take, search / take.name)
    for name in ("A001_C003.mov", "A002_C001.mov", "A004_C007.mov"):
        (search / name).write_bytes(b"camera")
    before = xml.read_text().splitlines()
    code, out, err = _run(capsys, "relink", str(xml), "--search", str(search), "--in-place")
    assert code == 0, err
    assert Path(out.strip()) == xml and xml.with_name(xml.name + ".bak").is_file()
    after = xml.read_text().splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed and all("<pathurl>" in a and "<pathurl>" in b for a, b in changed)
    urls = {e.text for e in ET.parse(xml).iter("pathurl") if e.text}
    for take in takes:
        assert any(u.endswith(f"/drive/{take.name}") for u in urls)
    assert err.splitlines()[-1] == f"{len(takes) + 3} of {len(takes) + 3} relinked"


def test_a_renamed_camera_file_is_found_by_timecode(tmp_path: Path) -> None:
    raw = make_video_file(tmp_path / "raw.mp4", 48)
    search = tmp_path / "card"
    search.mkdir()
    conform(raw, ConformTarget(frames=48, rate=Fraction(24), width=64, height=36,
                               profile="prores_hq", timecode="01:00:00:00"),
            search / "C0007_renamed.mov")
    plan = plan_relink([Missing(Path("/gone/A001_C007.mov"), ["A001_C007"], start=86400,
                                frames=48, rate=24.0),
                        Missing(Path("/gone/A001_C008.mov"), ["A001_C008"], start=90000,
                                frames=48, rate=24.0)], search)
    assert [(r.old.name, r.new.name, r.how) for r in plan.relinked] == [
        ("A001_C007.mov", "C0007_renamed.mov", "timecode")]
    assert [(u.old.name, u.why) for u in plan.unresolved] == [
        ("A001_C008.mov", "no file of that name")]


def test_relink_aaf_locator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import aaf2

    aaf = tmp_path / "one_clip.aaf"
    shutil.copy(FIXTURES / "one_clip.aaf", aaf)
    found = tmp_path / "found"
    found.mkdir()
    mxf = found / "ppjoshm_1.V01.D8C35C9E69C8V.mxf"
    mxf.write_bytes(b"essence")
    code, out, err = _run(capsys, "relink", str(aaf), "--search", str(found))
    assert code == 1  # the .wav is not there
    assert ("relinked ppjoshm_1.V01.D8C35C9E69C8V.mxf (clip ppjoshm_1 (SIM1)) -> "
            f"{mxf} (by file name)") in err.splitlines()
    with aaf2.open(out.strip().splitlines()[-1]) as f:  # read back by pyaaf2 itself
        urls = [loc["URLString"].value for mob in f.content.mobs
                for loc in (mob.descriptor["Locator"].value
                            if getattr(mob, "descriptor", None) is not None
                            and mob.descriptor.get("Locator") is not None else [])]
    assert mxf.as_uri() in urls
    assert any(u.endswith("ppjoshm_1.A01.D8C35C9E69C8A.wav") and "VSD" in u for u in urls)


def test_relink_edl_comment_lines_and_its_ale(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import pycmx

    from pickup.timeline.patch.edl import ale_path

    edl = tmp_path / "gap_test.edl"
    shutil.copy(FIXTURES / "gap_test.edl", edl)
    code, out, err = _run(capsys, "fill", str(edl), "--all-gaps", "--slots", "V1-00000100",
                          "--size", "64x36", "--profile", "h264", "--prompt", "a field")
    assert code == 0, err
    filled = Path(out.strip().splitlines()[-1])
    moved = tmp_path / "moved"
    moved.mkdir()
    take = tmp_path / "gap_test.pickup" / "media" / "V1-00000100_T01.mp4"
    shutil.move(take, moved / take.name)
    code, out, err = _run(capsys, "relink", str(filled), "--search", str(moved))
    assert code == 0, err
    written = Path(out.strip().splitlines()[-1])
    before, after = filled.read_text().splitlines(), written.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(before) == len(after) and [b for _, b in changed] == [
        f"* FROM FILE: {moved / take.name}", f"* SOURCE FILE: {moved / take.name}"]
    with written.open() as f:
        assert len(list(pycmx.parse_cmx3600(f).events)) >= 3
    assert str(moved / take.name) in ale_path(written).read_text()
    assert str(take) in ale_path(filled).read_text()


def test_a_relinked_file_of_another_shape_is_refused(tmp_path: Path) -> None:
    from pickup.errors import WriteError
    from pickup.timeline.repath import _checked

    original = tmp_path / "cut.xml"
    original.write_text("<xmeml><clipitem><pathurl>file:///a.mov</pathurl></clipitem></xmeml>")
    same = tmp_path / "same.xml"
    same.write_text("<xmeml><clipitem><pathurl>file:///b.mov</pathurl></clipitem></xmeml>")
    _checked(original, same, "fcp7xml", tmp_path / "out.xml")  # only text changed: fine
    extra = tmp_path / "extra.xml"
    extra.write_text("<xmeml><clipitem><pathurl>file:///b.mov</pathurl><x/></clipitem></xmeml>")
    with pytest.raises(WriteError, match="does not have the input's shape"):
        _checked(original, extra, "fcp7xml", tmp_path / "out.xml")
    broken = tmp_path / "broken.xml"
    broken.write_text("<xmeml><clipitem>")
    with pytest.raises(WriteError, match="cannot be read back"):
        _checked(original, broken, "fcp7xml", tmp_path / "out.xml")


def test_relink_fcpxml_asset_src_with_json_summary(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import xml.etree.ElementTree as ET

    cut = tmp_path / "fcpx_example.fcpxml"
    shutil.copy(FIXTURES / "fcpx_example.fcpxml", cut)
    card = tmp_path / "card" / "DCIM"
    card.mkdir(parents=True)
    (card / "img_0233.mov").write_bytes(b"phone clip")  # names match case-insensitively
    code, out, err = _run(capsys, "relink", str(cut), "--search", str(tmp_path / "card"),
                          "--json", "-o", str(tmp_path / "relinked.fcpxml"))
    assert code == 1, err  # the other assets are not on the card
    data = json.loads(out)
    assert data["output"] == str(tmp_path / "relinked.fcpxml")
    assert [(r["old"], r["new"], r["how"]) for r in data["relinked"]] == [
        ("/Volumes/Media/otio/IMG_0233.MOV", str(card / "img_0233.mov"), "file name")]
    assert data["missing"] == len(data["relinked"]) + len(data["not_found"])
    srcs = {a.get("name"): a.get("src") for a in
            ET.parse(tmp_path / "relinked.fcpxml").iter("asset")}
    assert srcs["IMG_0233"] == (card / "img_0233.mov").as_uri()
    assert srcs["IMG_0268"] == "file:///Volumes/Media/otio/IMG_0268.MOV"
