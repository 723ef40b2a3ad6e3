"""Every request body Pickup sends, checked against the vendors' own SDK types, and every
loopback fake's answer parsed by the SDK's response types.

- Runway: ``runwayml`` (5.24): ``image_to_video`` / ``text_to_video`` create params
  (TypedDicts with wire aliases, per model) and ``TaskRetrieveResponse``.
- Luma: ``lumaai`` (1.21): ``GenerationCreateParams`` and ``Generation``.
- Gemini API video (provider ``veo``): ``google-genai`` (3.6).  Gemini Omni's body is a
  ``CreateModelInteractionParam`` whose ``response_format`` is a ``VideoResponseFormatParam``
  and whose ``input`` items are ``ImageContentParam``/``TextContentParam`` (unknown keys
  refused, the SDK's Literal values enforced), and the fake's interactions parse as the SDK's
  ``Interaction`` with ``output_video``.  For a Veo model re-enabled in the config, the body
  must equal what the SDK's own converter makes of ``GenerateVideosParameters`` (pydantic,
  unknown fields refused), and the operation must parse into ``GenerateVideosOperation``.
fal and Replicate publish no request types for model inputs (``fal-client`` and
``replicate`` take a free ``dict``): ``test_published_schemas.py`` validates their bodies
against the models' published input schemas instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import typing
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pydantic
import pytest
import requests

from pickup.providers import catalog as catalog_module
from pickup.providers.base import ShotRequest, State
from pickup.providers.registry import get_provider
from tests.providers.fakes import KEY, LumaFake, RunwayFake, VeoFake
from tests.providers.sdk_types import SchemaMismatch, check_typed_dict, member_for

runwayml = pytest.importorskip("runwayml")
lumaai = pytest.importorskip("lumaai")
genai_types = pytest.importorskip("google.genai.types")

SIZES = [(1920, 1080), (1080, 1920), (2048, 858), (1440, 1080), (1080, 1080)]
LENGTHS = [12, 24 * 6 + 5, 24 * 10]  # frames at 24 fps


def _req(**changes: Any) -> ShotRequest:
    base: dict[str, Any] = dict(slot_id="V1-01000012", prompt="a harbour at dawn",
                                kind="establishing", frames=48, rate=Fraction(24),
                                width=1920, height=1080, seed=42)
    base.update(changes)
    return ShotRequest(**base)


def _variants(frame: Path, *, last: bool) -> Iterator[ShotRequest]:
    for width, height in SIZES:
        for frames in LENGTHS:
            yield _req(width=width, height=height, frames=frames)
            yield _req(width=width, height=height, frames=frames, first_frame=frame,
                       negative_prompt="text, watermark")
            if last:
                yield _req(width=width, height=height, frames=frames, first_frame=frame,
                           last_frame=frame, seed=None)


def _fits(provider: Any, req: ShotRequest) -> ShotRequest | None:
    """``req`` as the plan would send it (model chosen for the slot), or None if no model
    of the provider can make it."""
    from pickup.engine.plan import fit_request

    model, _ = provider.choose_model(req)
    req = replace(req, model=model)
    fitted = fit_request(req, provider.capabilities_for(req)).request
    try:
        provider.validate(fitted)
    except Exception:
        return None
    return fitted


# -- Runway ----------------------------------------------------------------------------------
def test_runway_requests_match_runwayml_types(video_bytes: bytes, frame_png: Path,
                                              tmp_path: Path) -> None:
    from runwayml.types import image_to_video_create_params as i2v
    from runwayml.types import text_to_video_create_params as t2v

    with RunwayFake(video_bytes) as fake:
        checked = 0
        for model in ("gen4.5", None):
            provider = get_provider("runway", api_key=KEY, base_url=fake.base_url,
                                    **({"model": model} if model else {}))
            for req in _variants(frame_png, last=False):
                fitted = _fits(provider, req)
                if fitted is None:
                    continue
                provider.submit(fitted, tmp_path)
                sent = fake.requests_of("submit")[-1]
                body = json.loads(sent.body)
                union = (i2v.ImageToVideoCreateParams if sent.path == "/v1/image_to_video"
                         else t2v.TextToVideoCreateParams)
                check_typed_dict(body, member_for(union, model=body["model"]))
                checked += 1
        assert checked >= 40


def test_runwayml_refuses_what_pickup_no_longer_sends() -> None:
    """The checker is strict: the old bodies (gen3a_turbo, 10 s for a 6 s gen4.5 text
    slot at 2.39:1) fail against the SDK's types."""
    from runwayml.types import image_to_video_create_params as i2v
    from runwayml.types import text_to_video_create_params as t2v

    with pytest.raises(SchemaMismatch, match="gen3a_turbo"):
        member_for(i2v.ImageToVideoCreateParams, model="gen3a_turbo")
    with pytest.raises(SchemaMismatch, match="1584:672"):
        check_typed_dict({"model": "gen4.5", "promptText": "x", "ratio": "1584:672",
                          "duration": 6}, member_for(t2v.TextToVideoCreateParams,
                                                     model="gen4.5"))
    with pytest.raises(SchemaMismatch, match="position"):
        check_typed_dict({"model": "gen4_turbo", "ratio": "1280:720", "promptImage": [
            {"uri": "data:image/png;base64,AA", "position": "last"}]},
            member_for(i2v.ImageToVideoCreateParams, model="gen4_turbo"))


