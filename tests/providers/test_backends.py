"""What each backend does beyond the shared contract: ComfyUI workflows and pools,
Runway uploads and frame positions, Luma keyframe URLs, fal and Replicate inputs."""

from __future__ import annotations

import json
import uuid
from fractions import Fraction
from pathlib import Path

import pytest

from pickup.errors import ConfigError, ProviderError
from pickup.providers.base import ShotRequest, State
from pickup.providers.comfyui import _NAMESPACE, fill_workflow
from pickup.providers.registry import get_provider
from tests.providers.fakes import KEY, ComfyUIFake, FalFake, LumaFake, ReplicateFake, RunwayFake


def _req(**changes) -> ShotRequest:
    base = dict(slot_id="V1_0002", prompt="rooftop jump", kind="stunt", frames=24,
                rate=Fraction(24), width=1920, height=1080, seed=11)
    base.update(changes)
    return ShotRequest(**base)


def _sent_prompt(fake: ComfyUIFake) -> dict:
    return json.loads(fake.requests_of("submit")[-1].body)


# -- ComfyUI ----------------------------------------------------------------------------------
def test_comfyui_fills_the_workflow_and_drops_the_unused_image_node(video_bytes: bytes,
                                                                    tmp_path: Path) -> None:
    with ComfyUIFake(video_bytes) as fake:
        provider = get_provider("comfyui", base_url=fake.base_url)
        provider.submit(_req(negative_prompt="blur"), tmp_path)
        body = _sent_prompt(fake)
        graph = body["prompt"]
        assert body["client_id"] == provider.client_id and "_pickup" not in graph
        assert graph["5"]["inputs"]["text"] == "rooftop jump"
        assert graph["6"]["inputs"]["text"] == "blur"
        latent = graph["8"]["inputs"]
        assert (latent["width"], latent["height"], latent["length"]) == (1280, 704, 25)
        assert graph["9"]["inputs"]["seed"] == 11 and graph["11"]["inputs"]["fps"] == 24
        assert "7" not in graph and "start_image" not in latent  # no first frame
        assert graph["12"]["inputs"]["filename_prefix"] == "pickup/V1_0002"
        assert fake.uploads == []


def test_comfyui_uploads_the_first_frame(video_bytes: bytes, frame_png: Path,
                                         tmp_path: Path) -> None:
    with ComfyUIFake(video_bytes) as fake:
        provider = get_provider("comfyui", base_url=fake.base_url)
        provider.submit(_req(first_frame=frame_png), tmp_path)
        graph = _sent_prompt(fake)["prompt"]
        assert fake.uploads == ["frame_0.png"]
        assert graph["7"]["inputs"]["image"] == "pickup/frame_0.png"
        assert graph["8"]["inputs"]["start_image"] == ["7", 0]
        upload = fake.requests_of("upload")[-1]
        assert b'name="type"' in upload.body and b"input" in upload.body
        with pytest.raises(ConfigError, match="last frame"):  # the workflow has no {{last_image}}
            provider.validate(_req(first_frame=frame_png, last_frame=frame_png))


def test_comfyui_idempotent_submission_and_find_existing(video_bytes: bytes,
                                                         tmp_path: Path) -> None:
    with ComfyUIFake(video_bytes) as fake:
        provider = get_provider("comfyui", base_url=fake.base_url)
        req = _req(extra={"idempotency_key": "slot-V1_0002-take-1"})
        assert provider.find_existing(req, "slot-V1_0002-take-1") is None
        handle = provider.submit(req, tmp_path)
        assert handle.job_id == str(uuid.uuid5(_NAMESPACE, "slot-V1_0002-take-1"))
        assert _sent_prompt(fake)["prompt_id"] == handle.job_id
        found = provider.find_existing(req, "slot-V1_0002-take-1")  # queued
        assert found is not None and found.job_id == handle.job_id
        assert found.data["server"] == fake.base_url
        while not provider.poll(handle).state.terminal:
            pass
        found = provider.find_existing(req, "slot-V1_0002-take-1")  # in the history now
        assert found is not None and provider.poll(found).state is State.SUCCEEDED
        assert provider.find_existing(req, "another-key") is None
        assert len(fake.requests_of("submit")) == 1


