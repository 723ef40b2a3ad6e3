"""Opt-in: the comfyui provider against a REAL ComfyUI server.

Skipped unless ``PICKUP_TEST_COMFYUI_URL`` names one (for example a CPU server with no
model weights started by ``comfyui-cpu.sh``).  The workflows use core nodes only
(EmptyImage / LoadImage -> ImageScale -> RepeatImageBatch -> CreateVideo -> SaveVideo), so
no model files are needed.
"""

from __future__ import annotations

import json
import os
import uuid
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from pickup.config import Config
from pickup.engine import Engine, EngineOptions
from pickup.engine.plan import OutputSpec, Shot
from pickup.errors import ProviderError
from pickup.media.probe import probe
from pickup.project import Project
from pickup.providers.base import ShotRequest, State
from pickup.providers.registry import get_provider

URL = os.environ.get("PICKUP_TEST_COMFYUI_URL")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not URL, reason="set PICKUP_TEST_COMFYUI_URL to a ComfyUI")]


def _text_workflow(path: Path, colour: int) -> Path:
    path.write_text(json.dumps({
        "1": {"class_type": "EmptyImage", "inputs": {
            "width": "{{width}}", "height": "{{height}}", "batch_size": "{{frames}}",
            "color": colour}},
        "2": {"class_type": "CreateVideo", "inputs": {"images": ["1", 0], "fps": "{{fps}}"}},
        "3": {"class_type": "SaveVideo", "inputs": {
            "video": ["2", 0], "filename_prefix": "pickup/{{slot}}", "format": "mp4",
            "codec": "h264"}},
        "_pickup": {"fps": [24]}}), encoding="utf-8")
    return path


def _image_workflow(path: Path) -> Path:
    path.write_text(json.dumps({
        "1": {"class_type": "LoadImage", "inputs": {"image": "{{first_image}}"}},
        "2": {"class_type": "ImageScale", "inputs": {
            "image": ["1", 0], "upscale_method": "nearest-exact", "width": "{{width}}",
            "height": "{{height}}", "crop": "disabled"}},
        "3": {"class_type": "RepeatImageBatch", "inputs": {"image": ["2", 0],
                                                           "amount": "{{frames}}"}},
        "4": {"class_type": "CreateVideo", "inputs": {"images": ["3", 0], "fps": "{{fps}}"}},
        "5": {"class_type": "SaveVideo", "inputs": {
            "video": ["4", 0], "filename_prefix": "pickup/{{slot}}", "format": "mp4",
            "codec": "h264"}},
        "_pickup": {"fps": [24]}}), encoding="utf-8")
    return path


def _mean_rgb(path: Path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)


def _provider(workflow: Path):
    return get_provider("comfyui", base_url=URL, workflow=str(workflow), model="live",
                        use_config=False, timeout_s=30)


def _run(tmp_path: Path, workflow: Path, slot: str) -> Path:
    req = ShotRequest(slot_id=slot, prompt="a test card", kind=None, frames=12,
                      rate=Fraction(24), width=64, height=36, seed=3)
    engine = Engine(Project(tmp_path / "proj"), _provider(workflow),
                    EngineOptions(config=Config(), poll_interval_s=0.2))
    try:
        result = engine.run([Shot(req, OutputSpec(frames=12, rate=Fraction(24), width=64,
                                                  height=36))])[0]
    finally:
        engine.close()
    assert result.state == "conformed", result
    assert result.media is not None and probe(result.media).frames == 12
    return result.media


def test_edited_workflow_gives_new_media(tmp_path: Path) -> None:
    slot = f"V1-{uuid.uuid4().hex[:8]}"
    workflow = _text_workflow(tmp_path / "wf.json", colour=0xFF0000)
    red = _mean_rgb(_run(tmp_path, workflow, slot))
    assert red[0] > 200 and red[2] < 60
    _workflow = _text_workflow(workflow, colour=0x0000FF)  # the same project, same slot
    blue = _mean_rgb(_run(tmp_path, _workflow, slot))
    assert blue[2] > 200 and blue[0] < 60


def test_first_image_is_uploaded_and_used(tmp_path: Path) -> None:
    from PIL import Image

    frame = tmp_path / "first.png"
    Image.new("RGB", (32, 18), (0, 200, 0)).save(frame)
    provider = _provider(_image_workflow(tmp_path / "img.json"))
    req = ShotRequest(slot_id="V1-img", prompt="", kind=None, frames=10, rate=Fraction(24),
                      width=64, height=36, first_frame=frame,
                      extra={"idempotency_key": uuid.uuid4().hex})
    handle = provider.submit(req, tmp_path)
    status = provider.poll(handle)
    for _ in range(300):
        if status.state.terminal:
            break
        status = provider.poll(handle)
    assert status.state is State.SUCCEEDED, status
    # the websocket heard the prompt run (executing / progress_state events)
    listener = provider.listener(URL)
    assert listener is not None and listener.connected.is_set()
    import time

    for _ in range(100):  # the last event may trail the history entry by a moment
        live = listener.progress(handle.job_id)
        if live is not None and live.finished:
            break
        time.sleep(0.02)
    assert live is not None and live.finished and live.nodes and live.fraction(5) == 1.0
    out = provider.fetch(handle, status, tmp_path / "out")[0]
    assert probe(out).frames == 10
    green = _mean_rgb(out)
    assert green[1] > 150 and green[0] < 60
    # /upload/image put the frame under input/pickup/, and the prompt named it there
    import io

    import requests

    entry = requests.get(f"{URL}/history/{handle.job_id}", timeout=10).json()[handle.job_id]
    name = entry["prompt"][2]["1"]["inputs"]["image"]
    assert name == "pickup/first.png"
    view = requests.get(f"{URL}/view", params={"filename": "first.png", "subfolder": "pickup",
                                               "type": "input"}, timeout=10)
    assert view.status_code == 200
    assert Image.open(io.BytesIO(view.content)).size == (32, 18)


def test_rejected_workflow_reasons_reach_the_user(tmp_path: Path) -> None:
    workflow = _text_workflow(tmp_path / "wf.json", colour=0)
    graph = json.loads(workflow.read_text())
    graph["1"]["inputs"]["width"] = 0
    graph["9"] = {"class_type": "CheckpointLoaderSimple",
                  "inputs": {"ckpt_name": "missing.safetensors"}}
    graph["10"] = {"class_type": "VAEDecode", "inputs": {"samples": ["1", 0],
                                                         "vae": ["9", 2]}}
    graph["11"] = {"class_type": "PreviewImage", "inputs": {"images": ["10", 0]}}
    workflow.write_text(json.dumps(graph))
    req = ShotRequest(slot_id="V1-bad", prompt="x", kind=None, frames=4, rate=Fraction(24),
                      width=64, height=36)
    with pytest.raises(ProviderError) as info:
        _provider(workflow).submit(req, tmp_path)
    text = str(info.value)
    assert "node 1 EmptyImage, input width: Value 0 smaller than min of 1" in text
    assert "input ckpt_name: Value not in list" in text and "missing.safetensors" in text
