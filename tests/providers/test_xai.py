"""xAI Grok Imagine video against a loopback fake written from xAI's REST docs, with every
request body checked against the official ``xai-sdk`` (1.21) types.

``xai-sdk`` is gRPC-only, so it has no JSON request types; its protobuf messages are the
same contract the REST gateway takes.  Each body Pickup sends is rebuilt as the SDK's
``GenerateVideoRequest`` (unknown fields and wrong types refused by protobuf; aspect ratio
and resolution through the SDK's own string-to-enum maps; the model against the SDK's
``VideoGenerationModel`` names), and each answer of the fake is parsed strictly into
``GetDeferredVideoResponse`` (REST flattens its ``response`` into the top level).
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest

from pickup.errors import ConfigError, InputError, ProviderError
from pickup.media.probe import probe
from pickup.providers.base import ShotRequest, State
from pickup.providers.registry import get_provider
from pickup.providers.xai import XaiProvider
from tests.providers.fakes import KEY, XaiFake
from tests.providers.shots import finish as _finish
from tests.providers.shots import harbour

xai_video = pytest.importorskip("xai_sdk.video")
from google.protobuf import json_format  # noqa: E402  (after the skip: comes with xai-sdk)
from xai_sdk.proto.v5 import image_pb2, video_pb2  # noqa: E402
from xai_sdk.types import VideoGenerationModel  # noqa: E402
from xai_sdk.types.video import VideoAspectRatioMap, VideoResolutionMap  # noqa: E402


def _req(**changes: Any) -> ShotRequest:
    return harbour(5, **changes)


def _as_sdk_request(body: dict[str, Any]) -> video_pb2.GenerateVideoRequest:
    """``body`` as the SDK's ``GenerateVideoRequest``; raises if the SDK would not send it."""
    fields: dict[str, Any] = dict(body)
    assert fields.get("model") in typing.get_args(VideoGenerationModel), fields.get("model")
    if "aspect_ratio" in fields:
        fields["aspect_ratio"] = VideoAspectRatioMap[fields["aspect_ratio"]]
    if "resolution" in fields:
        fields["resolution"] = VideoResolutionMap[fields["resolution"]]
    if "image" in fields:
        image = dict(fields["image"])
        assert set(image) == {"url"}, image
        fields["image"] = image_pb2.ImageUrlContent(image_url=image["url"])
    return video_pb2.GenerateVideoRequest(**fields)


def _as_sdk_answer(answer: dict[str, Any]) -> video_pb2.GetDeferredVideoResponse:
    rest = dict(answer)
    status = str(rest.pop("status")).upper()
    message: dict[str, Any] = {"status": status}
    if rest:
        message["response"] = rest
    return json_format.ParseDict(message, video_pb2.GetDeferredVideoResponse())


def test_sdk_rejects_what_it_would_not_send() -> None:
    """The check can fail: bodies the SDK would not build are refused."""
    good = {"model": "grok-imagine-video", "prompt": "p", "duration": 6,
            "aspect_ratio": "16:9", "resolution": "720p"}
    assert _as_sdk_request(good).duration == 6
    for bad in ({**good, "seed": 1}, {**good, "duration": "6s"},
                {**good, "aspect_ratio": "21:9"}, {**good, "resolution": "4k"},
                {**good, "image": {"url": "x", "detail": "high"}}):
        with pytest.raises((ValueError, TypeError, KeyError, AssertionError)):
            _as_sdk_request(bad)
    with pytest.raises(json_format.ParseError):
        _as_sdk_answer({"status": "done", "video": {"link": "x"}})


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (2048, 858), (1440, 1080),
                                  (1080, 1080), (854, 480)])
