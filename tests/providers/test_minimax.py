"""MiniMax's own API against a loopback fake written from its OpenAPI docs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pickup.errors import ConfigError, ProviderError
from pickup.media.probe import probe
from pickup.providers.base import ShotRequest, State
from pickup.providers.registry import get_provider
from tests.providers.fakes import KEY
from tests.providers.fakes.minimax import MiniMaxFake
from tests.providers.shots import finish as _finish
from tests.providers.shots import harbour


def _req(**changes: Any) -> ShotRequest:
    return harbour(5, **changes)


def test_text_and_frames_to_video(video_bytes: bytes, frame_png: Path, tmp_path: Path) -> None:
    with MiniMaxFake(video_bytes) as fake:
        provider = get_provider("minimax", api_key=KEY, base_url=fake.base_url)
        handle = provider.submit(_req(), tmp_path)
        sent = json.loads(fake.requests_of("submit")[-1].body)
        assert sent == {"model": "MiniMax-Hailuo-02", "prompt": "a harbour at dawn",
                        "duration": 6, "resolution": "1080P", "prompt_optimizer": False}
        status = _finish(provider, handle)
        assert status.state is State.SUCCEEDED
        (path,) = provider.fetch(handle, status, tmp_path / "out")
        assert probe(path).frames > 0
        assert provider.estimate_cost(_req()) == pytest.approx(6 * 0.08)
        # a 7 s slot is made at 10 s, where 1080P is not offered
        provider.submit(_req(frames=24 * 7, first_frame=frame_png, last_frame=frame_png),
                        tmp_path)
        sent = json.loads(fake.requests_of("submit")[-1].body)
        assert (sent["duration"], sent["resolution"]) == (10, "768P")
        assert sent["first_frame_image"].startswith("data:image/png;base64,")
        assert sent["last_frame_image"].startswith("data:image/png;base64,")
        assert provider.estimate_cost(_req(frames=24 * 7)) == pytest.approx(10 * 0.045)


def test_errors_in_base_resp(video_bytes: bytes, tmp_path: Path) -> None:
    with MiniMaxFake(video_bytes) as fake:
        provider = get_provider("minimax", api_key=KEY, base_url=fake.base_url)
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(prompt="forbidden scene"), tmp_path)
        assert info.value.moderated and info.value.code == "moderated"
        wrong = get_provider("minimax", api_key="wrong-key-000000", base_url=fake.base_url)
        with pytest.raises(ProviderError) as info:
            wrong.submit(_req(), tmp_path)
        assert info.value.code == "unauthorized" and "wrong-key-000000" not in str(info.value)
        fake.inject("submit", 200, {"base_resp": {"status_code": 1002,
                                                  "status_msg": "rate limit exceeded"}})
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(), tmp_path)
        assert info.value.retryable and info.value.code == "minimax_1002"
        fake.outcome = "failed"
        status = _finish(provider, provider.submit(_req(), tmp_path))
        assert status.state is State.FAILED and status.retryable
        with pytest.raises(ConfigError, match="unknown model"):
            provider.validate(_req(model="video-01-nope"))
        assert provider.cancel(provider.submit(_req(), tmp_path)) is False
