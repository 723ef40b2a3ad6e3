"""``pickup fill`` and ``pickup jobs`` end to end: previz and the fake provider, dry run,
budget, secrets, failures, and crash-resume with SIGKILL at several points."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.cli import main
from pickup.media.probe import probe
from tests.engine.engine_helpers import run_cli, submits


def _filled_clips(path: Path) -> list[otio.schema.Clip]:
    timeline = otio.adapters.read_from_file(str(path))
    return [c for c in timeline.find_clips() if c.metadata.get("pickup")]


def _assert_slots_filled(out: Path, takes: int = 1) -> None:
    clips = _filled_clips(out)
    assert sorted(c.name for c in clips) == ["V1-01000012_T01", "V1-01000110_T01"]
    for clip, frames in zip(sorted(clips, key=lambda c: c.name), (10, 7), strict=True):
        assert clip.source_range.duration.value == frames
        takes_keys = sorted(k for k in clip.media_references() if k.startswith("T"))
        assert takes_keys == [f"T{n:02d}" for n in range(1, takes + 1)]
        assert clip.active_media_reference_key == "T01"
        for key in takes_keys:
            url = clip.media_references()[key].target_url
            info = probe(Path(url.removeprefix("file://")))
            assert info.frames == frames and (info.width, info.height) == (64, 36)


def test_fill_previz_end_to_end(cut: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = cut.with_name("out.otio")
    code = main(["fill", str(cut), "--provider", "previz", "--size", "64x36", "--takes", "2",
                 "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip().splitlines()[-1] == str(out)
    _assert_slots_filled(out, takes=2)
    media = sorted(p.name for p in (cut.parent / "cut.pickup" / "media").iterdir())
    assert media == ["V1-01000012_T01.mov", "V1-01000012_T02.mov", "V1-01000110_T01.mov",
                     "V1-01000110_T02.mov"]
    assert probe(cut.parent / "cut.pickup" / "media" / media[0]).codec == "prores"


def test_dry_run_prints_plan_and_submits_nothing(cut: Path, fake_env: dict[str, str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fill", str(cut), "--provider", "fake", "--size", "64x36", "--takes", "2",
                 "--dry-run", "--json"])
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["dry_run"] and len(plan["jobs"]) == 4
    # 2 x (10 + 7) frames at 24 fps x $0.10/s
    assert plan["est_cost"] == pytest.approx(2 * 17 / 24 * 0.1, abs=1e-3)
    assert submits(fake_env) == []
    assert not (cut.parent / "cut.pickup").exists()


def test_budget_refusal_submits_nothing(cut: Path, fake_env: dict[str, str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fill", str(cut), "--provider", "fake", "--size", "64x36", "--takes", "2",
                 "--budget", "0.10", "-o", str(cut.with_name("o.otio"))])
    err = capsys.readouterr().err
    assert code == 2
    assert "over the budget of $0.10" in err and "Traceback" not in err
    assert submits(fake_env) == []
    assert not cut.with_name("o.otio").exists()


def test_failed_slot_exits_1_and_other_slot_is_written_without_secrets(
        cut: Path, fake_env: dict[str, str], tmp_path: Path) -> None:
    secret = "sk-test-9f8e7d6c5b4a39281706"
    text = cut.read_text().replace("a hand on a doorknob", "LEAK the key")
    cut.write_text(text)
    env = {**fake_env, "FAKE_API_KEY": secret, "FAKE_LATENCY": "0"}
    out = cut.with_name("out.otio")
    result = run_cli("-vv", "fill", str(cut), "--provider", "fake", "--size", "64x36",
                     "-o", str(out), env=env)
    assert result.returncode == 1, result.stderr
    assert "slot V1-01000110 take T01 failed" in result.stderr
    assert "***" in result.stderr  # the provider's message, with the key masked
    clips = _filled_clips(out)
    assert [c.name for c in clips] == ["V1-01000012_T01"]
    project = cut.parent / "cut.pickup"
    blobs = [result.stdout.encode(), result.stderr.encode(), out.read_bytes()]
    blobs += [p.read_bytes() for p in project.rglob("*") if p.is_file()]
    assert len(blobs) > 5
    assert not any(secret.encode() in blob for blob in blobs)
    jobs = run_cli("jobs", str(cut), "--json", env=env)
    assert secret not in jobs.stdout
    states = {j["slot"]: j["state"] for j in json.loads(jobs.stdout)["jobs"]}
    assert states == {"V1-01000012": "placed", "V1-01000110": "failed"}


def test_unknown_slot_and_provider_are_bad_input(cut: Path, fake_env: dict[str, str]) -> None:
    bad = run_cli("fill", str(cut), "--slots", "V9-99", env=fake_env)
    assert bad.returncode == 2 and "no slot 'V9-99'" in bad.stderr
    assert "Traceback" not in bad.stderr
    unknown = run_cli("fill", str(cut), "--provider", "nope", env=fake_env)
    assert unknown.returncode == 2 and "unknown provider 'nope'" in unknown.stderr


@pytest.mark.parametrize("point", ["planned:2", "submitting:1", "submit-returned:1", "submitted:2",
                                   "running:1", "fetched:2", "conformed:1"])
def test_crash_and_resume_never_submits_twice(cut: Path, fake_env: dict[str, str],
                                              point: str) -> None:
    out = cut.with_name("out.otio")
    args = ("fill", str(cut), "--provider", "fake", "--size", "64x36", "--concurrency", "2",
            "-o", str(out))
    crashed = run_cli(*args, env={**fake_env, "PICKUP_TEST_CRASH_AT": point})
    assert crashed.returncode == -9, crashed.stderr  # SIGKILL
    assert not out.exists()
    before = len(submits(fake_env))
    again = run_cli(*args, env=fake_env)
    assert again.returncode == 0, again.stderr
    lines = submits(fake_env)
    assert len(lines) == 2, lines  # one create per take, across both runs
    assert len({line.rsplit(" ", 1)[1] for line in lines}) == 2  # distinct idempotency keys
    assert before <= 2
    _assert_slots_filled(out)
    db = sqlite3.connect(cut.parent / "cut.pickup" / "journal.sqlite")
    rows = db.execute("SELECT slot_id, take, state FROM jobs ORDER BY slot_id").fetchall()
    db.close()
    assert rows == [("V1-01000012", 1, "placed"), ("V1-01000110", 1, "placed")]


def test_jobs_resume_finishes_after_a_crash(cut: Path, fake_env: dict[str, str]) -> None:
    args = ("fill", str(cut), "--provider", "fake", "--size", "64x36", "-o",
            str(cut.with_name("out.otio")))
    crashed = run_cli(*args, env={**fake_env, "PICKUP_TEST_CRASH_AT": "submitted:2"})
    assert crashed.returncode == -9
    resumed = run_cli("jobs", str(cut), "--resume", "--json", env=fake_env)
    assert resumed.returncode == 0, resumed.stderr
    jobs = json.loads(resumed.stdout)["jobs"]
    assert [j["state"] for j in jobs] == ["conformed", "conformed"]
    assert len(submits(fake_env)) == 2
    placed = run_cli(*args, env=fake_env)
    assert placed.returncode == 0 and len(submits(fake_env)) == 2  # cache hits


def test_jobs_cancel_one(cut: Path, fake_env: dict[str, str]) -> None:
    args = ("fill", str(cut), "--provider", "fake", "--size", "64x36", "--concurrency", "1",
            "-o",
            str(cut.with_name("out.otio")))
    env = {**fake_env, "FAKE_LATENCY": "60"}
    crashed = run_cli(*args, env={**env, "PICKUP_TEST_CRASH_AT": "submitted:1"})
    assert crashed.returncode == -9
    cancelled = run_cli("jobs", str(cut), "--cancel", "1", "--json", env=env)
    assert cancelled.returncode == 0, cancelled.stderr
    job = json.loads(cancelled.stdout)["jobs"][0]
    assert job["state"] == "cancelled"
    server = Path(fake_env["FAKE_PROVIDER_DIR"]) / "jobs"
    assert any(json.loads(p.read_text())["cancelled"] for p in server.glob("*.json"))
