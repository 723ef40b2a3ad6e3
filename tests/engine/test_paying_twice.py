"""Never pay twice: one run at a time owns a project's jobs, and a create call an
interrupted run may have made is never repeated silently at a provider that cannot be
asked about it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.engine.engine_helpers import run_cli, submits


def _start(args: tuple[str, ...], env: dict[str, str]) -> subprocess.Popen[str]:
    full = dict(os.environ)
    full.update(env)
    return subprocess.Popen([sys.executable, "-m", "pickup", *args], env=full, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_jobs(env: dict[str, str], count: int, limit_s: float = 30) -> None:
    end = time.monotonic() + limit_s
    while time.monotonic() < end and len(submits(env)) < count:
        time.sleep(0.05)


def test_a_second_run_is_refused_then_waits(cut: Path, fake_env: dict[str, str]) -> None:
    env = {**fake_env, "FAKE_LATENCY": "2"}
    args = ("fill", str(cut), "--provider", "fake", "--size", "64x36", "--concurrency", "2",
            "-o", str(cut.with_name("a.otio")))
    first = _start(args, env)
    try:
        _wait_for_jobs(env, 1)
        second = run_cli("fill", str(cut), "--provider", "fake", "--size", "64x36",
                         "-o", str(cut.with_name("b.otio")), env=env)
        assert second.returncode == 2, second.stderr
        assert "is running jobs of this project" in second.stderr
        assert "--wait" in second.stderr
        waited = run_cli("fill", str(cut), "--provider", "fake", "--size", "64x36",
                         "--wait", "-o", str(cut.with_name("b.otio")), env=env)
        assert waited.returncode == 0, waited.stderr
    finally:
        _out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert len(submits(env)) == 2  # one create per take, though three runs asked


def test_interrupted_create_at_a_provider_that_cannot_be_asked(
        cut: Path, fake_env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[providers.fake]\nfind_existing = false\n", encoding="utf-8")
    env = {**fake_env, "PICKUP_CONFIG": str(config)}
    args = ("fill", str(cut), "--provider", "fake", "--size", "64x36", "--concurrency", "1",
            "-o", str(cut.with_name("out.otio")))
    crashed = run_cli(*args, env={**env, "PICKUP_TEST_CRASH_AT": "submit-returned:1"})
    assert crashed.returncode == -9
    assert len(submits(env)) == 1  # the create happened; the journal never heard of it
    again = run_cli(*args, env=env)
    assert again.returncode == 1, again.stderr
    assert "cannot be asked whether it received it" in again.stderr + again.stdout
    assert "--resubmit-unknown" in again.stderr + again.stdout
    assert len(submits(env)) == 2  # the other slot only: nothing created twice
    forced = run_cli(*args, "--resubmit-unknown", env=env)
    assert forced.returncode == 0, forced.stderr
    assert len(submits(env)) == 3  # created again only when asked to
