"""`pickup fill` against fal's queue API (a fake on 127.0.0.1): the progress lines say the
queue position the API reports, the cost of each take and the total."""

from __future__ import annotations

from pathlib import Path

import pytest

from pickup.cli import main
from tests.providers.fakes import KEY, FalFake
from tests.providers.shots import harbour_cut


def test_fill_progress_says_queue_position_and_cost(tmp_path: Path, video_bytes: bytes,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cut = harbour_cut(tmp_path)
    with FalFake(video_bytes) as fake:
        fake.throttled = True  # fal answers IN_QUEUE with queue_position 3
        from pickup.providers.fal import FalProvider

        monkeypatch.setattr(FalProvider, "poll_after_s", 0.05)  # fal asks for 2 s
        monkeypatch.setenv("PICKUP_FAL_BASE_URL", fake.base_url)
        monkeypatch.setenv("FAL_KEY", KEY)
        code = main(["fill", str(cut), "--provider", "fal", "--size", "96x40",
                     "-o", str(tmp_path / "out.otio")])
        err = capsys.readouterr().err
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("V1-00000000 T01: ")]
    states = [line.split(": ", 1)[1] for line in lines]
    assert states[:3] == ["submitting", "submitted", "queued #3"]
    assert "running" in states
    estimate = next(line for line in err.splitlines() if "estimated $" in line)
    cost = estimate.rsplit("estimated $", 1)[1]
    assert float(cost) > 0
    assert states[-1].startswith("done after ")
    assert states[-1].endswith(f" s (1/1 takes, ${cost} of ~${cost})")
