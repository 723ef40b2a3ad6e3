"""Helpers for the engine tests: count fake creates, run the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def submits(env: dict[str, str]) -> list[str]:
    """One line per job the fake server created: ``id slot idempotency-key``."""
    folder = Path(env["FAKE_PROVIDER_DIR"]) / "jobs"
    lines = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        job = json.loads(path.read_text())
        lines.append(f"{job['id']} {job['prompt'][:8]!r} {job['idem']}")
    return lines


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``pickup ARGS`` in a subprocess (so a SIGKILL hook kills only it).  With
    ``PICKUP_TEST_CRASH_AT`` in ``env`` it runs through the test-only crash wrapper
    (:mod:`tests.engine.crashing`); the product itself has no crash hook."""
    full = dict(os.environ)
    full.update(env or {})
    module = "pickup"
    if full.get("PICKUP_TEST_CRASH_AT"):
        module = "tests.engine.crashing"
        root = str(Path(__file__).resolve().parents[2])
        full["PYTHONPATH"] = os.pathsep.join(p for p in (root, full.get("PYTHONPATH"))
                                             if p)
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                          text=True, env=full, cwd=cwd, timeout=timeout)
