"""``pickup export --for resolve`` and ``--approved-only`` (issue 19)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.cli import main
from pickup.media.probe import probe


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _items(path: Path) -> list[tuple[str, str, str | None]]:
    """(type, name, media URL) of every item on the video tracks, read by OTIO itself."""
    timeline = otio.adapters.read_from_file(str(path))
    return [(type(item).__name__, item.name,
             getattr(getattr(item, "media_reference", None), "target_url", None))
            for track in timeline.video_tracks() for item in track]


@pytest.fixture
def own_fill(filled_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the filled cut with its project folder (approvals stay here)."""
    dest = tmp_path / "cut"
    shutil.copytree(filled_dir, dest)
    return dest / "Cut_1.pickup.otio"


def test_resolve_export_writes_otio_and_media_with_import_steps(
        filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "r"
    code, out, err = _run(capsys, "export", str(filled), "--for", "resolve", "-o", str(out_dir))
    assert code == 0, err
    written = Path(out.strip().splitlines()[-1])
    assert written == out_dir / "Cut_1.pickup.otio"
    data = json.loads(written.read_text())  # plain JSON a reader other than Pickup takes
    media = out_dir / "media" / "V1-01000200_T01.mov"
    info = probe(media)
    assert (info.codec, info.frames, info.start_timecode) == ("prores", 72, "01:00:02:00")
    # as Resolve's importer reads it (and `pickup resolve send` writes it): Clip.1 with
    # its one media reference, plain paths
    clips = [c for t in data["tracks"]["children"] for c in t["children"]
             if c["OTIO_SCHEMA"].startswith("Clip")]
    assert clips and {c["OTIO_SCHEMA"] for c in clips} == {"Clip.1"}
    assert all("media_references" not in c for c in clips)
    assert ("Clip", "V1-01000200_T01", str(media.resolve())) in _items(written)
    assert "written as Resolve's OTIO import reads it (as `pickup resolve send` does): one " \
        "media reference per clip (OTIO Clip.1), plain file paths" in err
    steps = [line.strip() for line in err.splitlines()]
    assert (f"1. In DaVinci Resolve (18.5 or later) choose File > Import > Timeline... and "
            f"pick: {written}") in steps
    assert (f"2. Leave 'Automatically import source clips into media pool' on: the new clips "
            f"link to the files in {out_dir / 'media'}; if you move that folder, relink the "
            f"clips to it") in steps
    assert (f"3. With Resolve open on this machine, `pickup resolve send {filled}` does the "
            f"same live (a new timeline version and a Pickup bin), with no files to import"
            ) in steps


def test_resolve_export_from_xml_converts_to_otio(filled_xml: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "export", str(filled_xml), "--for", "resolve", "--codec",
                          "dnxhr_hq", "-o", str(tmp_path / "x"))
    assert code == 0, err
    written = Path(out.strip().splitlines()[-1])
    assert written.suffix == ".otio"
    assert "through OTIO's otio_json adapter" in err
    urls = [url for kind, _name, url in _items(written) if kind == "Clip" and url]
    mxf = [u for u in urls if u.endswith(".mxf")]
    assert mxf and all(u.startswith(str((tmp_path / "x" / "media").resolve())) for u in mxf)
    code, _, err = _run(capsys, "export", str(filled_xml), "--for", "resolve", "--codec",
                        "h264", "-o", str(tmp_path / "y"))
    assert code == 2 and "resolve takes prores_hq or dnxhr_hq media, not h264" in err


def test_approved_only_hands_over_approved_takes_and_lists_the_rest(
        own_fill: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "approve", str(own_fill), "V1-01000200", "T02")
    assert code == 0, err
    assert '"approved"' in (own_fill.parent / "Cut_1.pickup" / "takes.otio").read_text()
    # approving made T02 active; the editor puts T01 back in the cut, T02 stays approved
    code, _, err = _run(capsys, "use", str(own_fill), "V1-01000200", "T01")
    assert code == 0, err
    out_dir = tmp_path / "a"
    code, out, err = _run(capsys, "export", str(own_fill), "--for", "resolve",
                          "--approved-only", "-o", str(out_dir))
    assert code == 0, err
    lines = err.splitlines()
    assert "V1-01000200: handed over approved take T02 (the cut shows another take)" in lines
    assert ("pickup: 1 slot(s) without an approved take, handed over as gaps: V1-01000700"
            in lines)
    assert sorted(p.name for p in (out_dir / "media").iterdir()) == ["V1-01000200_T02.mov"]
    items = _items(Path(out.strip().splitlines()[-1]))
    names = [name for _kind, name, _url in items]
    assert "V1-01000200_T02" in names
    assert not any(n.startswith("V1-01000700") for n in names)
    # the unapproved slot is a gap of its length where the temp take was
    cut = otio.adapters.read_from_file(str(own_fill))
    before = [(type(i).__name__, i.duration().value) for t in cut.video_tracks() for i in t]
    after = otio.adapters.read_from_file(str(out_dir / own_fill.name))
    now = [(type(i).__name__, i.duration().value) for t in after.video_tracks() for i in t]
    assert len(before) == len(now)
    changed = [(b, a) for b, a in zip(before, now, strict=True) if b != a]
    assert len(changed) == 1 and changed[0][1][0] == "Gap" and \
        changed[0][0][1] == changed[0][1][1]


def test_approved_only_with_nothing_approved_is_bad_input(
        own_fill: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "export", str(own_fill), "--for", "premiere",
                        "--approved-only", "-o", str(tmp_path / "n"))
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        f"pickup: error: {own_fill}: no slot has an approved take; nothing to hand over "
        "(approve takes first: pickup approve TIMELINE SLOT T01 (`pickup takes` lists them))")
    assert not (tmp_path / "n").exists()


