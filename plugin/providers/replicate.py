"""The Replicate backend: predictions on official or version-pinned models.

Contract: ``POST /v1/models/{owner}/{name}/predictions`` (or ``POST
/v1/predictions`` with ``version`` for ``owner/name:version``) with ``{"input"}``,
``Authorization: Bearer ...`` and ``Prefer: wait=N`` (hold the request up to N
seconds) returns a prediction: ``id``, ``status`` (``starting``,
``processing``, ``succeeded``, ``failed``, ``canceled``), ``output`` (URLs
that expire after an hour), ``error``, ``logs`` and ``urls.get`` /
``urls.cancel``, which Pickup uses as returned.  Frames go as data URIs.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.http import HttpProvider, data_uri, nearest_ratio

__all__ = ["ReplicateProvider"]

_PERCENT = re.compile(r"(\d{1,3})%\|")
_STATES = {"starting": State.QUEUED, "processing": State.RUNNING,
           "succeeded": State.SUCCEEDED, "failed": State.FAILED, "canceled": State.CANCELLED,
           "cancelled": State.CANCELLED}

#: how each known model names the generic inputs (first frame, last frame, frames and fps
#: fields, duration) and what its published input schema bounds (tests/providers/schemas):
#: ``frames``/``fps`` ranges, and ``negative``/``seed`` False where the model has no such
#: input (a field the model does not list is one Pickup would think it set).
_INPUTS: dict[str, dict[str, Any]] = {
    "wan-video/wan-2.2-i2v-fast": {"first": "image", "last": "last_image",
                                   "frames": "num_frames", "fps": "frames_per_second",
                                   "frame_range": (81, 121), "fps_range": (5, 30)},
    # version 920bea47: num_frames 81-100, frames_per_second 5-24, no negative_prompt
    "wan-video/wan-2.2-t2v-fast": {"frames": "num_frames", "fps": "frames_per_second",
                                   "frame_range": (81, 100), "fps_range": (5, 24),
                                   "negative": False},
    # version daad218f: start_image, end_image (pro mode), mode, duration, negative_prompt
    "kwaivgi/kling-v2.1": {"first": "start_image", "last": "end_image", "duration": "duration",
                           "seed": False},
    "minimax/hailuo-02": {"first": "first_frame_image", "last": "last_frame_image",
                          "duration": "duration"},
}
#: the slowest rate Pickup asks a frame-count model for, to make a long slot fit its
#: frame limit (slower would stutter): Wan's own 16 fps.
_MIN_LONG_FPS = 16


def frames_and_fps(req: ShotRequest, frame_range: tuple[int, int],
                   fps_range: tuple[int, int]) -> tuple[int, int]:
    """(num_frames, frames_per_second) covering ``req`` within the model's ranges: the
    slot's rate when its frames fit, else the rate at which the most frames cover it
    (never below 16 fps); conform retimes the take to the sequence rate."""
    low, high = frame_range
    fps = max(fps_range[0], min(fps_range[1], round(float(req.rate))))
    if math.ceil(req.seconds * fps - 1e-6) > high:
        fps = max(min(fps_range[1], _MIN_LONG_FPS), math.floor(high / req.seconds))
    frames = max(low, min(high, math.ceil(req.seconds * fps - 1e-6)))
    return frames, fps


class ReplicateProvider(HttpProvider):
    """Video models on Replicate (Wan 2.2, Kling 2.1, Hailuo 02, or any other; models:
    catalog/replicate.json)."""

    name = "replicate"
    key_env = "REPLICATE_API_TOKEN"
    default_base_url = "https://api.replicate.com"
    default_model = "wan-video/wan-2.2-t2v-fast"
    open_models = True
    poll_after_s = 2.0

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key()}"}

    def billing_mode(self, req: ShotRequest) -> tuple[str | None, str | None]:
        model = self.resolve_model(req).split(":")[0]
        if model == "kwaivgi/kling-v2.1":
            return None, "pro" if req.last_frame is not None else "standard"
        return None, None

    def _input(self, req: ShotRequest, model: str) -> dict[str, Any]:
        names = _INPUTS.get(model.split(":")[0], {"first": "image", "last": "last_image"})
        caps = self.capabilities(model)
        body: dict[str, Any] = {"prompt": req.prompt}
        if req.negative_prompt and names.get("negative", True):
            body["negative_prompt"] = req.negative_prompt
        entry = self.model_entry(model)
        if req.seed is not None and names.get("seed", True) and (entry is None or entry.seed):
            body["seed"] = int(req.seed)
        if caps.aspects:
            body["aspect_ratio"] = nearest_ratio(req.width, req.height, caps.aspects)
        if "frames" in names:
            frames, fps = frames_and_fps(req, names["frame_range"], names["fps_range"])
            body[names["frames"]] = frames
            body[names["fps"]] = fps
        if "duration" in names:
            body[names["duration"]] = int(self.pick_duration(req, caps))
        for attr, key in (("first_frame", "first"), ("last_frame", "last")):
            path = getattr(req, attr)
            if path is not None:
                body[names.get(key, key + "_image")] = data_uri(path, provider=self.name)
        if model.split(":")[0] == "kwaivgi/kling-v2.1":
            # Kling 2.1 takes an end frame only in pro mode (the model's schema)
            body["mode"] = "pro" if req.last_frame is not None else "standard"
        body.update(dict(req.extra.get("replicate_input") or {}))
        return body

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        wait = int(self.options.get("prefer_wait_s", 5))
        headers = {"Prefer": f"wait={max(1, min(60, wait))}"}
        payload: dict[str, Any] = {"input": self._input(req, model)}
        if ":" in model:
            payload["version"] = model.split(":", 1)[1]
            path = "/v1/predictions"
        else:
            path = f"/v1/models/{model}/predictions"
        prediction = self.client.json("POST", path, json=payload, headers=headers,
                                      timeout_s=self.client.limits.timeout_s + wait)
        urls = prediction.get("urls") or {}
        if not urls.get("get"):
            raise self.client.error("the prediction has no urls.get", code="bad_response")
        data = {"model": model, "get": self.client.url(urls["get"])}
        if urls.get("cancel"):
            data["cancel"] = self.client.url(urls["cancel"])
        return JobHandle(provider=self.name, job_id=str(prediction["id"]), data=data)

    def poll(self, handle: JobHandle) -> JobStatus:
        prediction = self.client.json("GET", handle.data["get"])
        raw = str(prediction.get("status", "")).lower()
        state = _STATES.get(raw)
        if state is None:
            raise self.client.error(f"unknown prediction status {raw!r}", code="bad_response")
        if state is State.FAILED:
            error = str(prediction.get("error") or "the prediction failed")
            low = error.lower()
            moderated = "nsfw" in low or "sensitive" in low or "e005" in low \
                or "safety" in low
            return JobStatus(state=state, error=self.client.redact(error),
                             error_code="moderated" if moderated else None,
                             moderated=moderated)
        if state is State.SUCCEEDED:
            output = prediction.get("output")
            urls = (output,) if isinstance(output, str) else tuple(
                str(u) for u in (output or ()) if isinstance(u, str))
            return JobStatus(state=state, progress=1.0, outputs=urls)
        progress = None
        matches = _PERCENT.findall(str(prediction.get("logs") or ""))
        if matches:
            progress = min(100, int(matches[-1])) / 100.0
        return JobStatus(state=state, progress=progress, poll_after_s=self.poll_after_s)

    def cancel(self, handle: JobHandle) -> bool:
        url = handle.data.get("cancel") or f"/v1/predictions/{handle.job_id}/cancel"
        response = self.client.request("POST", url, ok=(404, 409))
        return response.ok
