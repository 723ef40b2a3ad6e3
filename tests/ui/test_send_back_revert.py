"""Send back from the panel keeps what it replaces, so `pickup revert` can put it back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pickup.ui.services import SlotChoice, TakeRecord, load_session, send_back
from tests.takes.conftest import ok, takes_json, xml_cut  # noqa: F401 - xml_cut: fixture
from tests.takes.test_revert_placeholder import GEN, XML_PH


def test_send_back_of_a_placeholder_can_be_reverted(
        xml_cut: Path, make_video: Callable[..., Path]) -> None:  # noqa: F811
    xml_cut.write_text(xml_cut.read_text().replace("<name>A002</name>", f"<name>{GEN}</name>",
                                                   1))
    original = xml_cut.read_bytes()
    session = load_session(xml_cut)
    slot = next(s for s in session.slots if s.id == XML_PH)
    take = TakeRecord(number=1, path=make_video(slot.duration, size=(64, 36), suffix=".mov"),
                      provider="previz", frames=slot.duration)
    report = send_back(session, [SlotChoice(slot=slot, take=take)])
    written = report.dest
    assert written != xml_cut and GEN.encode() not in written.read_bytes()
    record = session.project.replaced_dir / f"{XML_PH}.fcp7xml.json"
    assert record.is_file()
    row = next(r for r in takes_json(written)["slots"] if r["id"] == XML_PH)
    assert row["active"] == "T01" and [t["key"] for t in row["takes"]] == ["T01"], row
    assert Path(ok("revert", written, XML_PH)) == written
    assert written.read_bytes() == original