def test_approved_only_from_a_filled_xml_puts_the_rest_back_as_before(
        filled_xml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Premiere from a filled FCP7 XML: the lossless patch hands over the approved slot
    and un-patches the other one (as `pickup revert` would) on a copy: the input and the
    take store stay as they were."""
    import xml.etree.ElementTree as ET

    folder = tmp_path / "x"
    shutil.copytree(filled_xml.parent, folder)
    for path in folder.rglob("*"):
        if path.suffix in (".otio", ".xml") and path.is_file():
            path.write_text(path.read_text().replace(str(filled_xml.parent), str(folder)))
    xml = folder / filled_xml.name
    original = (folder / "Cut_1.xml").read_text()
    code, _, err = _run(capsys, "approve", str(xml), "V1-01000200", "T01")
    assert code == 0, err
    before, store = xml.read_bytes(), (folder / "Cut_1.pickup" / "takes.otio").read_bytes()
    code, out, err = _run(capsys, "export", str(xml), "--for", "premiere", "--approved-only",
                          "-o", str(tmp_path / "p"))
    assert code == 0, err
    assert ("pickup: 1 slot(s) without an approved take, handed over as before the fill: "
            "V1-01000700") in err.splitlines()
    assert xml.read_bytes() == before
    assert (folder / "Cut_1.pickup" / "takes.otio").read_bytes() == store
    written = Path(out.strip().splitlines()[-1])
    assert sorted(p.name for p in (tmp_path / "p" / "media").iterdir()) == [
        "V1-01000200_T01.mov"]
    names = [e.text for e in ET.parse(written).iter("name")]
    assert "V1-01000200_T01" in names and not any(
        n and n.startswith("V1-01000700") for n in names)
    # the left-out slot is what the editor's export had there
    urls = {e.text for e in ET.parse(written).iter("pathurl")}
    assert not any(u and "V1-01000700" in u for u in urls)
    def clipitems(path_or_text: Path | str) -> list[str | None]:
        root = (ET.parse(path_or_text).getroot() if isinstance(path_or_text, Path)
                else ET.fromstring(path_or_text))
        return [c.findtext("name") for c in root.iter("clipitem")]

    assert [n for n in clipitems(written) if n != "V1-01000200_T01"] == clipitems(original)
