"""``pickup resolve fill`` against the fake Resolve: one fill workflow (the same options,
progress, prompts, journal and exit codes as ``pickup fill``), then a new timeline."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from pickup.cli import main
from pickup.hosts.resolve import connect, fill_and_send
from pickup.project import Project
from pickup.timeline import read_timeline
from pickup.workflow import FillOptions
from pickup.workflow.prompts import saved_prompt

ESTABLISHING, STUNT = "V1-01000200", "V1-01000700"
TEST_ROOT = Path(__file__).resolve().parents[2]


def _timeline(fake, name):
    project = fake._APP[0]._pm._project
    return next(t for t in project._timelines if t._name == name)


def _takes_in(path: Path) -> dict[str, list[str]]:
    """Slot id -> take names the filled OTIO holds, read back by OTIO."""
    import opentimelineio as otio

    found: dict[str, list[str]] = {}
    for clip in read_timeline(path).timeline.find_clips():
        slot = (clip.metadata.get("pickup") or {}).get("slot_id")
        if slot:
            refs = clip.media_references()
            found[slot] = sorted(k for k, r in refs.items()
                                 if isinstance(r, otio.schema.ExternalReference)
                                 and k != otio.schema.Clip.DEFAULT_MEDIA_KEY)
    return found


def test_progress_and_plan_line_as_pickup_fill_shows_them(fake, tmp_path, capsys):
    code = main(["resolve", "fill", "--dir", str(tmp_path), "--name", "Cut 1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "Cut 1 pickup v01"
    assert ("Cut_1.otio: 2 slot(s), 2 take(s) via previz; size 320x180 (the Resolve "
            "timeline's resolution), prores_hq; estimated $0.00") in err
    for slot in (ESTABLISHING, STUNT):  # plain progress lines (stderr is not a terminal)
        lines = [ln for ln in err.splitlines() if ln.startswith(f"{slot} T01:")]
        assert lines and lines[-1].startswith(f"{slot} T01: done after "), err
    assert "filled 2 of 2 slot(s); 0 take(s) failed; spent $0.00" in err


def test_fill_options_are_pickup_fills(fake, tmp_path, capsys):
    prompt = "a stunt double lands on a crash mat"
    code = main(["resolve", "fill", "--dir", str(tmp_path), "--slots", STUNT, "--takes", "2",
                 "--prompt", prompt, "--size", "160x90", "--seed", "7"])
    out, err = capsys.readouterr()
    assert code == 0, err
    filled = tmp_path / "Feature" / "Cut_1.pickup.otio"
    takes = _takes_in(filled)
    assert set(takes) == {STUNT}  # --slots: the establishing gap is left alone
    items = {i._start: i for i in _timeline(fake, out.strip())._tracks[1]}
    assert items[86568]._mpi._path.endswith(f"{STUNT}_T01.mov")
    assert 86448 not in items  # still a gap in the new timeline
    from pickup.media.probe import probe

    media = probe(items[86568]._mpi._path)
    assert (media.width, media.height) == (160, 90)  # --size beats the Resolve resolution
    exported = tmp_path / "Feature" / "Cut_1.otio"
    project = Project.find(exported, None, read_timeline(exported).timeline)
    assert saved_prompt(project, STUNT) == (prompt, "")  # kept, as `pickup fill` keeps it
    assert main(["jobs", str(exported), "--json"]) == 0  # one journal for both faces
    rows = json.loads(capsys.readouterr().out)["jobs"]
    assert [(r["slot"], r["take"], r["state"]) for r in rows] == [(STUNT, 1, "placed"),
                                                                  (STUNT, 2, "placed")]


def test_bad_input_exits_2_and_changes_nothing_in_resolve(fake, tmp_path, capsys):
    before = fake.snapshot()
    code = main(["resolve", "fill", "--dir", str(tmp_path), "--prompt", "a farmhouse"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--prompt and --negative set the prompt of one slot" in err
    assert "Traceback" not in err
    assert fake.snapshot() == before
    assert not (tmp_path / "Feature" / "Cut_1.pickup.otio").exists()
    assert main(["resolve", "fill", "--dir", str(tmp_path), "--slots", "V9-nowhere"]) == 2
    assert "V9-nowhere" in capsys.readouterr().err
    assert fake.snapshot() == before


@pytest.fixture
def fake_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Provider ``fake`` (tests/engine/fakeprov.py): refuses a prompt with FORBIDDEN."""
    server = tmp_path / "server"
    server.mkdir()
    monkeypatch.setenv("PICKUP_PROVIDER_MODULES", "fake=tests.engine.fakeprov:FakeProvider")
    monkeypatch.setenv("FAKE_PROVIDER_DIR", str(server))
    monkeypatch.setenv("FAKE_LATENCY", "0.05")
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "no-config.toml"))
    return server