def test_comfyui_pool_dispatches_to_the_shortest_queue(video_bytes: bytes,
                                                       tmp_path: Path) -> None:
    with ComfyUIFake(video_bytes) as busy, ComfyUIFake(video_bytes) as idle:
        busy.others_pending = 3
        down = "http://127.0.0.1:9"  # nothing listens on the discard port
        provider = get_provider("comfyui", urls=[down, busy.base_url, idle.base_url],
                                timeout_s=1.0, connect_timeout_s=0.5)
        handle = provider.submit(_req(), tmp_path)
        assert handle.data["server"] == idle.base_url
        assert idle.requests_of("submit") and not busy.requests_of("submit")
        idle.others_pending = 5
        assert provider.submit(_req(), tmp_path).data["server"] == busy.base_url
    provider = get_provider("comfyui", urls="http://127.0.0.1:9 http://127.0.0.1:7",
                            connect_timeout_s=0.5)
    with pytest.raises(ProviderError) as info:
        provider.submit(_req(), tmp_path)
    assert info.value.retryable and "no ComfyUI server" in str(info.value)


#: the body a real ComfyUI (0.8.0, CPU) answered for a prompt with ``width: 0`` and a
#: checkpoint that is not installed, trimmed to two nodes
_REJECTED = {"error": {"type": "prompt_outputs_failed_validation",
                       "message": "Prompt outputs failed validation", "details": "",
                       "extra_info": {}},
             "node_errors": {
                 "1": {"errors": [{"type": "value_smaller_than_min",
                                   "message": "Value 0 smaller than min of 1",
                                   "details": "width",
                                   "extra_info": {"input_name": "width", "received_value": 0}}],
                       "dependent_outputs": ["3"], "class_type": "EmptyImage"},
                 "4": {"errors": [{"type": "value_not_in_list", "message": "Value not in list",
                                   "details": "ckpt_name: 'x.safetensors' not in []",
                                   "extra_info": {"input_name": "ckpt_name",
                                                  "received_value": "x.safetensors"}}],
                       "dependent_outputs": ["5"], "class_type": "CheckpointLoaderSimple"}}}


def test_comfyui_rejected_workflow_says_node_input_and_reason(video_bytes: bytes,
                                                              tmp_path: Path) -> None:
    with ComfyUIFake(video_bytes) as fake:
        fake.inject("submit", 400, _REJECTED)
        provider = get_provider("comfyui", base_url=fake.base_url)
        with pytest.raises(ProviderError) as info:
            provider.submit(_req(), tmp_path)
        text = str(info.value)
        assert "node 1 EmptyImage, input width: Value 0 smaller than min of 1" in text
        assert ("node 4 CheckpointLoaderSimple, input ckpt_name: Value not in list: "
                "ckpt_name: 'x.safetensors' not in []") in text
        assert "Prompt outputs failed validation" not in text
        assert "model files" in str(info.value.hint) and not info.value.retryable
        assert info.value.code == "node_errors"


def test_comfyui_custom_workflow_and_placeholders(tmp_path: Path) -> None:
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps({
        "1": {"class_type": "LoadImage", "inputs": {"image": "{{last_image}}"}},
        "2": {"class_type": "X", "inputs": {"text": "{{prompt}} / {{negative}}",
                                            "frames": "{{frames}}", "end": ["1", 0]}}}))
    provider = get_provider("comfyui", workflow=str(workflow), model="custom")
    caps = provider.capabilities(None)
    assert caps.last_frame and not caps.first_frame and caps.fps is None
    graph = fill_workflow(provider.workflow(), {"prompt": "a", "negative": "b", "frames": 9,
                                                "last_image": "x.png", "first_image": None})
    assert graph["2"]["inputs"] == {"text": "a / b", "frames": 9, "end": ["1", 0]}
    assert graph["1"]["inputs"]["image"] == "x.png"
    with pytest.raises(ConfigError, match="unknown placeholders"):
        fill_workflow({"1": {"class_type": "X", "inputs": {"a": "{{colour}}"}}}, {})
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [], "links": []}')
    with pytest.raises(ConfigError, match="API format"):
        get_provider("comfyui", workflow=str(bad), model="bad").capabilities(None)


# -- Runway -----------------------------------------------------------------------------------
def test_runway_frames_by_upload_with_positions(video_bytes: bytes, frame_png: Path,
                                                tmp_path: Path) -> None:
    with RunwayFake(video_bytes) as fake:
        provider = get_provider("runway", api_key=KEY, base_url=fake.base_url,
                                model="gen4_turbo", upload_threshold_bytes=0)
        handle = provider.submit(_req(first_frame=frame_png), tmp_path)
        sent = fake.jobs[handle.job_id]["request"]
        assert sent["promptImage"] == [{"uri": "runway://uploads/abc.png", "position": "first"}]
        # gen4_turbo takes any whole second from 2 to 10: a 1 s slot is billed 2 s
        assert sent["duration"] == 2 and sent["ratio"] == "1280:720" and sent["seed"] == 11
        assert len(fake.requests_of("upload")) == 2  # one ticket, one bucket post
        assert fake.requests_of("submit")[-1].path == "/v1/image_to_video"
        assert fake.requests_of("submit")[-1].headers["x-runway-version"] == "2024-11-06"
        with pytest.raises(ConfigError, match="cannot take a last frame"):
            provider.validate(_req(first_frame=frame_png, last_frame=frame_png))


