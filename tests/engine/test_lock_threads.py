"""Threads of one process share the project's run lock (the panel runs the takes of
several slots at once): none is refused, even when they all arrive together, and the
file lock is taken once and given back when the last one leaves."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from pickup.engine import lock
from pickup.engine.lock import project_lock
from tests.engine.together import all_at_once


def test_threads_arriving_together_share_the_lock(tmp_path: Path) -> None:
    for round_ in range(20):
        root = tmp_path / f"p{round_}.pickup"
        inside = threading.Barrier(8, timeout=10)  # all eight hold it at the same time

        def hold(root: Path = root, inside: threading.Barrier = inside) -> None:
            with project_lock(root):
                inside.wait()

        assert all_at_once(8, hold) == []
        assert str(root / "run.lock") not in lock._held
        # given back: another open file description can take it now
        fd = os.open(root / "run.lock", os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
