"""Kling's own API against a loopback fake: the HS256 JWT, text and image to video, the
end frame in pro mode, error codes, and the default adapting to slots without frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pickup.errors import ConfigError, ProviderError
from pickup.media.probe import probe
from pickup.providers.base import ShotRequest, State
from pickup.providers.kling import kling_jwt
from pickup.providers.registry import get_provider
from tests.providers.fakes.kling import ACCESS, SECRET, KlingFake
from tests.providers.shots import finish as _finish
from tests.providers.shots import harbour

KEY = f"{ACCESS}:{SECRET}"


def _req(**changes: Any) -> ShotRequest:
    return harbour(4, **changes)


def test_image_to_video_with_end_frame_in_pro(video_bytes: bytes, frame_png: Path,
                                              tmp_path: Path) -> None:
    with KlingFake(video_bytes) as fake:
        provider = get_provider("kling", api_key=KEY, base_url=fake.base_url)
        handle = provider.submit(_req(first_frame=frame_png, last_frame=frame_png,
                                      extra={"idempotency_key": "slot-1-take-1"}), tmp_path)
        submit = fake.requests_of("submit")[-1]
        assert submit.path == "/v1/videos/image2video"
        sent = json.loads(submit.body)
        assert sent["mode"] == "pro" and sent["duration"] == "5"
        assert sent["external_task_id"] == "slot-1-take-1"
        assert not sent["image"].startswith("data:")
        status = _finish(provider, handle)
        assert status.state is State.SUCCEEDED
        (path,) = provider.fetch(handle, status, tmp_path / "out")
        assert probe(path).frames > 0
        assert provider.estimate_cost(_req(first_frame=frame_png)) == pytest.approx(5 * 0.056)
        assert provider.estimate_cost(_req(first_frame=frame_png, last_frame=frame_png)) == \
            pytest.approx(5 * 0.098)
        assert SECRET not in handle.to_json()


def test_slot_without_frames_goes_to_text_to_video(video_bytes: bytes,
                                                   tmp_path: Path) -> None:
    with KlingFake(video_bytes) as fake:
        provider = get_provider("kling", api_key=KEY, base_url=fake.base_url)
        model, notes = provider.choose_model(_req(width=1080, height=1920))
        assert model == "kling-v2-1-master" and "needs a first frame" in notes[0]
        from dataclasses import replace

        handle = provider.submit(replace(_req(width=1080, height=1920, frames=24 * 7),
                                         model=model), tmp_path)
        sent = json.loads(fake.requests_of("submit")[-1].body)
        assert fake.requests_of("submit")[-1].path == "/v1/videos/text2video"
        assert (sent["aspect_ratio"], sent["duration"], sent["mode"]) == ("9:16", "10", "std")
        assert _finish(provider, handle).state is State.SUCCEEDED
        with pytest.raises(ConfigError, match="needs a first frame"):
            provider.validate(_req())  # the default model, explicitly, without a frame


def test_jwt_errors_and_moderation(video_bytes: bytes, frame_png: Path,
                                   tmp_path: Path) -> None:
    token = kling_jwt(ACCESS, SECRET, now=1_800_000_000)
    _header, claims, _ = token.split(".")
    import base64

    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert decoded == {"iss": ACCESS, "exp": 1_800_001_800, "nbf": 1_799_999_995}
    with KlingFake(video_bytes) as fake:
        wrong = get_provider("kling", api_key=f"{ACCESS}:not-the-secret", base_url=fake.base_url)
        with pytest.raises(ProviderError) as info:
            wrong.submit(_req(first_frame=frame_png), tmp_path)
        assert info.value.code == "unauthorized" and "not-the-secret" not in str(info.value)
        provider = get_provider("kling", api_key=KEY, base_url=fake.base_url)
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(first_frame=frame_png, prompt="forbidden"), tmp_path)
        assert info.value.moderated and not info.value.retryable
        fake.inject("submit", 429, {"code": 1303, "message": "parallel task over limit"})
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(first_frame=frame_png), tmp_path)
        assert info.value.retryable
        fake.outcome = "moderated"
        status = _finish(provider, provider.submit(_req(first_frame=frame_png), tmp_path))
        assert status.state is State.FAILED and status.moderated
        with pytest.raises(ConfigError, match="ACCESS_KEY:SECRET_KEY"):
            get_provider("kling", api_key="just-one-key", base_url=fake.base_url).submit(
                _req(first_frame=frame_png), tmp_path)


def test_find_existing_finds_the_task_by_its_external_id(video_bytes: bytes,
                                                         tmp_path: Path) -> None:
    """The crash window: Kling created the task, the journal never heard its id; a new
    process finds it by the idempotency key (``external_task_id``) instead of paying
    again, and an unknown key finds nothing."""
    key = "pickup-" + "ab" * 40  # longer than Kling's 64 characters: cut as submit cuts it
    req = _req(model="kling-v2-1-master", extra={"idempotency_key": key})
    with KlingFake(video_bytes) as fake:
        first = get_provider("kling", api_key=KEY, base_url=fake.base_url)
        first.submit(_req(model="kling-v2-1-master", extra={"idempotency_key": "pickup-b"}),
                     tmp_path)
        made = first.submit(req, tmp_path)
        again = get_provider("kling", api_key=KEY, base_url=fake.base_url)
        found = again.find_existing(req, key)  # type: ignore[attr-defined]
        assert found is not None and found.job_id == made.job_id
        assert found.data["kind"] == "text2video"
        assert _finish(again, found).state is State.SUCCEEDED
        assert again.find_existing(req, "pickup-never-sent") is None  # type: ignore[attr-defined]
        listed = fake.requests_of("list")
        assert listed and listed[-1].query["pageSize"] == ["500"]
        assert len(fake.requests_of("submit")) == 2
