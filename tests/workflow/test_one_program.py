"""One project, two faces: the CLI and the panel's services take turns, and every view
(``pickup takes``, ``pickup jobs``, ``pickup report``, the panel's session and model,
the project state) agrees after each step."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from pickup.engine import JobEvent
from pickup.ui.model import PanelModel
from pickup.ui.services import (
    load_session,
    plan_takes,
    run_take,
    save_panel_state,
    send_back,
)
from pickup.workflow import read_state
from tests.takes.conftest import XML_SLOTS, fill, ok, run, takes_json

SLOT = XML_SLOTS[0]


def _cli_takes(timeline: Path) -> dict[str, Any]:
    return next(s for s in takes_json(timeline)["slots"] if s["id"] == SLOT)


def _cli_jobs(timeline: Path) -> list[dict[str, Any]]:
    code, out, err = run("jobs", timeline, "--json")
    assert code == 0, err
    return [j for j in json.loads(out)["jobs"] if j["slot"] == SLOT]


def _panel(timeline: Path) -> PanelModel:
    """What the panel shows for ``timeline`` when it opens it (its services, no Qt)."""
    return PanelModel(load_session(timeline))


def _panel_slot(model: PanelModel) -> dict[str, Any]:
    return next(s for s in model.shown()["slots"] if s["id"] == SLOT)


def _marks(cli: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(t["key"], t["status"], t["note"]) for t in cli["takes"]]


def _panel_marks(shown: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    # the panel calls a take nobody decided about yet "new"; the project state "temp"
    return [(t["key"], "temp" if t["status"] == "new" else t["status"], t["note"])
            for t in shown["takes"]]


def test_cli_and_panel_take_turns_and_every_view_agrees(xml_cut: Path, tmp_path: Path
                                                        ) -> None:
    # 1. fill in the CLI: cut.pickup.xml with two takes, T01 in the cut
    written = fill(xml_cut, (SLOT,), "--takes", "2")
    project = xml_cut.with_name("cut.pickup")
    cli = _cli_takes(written)
    assert cli["active"] == "T01" and _marks(cli) == [("T01", "temp", None),
                                                       ("T02", "temp", None)]
    # the panel opened on the file fill wrote shows the same takes, no second folder
    model = _panel(written)
    assert model.session.project.root == project
    shown = _panel_slot(model)
    assert shown["active"] == "T01" and _panel_marks(shown) == _marks(cli)
    assert not written.with_name("cut.pickup.pickup").exists()
    assert [j["state"] for j in _cli_jobs(written)] == ["placed", "placed"]

    # 2. approve and note in the panel: written to the project state at once
    before = model.to_json()
    state = model[SLOT]
    assert state.approve(2) == []
    state.take(2).note = "director's pick"  # type: ignore[union-attr]
    save_panel_state(model.session.project, model.to_json(), before)
    expected = [("T01", "temp", None), ("T02", "approved", "director's pick")]
    assert _marks(_cli_takes(written)) == expected
    assert _panel_marks(_panel_slot(_panel(written))) == expected
    assert _panel_marks(_panel_slot(_panel(xml_cut))) == expected  # the editor's file too
    # ... and Send back puts the chosen take into the cut (cut.pickup.xml, updated)
    report = send_back(model.session, model.choices())
    assert report.dest == written and report.backup is not None
    save_panel_state(model.session.project, model.to_json(), before)  # as the panel does
    cli = _cli_takes(written)
    assert cli["active"] == "T02" and _marks(cli) == expected

    # 3. swap in the CLI: the panel shows it on its next read of the project state
    ok("use", written, SLOT, "T01")
    cli = _cli_takes(written)
    assert cli["active"] == "T01" and _marks(cli) == expected
    for timeline in (written, xml_cut):
        shown = _panel_slot(_panel(timeline))
        assert shown["active"] == "T01" and _panel_marks(shown) == expected
    # a panel left open sees the swap when it reads the state again (on focus)
    from pickup.ui.services import apply_decisions

    assert apply_decisions(model.session, read_state(model.session.project)) == [SLOT]
    assert model.session.active_takes[SLOT] == 1

    # 4. cancel a job in the panel: the journal says cancelled, and `pickup jobs` agrees
    panel = _panel(written)
    ask = panel.ask(SLOT).with_changes(takes=1)
    plan = plan_takes(panel.session, ask)
    cancel = threading.Event()
    seen: list[str] = []

    def on_event(event: JobEvent) -> None:
        seen.append(event.state)
        cancel.set()  # the editor presses Cancel as soon as the job shows

    result = run_take(panel.session.project, ask, plan.jobs[0], on_event=on_event,
                      cancel=cancel)
    assert result.state == "cancelled" and seen
    jobs = {j["take"]: j["state"] for j in _cli_jobs(written)}
    assert jobs == {1: "placed", 2: "placed", 3: "cancelled"}
    again = load_session(written)
    assert not [r for r in again.unfinished if r.slot_id == SLOT]  # not "interrupted"
    assert [t.number for t in again.takes[SLOT]] == [1, 2]

    # 5. report in the CLI: the active take, its status and note, as the panel shows
    out = Path(ok("report", written, "--format", "json", "-o", tmp_path / "shots.json"))
    shot = next(s for s in json.loads(out.read_text())["shots"] if s["slot"] == SLOT)
    assert (shot["take"], shot["status"], shot["note"]) == ("T01", "temp", None)
    ok("use", written, SLOT, "T02")
    out = Path(ok("report", written, "--format", "json", "-o", tmp_path / "shots.json"))
    shot = next(s for s in json.loads(out.read_text())["shots"] if s["slot"] == SLOT)
    assert (shot["take"], shot["status"], shot["note"]) == ("T02", "approved",
                                                            "director's pick")
    shown = _panel_slot(_panel(written))
    assert shown["active"] == "T02" and shown["status"] == "approved"