def test_a_failed_take_exits_1_and_sends_the_others(fake, fake_provider, tmp_path, capsys):
    stunt = next(i for i in _timeline(fake, "Cut 1")._tracks[1] if i._start == 86568)
    stunt._name = "GEN stunt: FORBIDDEN rooftop jump"
    code = main(["resolve", "fill", "--dir", str(tmp_path), "--provider", "fake"])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert f"pickup: slot {STUNT} take T01 failed: the provider refused the prompt" in err
    assert f"pickup: slot(s) not filled: {STUNT}" in err
    assert "filled 1 of 2 slot(s); 1 take(s) failed" in err
    assert out.strip() == "Cut 1 pickup v01"  # the filled slot is sent all the same
    items = {i._start: i for i in _timeline(fake, "Cut 1 pickup v01")._tracks[1]}
    assert items[86448]._mpi._path.endswith(f"{ESTABLISHING}_T01.mov")
    assert items[86568]._mpi is None  # the stunt placeholder stays a placeholder


def test_ctrl_c_exits_130_and_sends_nothing(fake, tmp_path, capsys, monkeypatch):
    from pickup.cli.fill import FillDisplay

    shown = FillDisplay.on_plan

    def plan_then_ctrl_c(self, fill, plan):
        shown(self, fill, plan)
        os.kill(os.getpid(), signal.SIGINT)  # the editor presses Ctrl-C once

    monkeypatch.setattr(FillDisplay, "on_plan", plan_then_ctrl_c)
    before = fake.snapshot()
    code = main(["resolve", "fill", "--dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 130, err
    assert "pickup: cancelling" in err
    assert "reused by the next `pickup resolve fill`" in err
    assert "nothing was sent to Resolve" in err
    assert out == ""
    assert fake.snapshot() == before
    assert not (tmp_path / "Feature" / "Cut_1.pickup.otio").exists()


def test_fill_and_send_reports_events_and_results(fake, tmp_path):
    events = []
    result = fill_and_send(connect(fake), FillOptions(takes=2), root=tmp_path,
                           on_event=events.append)
    assert result.fill_code == 0 and result.sent is not None
    assert result.filled == tmp_path / "Feature" / "Cut_1.pickup.otio"
    assert result.filled is not None
    outcome = result.outcome
    assert outcome is not None
    assert sorted((r.slot_id, r.take, r.ok) for r in outcome.results) == [
        (ESTABLISHING, 1, True), (ESTABLISHING, 2, True), (STUNT, 1, True), (STUNT, 2, True)]
    finished = {(e.slot_id, e.take) for e in events if e.state == "conformed"}
    assert finished == {(ESTABLISHING, 1), (ESTABLISHING, 2), (STUNT, 1), (STUNT, 2)}
    assert _takes_in(result.filled) == {ESTABLISHING: ["T01", "T02"], STUNT: ["T01", "T02"]}
    assert result.sent.timeline_name == "Cut 1 pickup v01"
