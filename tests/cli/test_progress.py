"""The fill progress display: rows per job, queue positions, a total with the cost."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from pickup.cli import main
from pickup.cli.progress import FillProgress
from pickup.engine import JobEvent
from tests.conftest import FIXTURES


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _events(progress: FillProgress, clock: _Clock) -> None:
    for slot in ("V1-01000200", "V1-01000500", "V1-01000900"):
        progress(JobEvent(slot, 1, "planned"))
    progress(JobEvent("V1-01000200", 1, "submitting", cost=0.4))
    progress(JobEvent("V1-01000500", 1, "submitting", cost=0.4))
    progress(JobEvent("V1-01000900", 1, "submitting", cost=0.4))
    progress(JobEvent("V1-01000900", 1, "submitted", queue_position=3))
    progress(JobEvent("V1-01000900", 1, "submitted", queue_position=3))  # no news
    progress(JobEvent("V1-01000500", 1, "running", progress=0.42))
    clock.now += 12.5
    progress(JobEvent("V1-01000200", 1, "conformed", progress=1.0, cost=0.4,
                      message="V1-01000200_T01.mov"))


def test_plain_lines_say_each_change_once_with_elapsed_time_and_total() -> None:
    clock, out = _Clock(), io.StringIO()
    with FillProgress(total=3, estimate=1.2, live=False, stream=out, clock=clock) as progress:
        _events(progress, clock)
    assert out.getvalue().splitlines() == [
        "V1-01000200 T01: submitting",
        "V1-01000500 T01: submitting",
        "V1-01000900 T01: submitting",
        "V1-01000900 T01: queued #3",
        "V1-01000500 T01: running 42%",
        "V1-01000200 T01: done after 12.5 s (1/3 takes, $0.40 of ~$1.20)",
    ]


def test_live_display_has_a_row_per_job_and_a_total() -> None:
    clock, out = _Clock(), io.StringIO()
    console = Console(file=out, force_terminal=True, width=110, color_system=None)
    with FillProgress(total=3, estimate=1.2, clock=clock, console=console) as progress:
        _events(progress, clock)
    assert out.getvalue()  # it drew on the terminal
    frame = io.StringIO()
    Console(file=frame, width=110, color_system=None).print(progress.display())
    text = [" ".join(line.split()) for line in frame.getvalue().splitlines()]
    assert [line.split(" ━")[0] for line in text] == [
        "V1-01000200 T01", "V1-01000500 T01", "V1-01000900 T01", "total"]
    assert text[0].endswith(" 0:00:12 done")
    assert text[1].endswith(" 0:00:12 running 42%")
    assert text[2].endswith(" 0:00:12 queued #3")
    assert text[3].endswith(" 1/3 takes, $0.40 of ~$1.20")


def test_log_lines_go_above_the_live_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging
    import sys

    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", stream)
    handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(handler)
    try:
        with FillProgress(total=1, stream=stream) as progress:
            assert handler.stream is sys.stderr and sys.stderr is not stream  # Live's proxy
            progress(JobEvent("V1-01000200", 1, "submitting"))
            logging.getLogger("pickup.test").warning("a provider said something")
        assert handler.stream is stream
    finally:
        logging.getLogger().removeHandler(handler)
    assert "a provider said something" in stream.getvalue()


def test_more_jobs_than_lines_keep_the_working_ones_and_the_total_on_screen() -> None:
    clock, out = _Clock(), io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, height=8, color_system=None)
    with FillProgress(total=12, clock=clock, console=console) as progress:
        for n in range(1, 13):
            progress(JobEvent("V1-01000200", n, "planned"))
        for n in range(1, 9):
            progress(JobEvent("V1-01000200", n, "conformed", cost=0.1))
        progress(JobEvent("V1-01000200", 9, "running", progress=0.5))
        progress(JobEvent("V1-01000200", 10, "failed", message="the provider refused"))
    frame = io.StringIO()
    Console(file=frame, width=100, color_system=None).print(progress.display())
    text = [" ".join(line.split()) for line in frame.getvalue().splitlines()]
    assert len(text) == 5  # 8 lines less 4: four job rows, then the total
    assert text[0].startswith("V1-01000200 T09") and text[0].endswith("running 50%")
    assert text[1].endswith("failed: the provider refused")
    assert text[2].startswith("V1-01000200 T11") and text[3].startswith("V1-01000200 T12")
    assert text[4].startswith("total") and text[4].endswith("9/12 takes, $0.80")


def test_fill_json_keeps_stdout_json_and_says_progress_as_plain_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edl = tmp_path / "gap_test.edl"
    shutil.copy(FIXTURES / "gap_test.edl", edl)
    code = main(["fill", str(edl), "--slots", "V1-00000100", "--prompt", "rain", "--size",
                 "64x36", "--profile", "h264", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["filled"] == ["V1-00000100"]
    lines = [line for line in err.splitlines() if line.startswith("V1-00000100 T01:")]
    assert lines[:2] == ["V1-00000100 T01: submitting", "V1-00000100 T01: submitted"]
    assert lines[-1].startswith("V1-00000100 T01: done after ")
    assert lines[-1].endswith(" s (1/1 takes, $0.00)")
