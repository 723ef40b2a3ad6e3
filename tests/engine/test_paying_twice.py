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


def _hold_lock(root: Path, flag: Path) -> subprocess.Popen[str]:
    """Another process that owns the project until ``flag`` is created."""
    code = (
        "import sys, time, pathlib\n"
        "from pickup.engine.lock import project_lock\n"
        f"flag = pathlib.Path({str(flag)!r})\n"
        f"with project_lock(pathlib.Path({str(root)!r})):\n"
        "    print('held', flush=True)\n"
        "    while not flag.exists():\n"
        "        time.sleep(0.05)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_run_is_refused_then_waits(cut: Path, fake_env: dict[str, str],
                                            tmp_path: Path) -> None:
    flag = tmp_path / "release"
    holder = _hold_lock(cut.with_name("cut.pickup"), flag)
    try:
        refused = run_cli("fill", str(cut), "--provider", "fake", "--size", "64x36",
                          "-o", str(cut.with_name("b.otio")), env=fake_env)
        assert refused.returncode == 2, refused.stderr
        assert "is running jobs of this project" in refused.stderr
        assert "--wait" in refused.stderr
        assert submits(fake_env) == []  # refused before any create
        waiting = _start(("fill", str(cut), "--provider", "fake", "--size", "64x36",
                          "--wait", "-o", str(cut.with_name("b.otio"))), fake_env)
        time.sleep(0.5)
        assert waiting.poll() is None and submits(fake_env) == []  # still waiting
        flag.touch()
        _out, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
    finally:
        flag.touch()
        holder.wait(timeout=30)
    assert len(submits(fake_env)) == 2  # one create per take


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
