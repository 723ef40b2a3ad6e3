"""LTX's own API (async V2) against a loopback fake written from docs.ltx.video."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from pickup.config import Config
from pickup.errors import ConfigError, InputError, ProviderError
from pickup.media.probe import probe
from pickup.providers.base import JobHandle, ShotRequest, State
from pickup.providers.ltx import LtxProvider
from pickup.providers.registry import get_provider
from pickup.secrets import KEY_ENV
from tests.providers.fakes import KEY, FakeAPI
from tests.providers.fakes.ltx import LtxFake
from tests.providers.shots import finish as _finish
from tests.providers.shots import harbour


def _req(**changes: Any) -> ShotRequest:
    return harbour(5, **changes)


def _sent(fake: FakeAPI) -> tuple[str, dict[str, object]]:
    last = fake.requests_of("submit")[-1]
    return last.path, json.loads(last.body)


def test_text_to_video_end_to_end_survives_a_restart(video_bytes: bytes,
                                                     tmp_path: Path) -> None:
    assert KEY_ENV["ltx"] == "LTXV_API_KEY"
    with LtxFake(video_bytes) as fake:
        provider = get_provider("ltx", api_key=KEY, base_url=fake.base_url)
        handle = provider.submit(_req(), tmp_path)
        path, sent = _sent(fake)
        assert path == "/v2/text-to-video"
        assert sent == {"prompt": "a harbour at dawn", "model": "ltx-2-3-fast", "duration": 6,
                        "resolution": "1920x1080", "fps": 24, "generate_audio": False}
        # a new process reads the handle from the journal and polls the same job; the
        # settings come from the Config its caller read (handed down, not re-read)
        again = get_provider("ltx", api_key=KEY,
                             config=Config(providers={"ltx": {"base_url": fake.base_url}}))
        assert isinstance(again, LtxProvider) and again.base_url == fake.base_url
        restored = JobHandle.from_json(handle.to_json())
        status = _finish(again, restored)
        assert status.state is State.SUCCEEDED
        assert [r.path for r in fake.requests_of("poll")][-1] == \
            f"/v2/text-to-video/{handle.job_id}"
        (out,) = again.fetch(restored, status, tmp_path / "out")
        assert probe(out).frames == 24
        assert provider.estimate_cost(_req()) == pytest.approx(6 * 0.04)


def test_frames_lengths_sizes_and_rates(video_bytes: bytes, frame_png: Path,
                                        tmp_path: Path) -> None:
    with LtxFake(video_bytes) as fake:
        provider = get_provider("ltx", api_key=KEY, base_url=fake.base_url)
        handle = provider.submit(_req(first_frame=frame_png, last_frame=frame_png), tmp_path)
        path, sent = _sent(fake)
        assert path == "/v2/image-to-video" and handle.data["endpoint"] == "image-to-video"
        assert str(sent["image_uri"]).startswith("data:image/png;base64,")
        assert str(sent["last_frame_uri"]).startswith("data:image/png;base64,")
        assert _finish(provider, handle).state is State.SUCCEEDED
        # a 13 s UHD slot at 23.976: over 10 s LTX makes only 1080p at 25 fps
        provider.submit(_req(frames=24 * 13, rate=Fraction(24000, 1001), width=3840,
                             height=2160), tmp_path)
        _, sent = _sent(fake)
        assert (sent["duration"], sent["resolution"], sent["fps"]) == (14, "1920x1080", 25)
        # a 7 s UHD slot at 50 fps is made at 8 s, 3840x2160, 50 fps and priced so
        uhd = _req(frames=50 * 7, rate=Fraction(50), width=3840, height=2160)
        provider.submit(uhd, tmp_path)
        _, sent = _sent(fake)
        assert (sent["duration"], sent["resolution"], sent["fps"]) == (8, "3840x2160", 50)
        assert provider.estimate_cost(uhd) == pytest.approx(8 * 0.16)
        # ltx-2 models take no last frame, and pro stops at 10 s
        with pytest.raises(ConfigError, match="last frame"):
            provider.validate(_req(model="ltx-2-pro", first_frame=frame_png,
                                   last_frame=frame_png))
        with pytest.raises(InputError, match="at most 10 s"):
            provider.validate(_req(model="ltx-2-3-pro", frames=24 * 12))
        provider.submit(_req(model="ltx-2-pro"), tmp_path)
        _, sent = _sent(fake)
        assert (sent["model"], sent["fps"]) == ("ltx-2-pro", 25)


def test_errors_as_ltx_sends_them(video_bytes: bytes, tmp_path: Path) -> None:
    with LtxFake(video_bytes) as fake:
        provider = get_provider("ltx", api_key=KEY, base_url=fake.base_url)
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(prompt="forbidden scene"), tmp_path)
        assert info.value.moderated and info.value.code == "moderated"
        assert not info.value.retryable
        wrong = get_provider("ltx", api_key="wrong-key-000000", base_url=fake.base_url)
        with pytest.raises(ProviderError) as info:
            wrong.submit(_req(), tmp_path)
        assert info.value.code == "unauthorized" and "wrong-key-000000" not in str(info.value)
        fake.inject("submit", 402, {"type": "error", "error": {
            "type": "insufficient_funds_error",
            "message": "Insufficient funds. Required: 120 credits"}})
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(), tmp_path)
        assert info.value.code == "payment_required" and not info.value.retryable
        assert "120 credits" in str(info.value)
        fake.inject("submit", 429, {"type": "error", "error": {
            "type": "concurrency_limit_error", "message": "too many concurrent jobs"}},
            headers={"Retry-After": "3"})
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(), tmp_path)
        assert info.value.retryable and info.value.retry_after_s == 3.0
        fake.outcome = "moderated"
        status = _finish(provider, provider.submit(_req(), tmp_path))
        assert status.state is State.FAILED and status.moderated and not status.retryable
        fake.outcome = "failed"
        status = _finish(provider, provider.submit(_req(), tmp_path))
        assert status.state is State.FAILED and status.retryable
        assert status.error == "generation failed"
        # a job LTX forgot (24 h retention) fails retryably instead of polling forever
        gone = JobHandle(provider="ltx", job_id="0000", data={"endpoint": "text-to-video"})
        status = provider.poll(gone)
        assert status.state is State.FAILED and status.error_code == "expired"
        assert provider.cancel(gone) is False


def test_pickup_fill_with_ltx_end_to_end(video_bytes: bytes, make_video, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """``pickup fill --provider ltx`` on an FCPXML slot: submitted, polled, fetched,
    conformed to the slot's 24 frames, written back."""
    from tests.takes.conftest import fill, takes_json

    media = make_video(24)
    cut = tmp_path / "cut.fcpxml"
    cut.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.9">
    <resources>
        <format id="r1" name="FFVideoFormat1080p24" frameDuration="1/24s" width="64" height="36"/>
        <asset id="r2" name="{media.name}" start="0s" duration="1s" hasVideo="1" format="r1"
               videoSources="1">
            <media-rep kind="original-media" src="{media.resolve().as_uri()}"/>
        </asset>
    </resources>
    <library><event name="e"><project name="cut">
        <sequence duration="3s" format="r1" tcStart="0s" tcFormat="NDF"><spine>
            <asset-clip name="A001" offset="0s" ref="r2" duration="1s" tcFormat="NDF"/>
            <asset-clip name="GEN insert: a hand on a doorknob" offset="1s" ref="r2"
                        duration="1s" tcFormat="NDF"/>
            <asset-clip name="A003" offset="2s" ref="r2" duration="1s" tcFormat="NDF"/>
        </spine></sequence>
    </project></event></library>
</fcpxml>
""", encoding="utf-8")
    with LtxFake(video_bytes) as fake:
        monkeypatch.setenv("PICKUP_LTX_BASE_URL", fake.base_url)
        monkeypatch.setenv("LTXV_API_KEY", KEY)
        written = fill(cut, None, "--provider", "ltx")
        assert len(fake.requests_of("submit")) == 1
        sent = fake.jobs[next(iter(fake.jobs))]["request"]
        assert sent["model"] == "ltx-2-3-fast" and sent["duration"] == 6
    take = takes_json(written)["slots"][0]["takes"][0]
    assert take["provider"] == "ltx"
    info = probe(Path(take["media"]))
    assert (info.frames, info.width, info.height) == (24, 64, 36)
