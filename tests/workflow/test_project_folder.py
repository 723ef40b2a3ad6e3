"""Every file of one cut finds the same project folder; nothing makes a second one."""

from __future__ import annotations

import shutil
from pathlib import Path

from pickup.project import Project, base_stem
from pickup.timeline import read_timeline
from pickup.ui.services import load_session
from tests.takes.conftest import XML_SLOTS, fill, ok, run, takes_json


def test_base_stem_takes_off_pickup_suffixes() -> None:
    assert base_stem(Path("cut.pickup.xml")) == "cut"
    assert base_stem(Path("cut.pickup.pickup.aaf")) == "cut"
    assert base_stem(Path("cut.xml")) == "cut"
    assert base_stem(Path(".pickup.xml")) == ".pickup"


def test_written_file_and_reexport_find_the_project(xml_cut: Path) -> None:
    written = fill(xml_cut, XML_SLOTS[:1], "--takes", "2")
    assert written.name == "cut.pickup.xml"
    home = xml_cut.with_name("cut.pickup")
    assert Project.find(xml_cut).root == home
    assert Project.find(written).root == home
    # A re-export under another name in another folder finds it by its Pickup media.
    other = xml_cut.parent / "elsewhere" / "reel2_v3.xml"
    other.parent.mkdir()
    shutil.copy(written, other)
    assert Project.find(other).root == other.with_name("reel2_v3.pickup")  # no timeline read
    assert Project.find(other, None, read_timeline(other).timeline).root == home
    # `pickup jobs` on the written file lists the fill's jobs
    code, out, err = run("jobs", written, "--json")
    assert code == 0, err
    assert '"state": "placed"' in out and str(home) in out
    # ... and on the re-export, found through its media
    code, out, err = run("jobs", other, "--json")
    assert code == 0, err
    assert str(home) in out and out.count('"state": "placed"') == 2
    # so does `pickup takes` on the re-export
    row = next(s for s in takes_json(other)["slots"] if s["id"] == XML_SLOTS[0])
    assert [t["key"] for t in row["takes"]] == ["T01", "T02"]


def test_panel_on_the_written_file_shows_the_takes_and_makes_no_folder(xml_cut: Path) -> None:
    written = fill(xml_cut, XML_SLOTS[:1], "--takes", "2")
    session = load_session(written)
    assert session.project.root == xml_cut.with_name("cut.pickup")
    assert sorted(t.number for t in session.takes[XML_SLOTS[0]]) == [1, 2]
    assert session.active_takes[XML_SLOTS[0]] == 1
    assert not written.with_name("cut.pickup.pickup").exists()


def test_a_fresh_written_name_never_makes_a_second_folder(tmp_path: Path) -> None:
    assert Project.find(tmp_path / "cut.pickup.xml").root == tmp_path / "cut.pickup"
    assert Project.find(tmp_path / "cut.xml").root == tmp_path / "cut.pickup"


def test_approve_makes_active_and_asks_before_unapproving(xml_cut: Path) -> None:
    slot = XML_SLOTS[0]
    written = fill(xml_cut, XML_SLOTS[:1], "--takes", "3")
    ok("approve", written, slot, "T02", "--note", "the one")
    data = takes_json(written, slot)["slots"][0]
    assert data["active"] == "T02"  # approving swapped it into the cut
    assert [(t["key"], t["status"], t["note"]) for t in data["takes"]] == [
        ("T01", "temp", None), ("T02", "approved", "the one"), ("T03", "temp", None)]
    assert b"_T02" in written.read_bytes() and written.with_name(written.name + ".bak").exists()
    # another approval in the slot: refused without a terminal to ask on
    code, _, err = run("approve", written, slot, "T03")
    assert code == 2 and "already has T02 approved" in err and "--keep-other" in err
    assert takes_json(written, slot)["slots"][0]["active"] == "T02"
    ok("approve", written, slot, "T03", "--keep-other")
    statuses = [t["status"] for t in takes_json(written, slot)["slots"][0]["takes"]]
    assert statuses == ["temp", "approved", "approved"]
    ok("approve", written, slot, "T01", "-y")
    data = takes_json(written, slot)["slots"][0]
    assert data["active"] == "T01"
    assert [t["status"] for t in data["takes"]] == ["approved", "temp", "temp"]
    # the note shows in the table and in the report
    code, out, _ = run("takes", written, slot)
    assert code == 0 and "the one" in out


def test_sheet_of_a_filled_xml_reads_every_take_from_the_project_state(
        xml_cut: Path, tmp_path: Path) -> None:
    from PIL import Image

    from pickup.workflow import draw_sheet

    slot = XML_SLOTS[0]
    written = fill(xml_cut, XML_SLOTS[:1], "--takes", "2")
    ok("reject", written, slot, "T02", "--note", "too dark")
    out = Path(ok("sheet", written, "-o", tmp_path / "sheet.png"))
    assert Image.open(out).size[0] >= 1400
    sheet, slots = draw_sheet(read_timeline(written), tmp_path / "again.png")
    assert [s.id for s in slots] == [slot]
    cells = [(c.key, c.active, c.status, c.take_status, c.note) for c in sheet.cells]
    assert cells == [("T01", True, "thumbnail", "temp", None),
                     ("T02", False, "thumbnail", "rejected", "too dark"),
                     ("PLACEHOLDER", False, "placeholder", None, None)]
    # the editor's own file (nothing filled in it) shows the same takes
    sheet, _ = draw_sheet(read_timeline(xml_cut), tmp_path / "cut.png")
    assert [(c.key, c.take_status) for c in sheet.cells][:2] == [("T01", "temp"),
                                                                ("T02", "rejected")]