def test_runway_fake_answers_parse_as_runwayml_tasks(video_bytes: bytes,
                                                     tmp_path: Path) -> None:
    from runwayml.types import TaskRetrieveResponse

    adapter = pydantic.TypeAdapter(TaskRetrieveResponse)
    headers = {"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"}
    seen: set[str] = set()
    for outcome in ("success", "failed", "moderated"):
        with RunwayFake(video_bytes) as fake:
            fake.outcome = outcome
            fake.running_polls = 3
            provider = get_provider("runway", api_key=KEY, base_url=fake.base_url,
                                    model="gen4.5")
            handle = provider.submit(_req(), tmp_path)
            for _ in range(10):
                raw = requests.get(fake.url(f"/v1/tasks/{handle.job_id}"), headers=headers,
                                   timeout=5).json()
                task = adapter.validate_python(raw)
                seen.add(task.status)
                if task.status in ("SUCCEEDED", "FAILED"):
                    break
    assert {"PENDING", "RUNNING", "SUCCEEDED", "FAILED"} <= seen


# -- Luma ------------------------------------------------------------------------------------
def test_luma_requests_and_answers_match_lumaai_types(video_bytes: bytes,
                                                      tmp_path: Path) -> None:
    from lumaai.types import Generation
    from lumaai.types import generation_create_params as params

    with LumaFake(video_bytes) as fake:
        checked = 0
        for model in ("ray-2", "ray-flash-2"):
            provider = get_provider("luma", api_key=KEY, base_url=fake.base_url, model=model)
            for req in _variants(Path("unused.png"), last=False):
                if req.first_frame is not None:
                    req = replace(req, first_frame=None, extra={
                        "first_frame_url": "https://cdn.example/f.png",
                        "last_frame_url": "https://cdn.example/l.png"})
                fitted = _fits(provider, req)
                assert fitted is not None
                handle = provider.submit(fitted, tmp_path)
                sent = fake.requests_of("submit")[-1]
                assert sent.path == "/dream-machine/v1/generations/video"
                check_typed_dict(json.loads(sent.body), params.GenerationCreateParams)
                checked += 1
        headers = {"Authorization": f"Bearer {KEY}"}
        states = set()
        for _ in range(6):
            raw = requests.get(fake.url(f"/dream-machine/v1/generations/{handle.job_id}"),
                               headers=headers, timeout=5).json()
            states.add(Generation.model_validate(raw).state)
            provider.poll(handle)
        assert checked == 2 * len(SIZES) * len(LENGTHS) * 2 and "completed" in states


# -- Veo -------------------------------------------------------------------------------------
def _as_sdk_params(body: dict[str, Any]) -> Any:
    """Pickup's predictLongRunning body read back into google-genai's own (pydantic, extra
    fields forbidden) parameter types."""
    (instance,) = body["instances"]
    known = {"prompt", "image", "lastFrame"}
    assert set(instance) <= known, set(instance) - known

    def image(raw: dict[str, str] | None) -> Any:
        if raw is None:
            return None
        assert set(raw) == {"bytesBase64Encoded", "mimeType"}
        return genai_types.Image(image_bytes=base64.b64decode(raw["bytesBase64Encoded"]),
                                 mime_type=raw["mimeType"])

    names = {"aspectRatio": "aspect_ratio", "durationSeconds": "duration_seconds",
             "negativePrompt": "negative_prompt", "resolution": "resolution",
             "seed": "seed"}
    parameters = body["parameters"]
    unknown = set(parameters) - set(names)
    assert not unknown, f"not GenerateVideosConfig fields: {unknown}"
    config = genai_types.GenerateVideosConfig(
        **{names[k]: v for k, v in parameters.items()},
        last_frame=image(instance.get("lastFrame")))
    return genai_types._GenerateVideosParameters(
        prompt=instance.get("prompt"), image=image(instance.get("image")), config=config)


