"""A pool task that finishes after the app deleted its signal object (the panel quit
on a load error) drops its answer instead of printing a traceback (issue 13)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

import shiboken6

from pickup.ui.workers import Task


@pytest.mark.parametrize("fails", [False, True])
def test_task_finishing_after_its_signals_were_deleted(qapp: object, fails: bool) -> None:
    def work() -> int:
        if fails:
            raise ValueError("bad file")
        return 1

    task = Task(work)
    shiboken6.delete(task.signals)
    task.run()  # raised RuntimeError("Signal source has been deleted") before
    assert task.started
