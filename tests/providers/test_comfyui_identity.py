"""ComfyUI request identity: an edited workflow is a new request (cache key, idempotency
key, ``prompt_id``), and a prompt the server holds under an id that Pickup did not queue
for this very request is never read as its result."""

from __future__ import annotations

import json
import uuid
from fractions import Fraction
from pathlib import Path

from pickup.config import Config
from pickup.engine import Engine, EngineOptions
from pickup.engine.plan import OutputSpec, Shot
from pickup.project import Project
from pickup.providers.base import JobHandle, ShotRequest, State
from pickup.providers.comfyui import _NAMESPACE, model_files
from pickup.providers.registry import get_provider
from tests.providers.fakes import ComfyUIFake


def _workflow(path: Path, colour: int) -> Path:
    path.write_text(json.dumps({
        "1": {"class_type": "EmptyImage", "inputs": {"width": "{{width}}",
                                                     "height": "{{height}}",
                                                     "batch_size": "{{frames}}",
                                                     "color": colour}},
        "2": {"class_type": "CreateVideo", "inputs": {"images": ["1", 0], "fps": "{{fps}}"}},
        "3": {"class_type": "UNETLoader", "inputs": {"unet_name": "wan.safetensors",
                                                     "weight_dtype": "default"}},
        "4": {"class_type": "SaveVideo", "inputs": {"video": ["2", 0],
                                                    "filename_prefix": "pickup/{{slot}}",
                                                    "format": "mp4", "codec": "h264"}},
        "_pickup": {"fps": [24]}}), encoding="utf-8")
    return path


def _shot() -> Shot:
    req = ShotRequest(slot_id="V1-01000012", prompt="a farmhouse", kind=None, frames=12,
                      rate=Fraction(24), width=64, height=36, seed=7)
    return Shot(req, OutputSpec(frames=12, rate=Fraction(24), width=64, height=36))


def _plan_key(tmp_path: Path, workflow: Path) -> tuple[str, ShotRequest]:
    provider = get_provider("comfyui", workflow=str(workflow), model="mine", use_config=False)
    engine = Engine(Project(tmp_path / "proj"), provider, EngineOptions(config=Config()))
    job = engine.plan([_shot()]).jobs[0]
    return job.cache_key, job.request


def test_edited_workflow_is_a_new_request(tmp_path: Path) -> None:
    workflow = _workflow(tmp_path / "wf.json", colour=0xFF0000)
    red_key, red_req = _plan_key(tmp_path, workflow)
    assert _plan_key(tmp_path, workflow)[0] == red_key  # stable while nothing changes
    identity = red_req.extra["provider_identity"]
    assert identity["model_files"] == ["wan.safetensors"]
    _workflow(workflow, colour=0x0000FF)
    blue_key, blue_req = _plan_key(tmp_path, workflow)
    assert blue_key != red_key
    assert blue_req.extra["provider_identity"]["workflow"] != identity["workflow"]
    assert model_files(json.loads(workflow.read_text())) == ["wan.safetensors"]


def test_a_foreign_prompt_under_the_id_is_never_the_result(video_bytes: bytes,
                                                            tmp_path: Path) -> None:
    workflow = _workflow(tmp_path / "wf.json", colour=0xFF0000)
    key = "idem-1"
    with ComfyUIFake(video_bytes) as fake:
        provider = get_provider("comfyui", base_url=fake.base_url, workflow=str(workflow),
                                model="mine", use_config=False)
        req = _shot().request
        keyed = ShotRequest(**{**req.__dict__, "extra": {"idempotency_key": key}})
        handle = provider.submit(keyed, tmp_path)
        assert handle.job_id == str(uuid.uuid5(_NAMESPACE, key))
        sent = json.loads(fake.requests_of("submit")[-1].body)
        assert sent["extra_data"]["pickup_request"] == handle.data["identity"]
        while not provider.poll(handle).state.terminal:
            pass
        assert provider.find_existing(keyed, key) is not None
        # the same key with an edited workflow: the server's prompt is not this request's
        _workflow(workflow, colour=0x0000FF)
        edited = get_provider("comfyui", base_url=fake.base_url, workflow=str(workflow),
                              model="mine", use_config=False)
        assert edited.find_existing(keyed, key) is None
        # a prompt someone else queued under that id (no Pickup identity) is not ours
        fake.jobs[handle.job_id]["extra_data"] = {"client_id": "someone-else"}
        assert provider.find_existing(keyed, key) is None
        status = provider.poll(handle)
        assert status.state is State.FAILED and status.error_code == "foreign_prompt"
        assert not status.outputs and not status.retryable
        # handles journalled before identities existed are still read
        legacy = JobHandle(provider="comfyui", job_id=handle.job_id,
                           data={"server": fake.base_url, "model": "mine"})
        assert provider.poll(legacy).state is State.SUCCEEDED