def _literals(union: Any) -> tuple[Any, ...]:
    """The Literal values of an SDK enum (``Union[Literal[...], UnrecognizedStr]``)."""
    for option in typing.get_args(union) or (union,):
        if typing.get_origin(option) is typing.Literal:
            return typing.get_args(option)
    raise AssertionError(f"{union} has no Literal member")


@pytest.mark.parametrize("omni, longest", [("gemini-omni-1.2-flash", 15),
                                           ("gemini-omni-1.1-flash", 10)])
def test_gemini_omni_requests_are_google_genai_interaction_types(
        omni: str, longest: int, video_bytes: bytes, frame_png: Path, tmp_path: Path) -> None:
    from google.genai._gaos.types.interactions import (
        createmodelinteraction,
        generationconfig,
        imagecontent,
        model,
        textcontent,
        videoconfig,
        videoresponseformat,
    )

    with VeoFake(video_bytes) as fake:
        provider = get_provider("veo", api_key=KEY, base_url=fake.base_url)
        assert getattr(provider, "model", None) == "gemini-omni-1.2-flash"  # the default
        checked, tasks, resolutions = 0, set(), set()
        sizes = [*SIZES, (1280, 720), (640, 360), (3840, 2160)]
        for width, height in sizes:
            for frames in [*LENGTHS, 24 * 3, 24 * 7 + 1, 24 * 14 + 5]:
                for first in (None, frame_png):
                    fitted = _fits(provider, _req(width=width, height=height, frames=frames,
                                                  first_frame=first, model=omni,
                                                  negative_prompt="text, watermark"))
                    assert fitted is not None, (width, height, frames)
                    assert fitted.seconds <= longest  # the plan fits the slot to the model
                    provider.submit(fitted, tmp_path)
                    body = json.loads(fake.requests_of("submit")[-1].body)
                    check_typed_dict(body, createmodelinteraction.CreateModelInteractionParam,
                                     model=createmodelinteraction.CreateModelInteraction)
                    assert body["model"] in _literals(model.Model)
                    fmt = body["response_format"]  # the union also takes any dict: be exact
                    check_typed_dict(fmt, videoresponseformat.VideoResponseFormatParam,
                                     model=videoresponseformat.VideoResponseFormat)
                    assert fmt["aspect_ratio"] in _literals(
                        videoresponseformat.VideoResponseFormatAspectRatio)
                    assert fmt["resolution"] in _literals(videoresponseformat.Resolution)
                    assert fmt["delivery"] in _literals(
                        videoresponseformat.VideoResponseFormatDelivery)
                    seconds = int(fmt["duration"].removesuffix("s"))
                    assert fmt["duration"] == f"{seconds}s" and 3 <= seconds <= longest
                    assert seconds + 1e-6 >= fitted.seconds  # covers the slot
                    assert body["model"] == omni
                    config = body["generation_config"]
                    check_typed_dict(config, generationconfig.GenerationConfigParam,
                                     model=generationconfig.GenerationConfig)
                    task = config["video_config"]["task"]
                    assert task in _literals(videoconfig.Task)
                    if first is None:
                        assert task == "text_to_video" and isinstance(body["input"], str)
                        assert "Avoid: text, watermark" in body["input"]
                    else:
                        assert task == "image_to_video"
                        image, text = body["input"]
                        check_typed_dict(image, imagecontent.ImageContentParam,
                                     model=imagecontent.ImageContent)
                        check_typed_dict(text, textcontent.TextContentParam,
                                     model=textcontent.TextContent)
                        assert image["mime_type"] in _literals(imagecontent.ImageContentMimeType)
                        assert base64.b64decode(image["data"]) == frame_png.read_bytes()
                    assert body["background"] is True
                    tasks.add(task)
                    resolutions.add(fmt["resolution"])
                    checked += 1
        assert checked == len(sizes) * (len(LENGTHS) + 3) * 2
        assert tasks == {"text_to_video", "image_to_video"}
        assert resolutions == {"360p", "720p", "1080p", "4k"}