def test_runway_small_frame_goes_as_data_uri_and_text_model_rules(
        video_bytes: bytes, frame_png: Path, tmp_path: Path) -> None:
    with RunwayFake(video_bytes) as fake:
        provider = get_provider("runway", api_key=KEY, base_url=fake.base_url)
        handle = provider.submit(_req(first_frame=frame_png, frames=24 * 7), tmp_path)
        sent = fake.jobs[handle.job_id]["request"]
        assert sent["promptImage"][0]["uri"].startswith("data:image/png;base64,")
        # any whole second from 2 to 10: a 7 s slot is made (and billed) as 7 s, not 10
        assert sent["duration"] == 7 and not fake.requests_of("upload")
        with pytest.raises(ConfigError, match="needs a first frame"):
            provider.validate(_req())
        handle = provider.submit(_req(model="gen4.5"), tmp_path)
        assert fake.requests_of("submit")[-1].path == "/v1/text_to_video"


# -- Luma, fal, Replicate ---------------------------------------------------------------------
def test_luma_keyframes_need_urls(video_bytes: bytes, frame_png: Path,
                                  tmp_path: Path) -> None:
    with LumaFake(video_bytes) as fake:
        provider = get_provider("luma", api_key=KEY, base_url=fake.base_url)
        with pytest.raises(ConfigError, match="public image URL"):
            provider.validate(_req(first_frame=frame_png))
        url = "https://cdn.studio.example/frames/first.png"
        handle = provider.submit(_req(first_frame=frame_png, extra={"first_frame_url": url},
                                      frames=24 * 8), tmp_path)
        sent = fake.jobs[handle.job_id]["request"]
        assert sent["keyframes"] == {"frame0": {"type": "image", "url": url}}
        assert (sent["duration"], sent["resolution"], sent["aspect_ratio"]) == \
            ("9s", "1080p", "16:9")


def test_fal_picks_image_to_video_and_uses_returned_urls(video_bytes: bytes, frame_png: Path,
                                                         tmp_path: Path) -> None:
    with FalFake(video_bytes) as fake:
        provider = get_provider("fal", api_key=KEY, base_url=fake.base_url)
        handle = provider.submit(_req(first_frame=frame_png, last_frame=frame_png), tmp_path)
        submit = fake.requests_of("submit")[-1]
        assert submit.path == "/fal-ai/wan/v2.2-a14b/image-to-video"
        assert submit.headers["authorization"] == f"Key {KEY}"
        sent = json.loads(submit.body)
        assert sent["image_url"].startswith("data:image/png;base64,")
        assert sent["end_image_url"].startswith("data:image/png;base64,")
        # Wan makes frames at 16 fps: a 1 s slot is 16 frames, raised to Wan's minimum 17
        assert (sent["num_frames"], sent["frames_per_second"]) == (17, 16)
        assert handle.data["status_url"].endswith(f"/fal-ai/wan/requests/{handle.job_id}/status")
        provider.poll(handle)
        assert fake.requests_of("poll")[-1].path == f"/fal-ai/wan/requests/{handle.job_id}/status"


def test_replicate_prefer_wait_and_log_progress(video_bytes: bytes, tmp_path: Path) -> None:
    with ReplicateFake(video_bytes) as fake:
        provider = get_provider("replicate", api_key=KEY, base_url=fake.base_url,
                                prefer_wait_s=2)
        handle = provider.submit(_req(), tmp_path)
        submit = fake.requests_of("submit")[-1]
        assert submit.path == "/v1/models/wan-video/wan-2.2-t2v-fast/predictions"
        assert submit.headers["prefer"] == "wait=2"
        assert json.loads(submit.body)["input"]["prompt"] == "rooftop jump"
        assert provider.poll(handle).state is State.QUEUED
        running = provider.poll(handle)
        assert running.state is State.RUNNING and running.progress == 0.5
        provider.submit(_req(model="owner/model:abc123"), tmp_path)
        pinned = fake.requests_of("submit")[-1]
        assert pinned.path == "/v1/predictions" and json.loads(pinned.body)["version"] == "abc123"