@pytest.mark.parametrize("frames", [12, 24 * 6 + 5, 24 * 15])
def test_requests_match_xai_sdk_types(size: tuple[int, int], frames: int, frame_png: Path,
                                      video_bytes: bytes, tmp_path: Path) -> None:
    width, height = size
    with XaiFake(video_bytes) as fake:
        provider = get_provider("xai", api_key=KEY, base_url=fake.base_url)
        assert isinstance(provider, XaiProvider)
        for req in (_req(width=width, height=height, frames=frames),
                    _req(width=width, height=height, frames=frames, first_frame=frame_png)):
            handle = provider.submit(req, tmp_path)
            sent = json.loads(fake.requests_of("submit")[-1].body)
            sdk = _as_sdk_request(sent)
            assert sdk.duration == -(-frames // 24)  # whole seconds covering the slot
            assert sdk.HasField("image") is (req.first_frame is not None)
            while True:
                answer = json.loads(provider.client.request(
                    "GET", f"/v1/videos/{handle.job_id}").content)
                parsed = _as_sdk_answer(answer)
                if answer["status"] != "pending":
                    break
            assert parsed.response.video.url.endswith(".mp4")


def test_text_and_image_to_video(video_bytes: bytes, frame_png: Path, tmp_path: Path) -> None:
    with XaiFake(video_bytes) as fake:
        provider = get_provider("xai", api_key=KEY, base_url=fake.base_url)
        handle = provider.submit(_req(), tmp_path)
        sent = json.loads(fake.requests_of("submit")[-1].body)
        assert sent == {"model": "grok-imagine-video", "prompt": "a harbour at dawn",
                        "duration": 5, "aspect_ratio": "16:9", "resolution": "720p"}
        assert fake.requests_of("submit")[-1].headers["authorization"] == f"Bearer {KEY}"
        statuses = [provider.poll(handle) for _ in range(3)]
        assert [s.state for s in statuses] == [State.QUEUED, State.RUNNING, State.SUCCEEDED]
        assert statuses[1].progress == pytest.approx(0.4)
        (path,) = provider.fetch(handle, statuses[-1], tmp_path / "out")
        assert probe(path).frames == 24
        # billed per second at the resolution sent: 5 s at 720p, 7 s at 480p
        assert provider.estimate_cost(_req()) == pytest.approx(5 * 0.07)
        assert provider.estimate_cost(_req(width=854, height=480, frames=24 * 7)) == \
            pytest.approx(7 * 0.05)
        provider.submit(_req(width=1080, height=1920, first_frame=frame_png), tmp_path)
        sent = json.loads(fake.requests_of("submit")[-1].body)
        assert sent["aspect_ratio"] == "9:16"
        assert sent["image"]["url"].startswith("data:image/png;base64,")


def test_failures_and_limits(video_bytes: bytes, frame_png: Path, tmp_path: Path) -> None:
    with XaiFake(video_bytes) as fake:
        provider = get_provider("xai", api_key=KEY, base_url=fake.base_url)
        fake.outcome = "failed"
        status = _finish(provider, provider.submit(_req(), tmp_path))
        assert status.state is State.FAILED and status.retryable and not status.moderated
        assert status.error_code == "internal_error" and "try again" in (status.error or "")
        fake.outcome = "moderated"  # done, but withheld: respect_moderation false, no url
        status = _finish(provider, provider.submit(_req(), tmp_path))
        assert status.state is State.FAILED and status.moderated and not status.retryable
        fake.outcome = "expired"
        status = _finish(provider, provider.submit(_req(), tmp_path))
        assert status.state is State.FAILED and status.error_code == "expired"
        fake.inject("submit", 422, fake.error_body(422, "duration must be at most 15"))
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(), tmp_path)
        assert "duration must be at most 15" in str(info.value) and not info.value.retryable
        with pytest.raises(InputError, match="at most"):
            provider.validate(_req(frames=24 * 16))
        with pytest.raises(ConfigError, match="last frame"):
            provider.validate(_req(first_frame=frame_png, last_frame=frame_png))
        with pytest.raises(ConfigError, match="unknown model"):
            provider.validate(_req(model="grok-nope"))
        assert provider.cancel(provider.submit(_req(), tmp_path)) is False