def test_gemini_omni_fake_answers_parse_as_google_genai_interactions(
        video_bytes: bytes, tmp_path: Path) -> None:
    from google.genai._gaos.types.interactions.interaction import Interaction

    with VeoFake(video_bytes) as fake:
        fake.queued_polls, fake.running_polls = 2, 4  # each loop polls twice
        provider = get_provider("veo", api_key=KEY, base_url=fake.base_url)
        handle = provider.submit(_req(frames=24 * 4), tmp_path)
        seen = []
        for _ in range(10):
            raw = requests.get(fake.url(f"/v1beta/interactions/{handle.job_id}"),
                               headers={"x-goog-api-key": KEY}, timeout=5).json()
            parsed = Interaction.model_validate(raw)
            assert parsed.id == handle.job_id
            seen.append(parsed.status)
            status = provider.poll(handle)
            if parsed.status == "completed":
                assert parsed.output_video is not None and parsed.output_video.uri
                assert status.state is State.SUCCEEDED
                assert status.outputs == (parsed.output_video.uri + "?alt=media",)
                break
        assert seen[0] == "queued" and "in_progress" in seen and seen[-1] == "completed"
        fake.outcome = "moderated"  # a refusal: completed, text only, no video
        handle = provider.submit(_req(frames=24 * 4), tmp_path)
        for _ in range(10):
            raw = requests.get(fake.url(f"/v1beta/interactions/{handle.job_id}"),
                               headers={"x-goog-api-key": KEY}, timeout=5).json()
            if Interaction.model_validate(raw).status == "completed":
                break
        parsed = Interaction.model_validate(raw)
        assert parsed.output_video is None and parsed.output_text
        final = provider.poll(handle)
        assert final.state is State.FAILED and final.moderated and not final.retryable


def test_veo_requests_are_what_google_genai_sends(video_bytes: bytes, frame_png: Path,
                                                  tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from google.genai import models as genai_models

    # Veo 3.1 preview before its shutdown on the Gemini API (or re-enabled in the config)
    monkeypatch.setattr(catalog_module, "today", lambda: dt.date(2026, 10, 1))
    with VeoFake(video_bytes) as fake:
        provider = get_provider("veo", api_key=KEY, base_url=fake.base_url,
                                model="veo-3.1-generate-preview")
        checked = 0
        for req in _variants(frame_png, last=True):
            fitted = _fits(provider, req)
            if fitted is None:
                continue
            provider.submit(fitted, tmp_path)
            body = json.loads(fake.requests_of("submit")[-1].body)
            if fitted.model != "veo-3.1-generate-preview":
                continue  # the plan chose Gemini Omni (checked above) for a slot Veo cannot make
            params = _as_sdk_params(body)
            expected = genai_models._GenerateVideosParameters_to_vertex(None, params)
            expected.pop("_url", None)
            assert body == expected
            assert "seed" not in body["parameters"]  # refused on the Gemini API
            if body["parameters"].get("resolution") == "1080p":
                assert body["parameters"]["durationSeconds"] == 8
            checked += 1
        assert checked == 30  # 5 sizes x the 2 lengths Veo makes (up to 8 s) x 3 variants


def test_veo_fake_operations_parse_as_google_genai_operations(
        video_bytes: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from google.genai import _operations_converters as conv

    monkeypatch.setattr(catalog_module, "today", lambda: dt.date(2026, 10, 1))
    with VeoFake(video_bytes) as fake:
        provider = get_provider("veo", api_key=KEY, base_url=fake.base_url,
                                model="veo-3.1-generate-preview")
        handle = provider.submit(_req(frames=24 * 4), tmp_path)
        uri = None
        for _ in range(10):
            raw = requests.get(fake.url(f"/v1beta/{handle.job_id}"),
                               headers={"x-goog-api-key": KEY}, timeout=5).json()
            operation = genai_types.GenerateVideosOperation._from_response(
                response=conv._GenerateVideosOperation_from_mldev(raw), kwargs={})
            assert operation.name == handle.job_id
            status = provider.poll(handle)
            if operation.done:
                assert operation.response is not None
                videos = operation.response.generated_videos or []
                uri = videos[0].video.uri if videos and videos[0].video else None
                break
        assert uri is not None and status.state is State.SUCCEEDED
        assert status.outputs == (uri,)
