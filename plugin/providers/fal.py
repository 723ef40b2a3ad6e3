"""The fal backend through its queue API (``queue.fal.run``).

Contract: ``POST {base}/{model}`` with the model's JSON input and
``Authorization: Key ...`` returns ``request_id``, ``status_url``,
``response_url`` and ``cancel_url``; Pickup keeps and uses those URLs exactly
as returned (fal drops a model's sub-path from them).  ``GET status_url``
reports ``IN_QUEUE`` (``queue_position``), ``IN_PROGRESS`` or ``COMPLETED``
(with an ``error``/``error_type`` when it failed; Pickup branches on the type, never on
the words); ``GET response_url`` gives
the output (``video.url``); ``PUT cancel_url`` cancels a queued request.
Frames go as data URIs in ``image_url`` / ``end_image_url``.  An HTTP error body's
``detail[].type`` (``content_policy_violation``) and the ``X-Fal-Retryable`` header
decide moderation and retry.  Wan 2.2 makes ``num_frames`` at 16 fps and bills
``num_frames / 16`` seconds, at a lower price below 720p.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import requests

from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.http import HttpProvider, data_uri, nearest_ratio, safe_url

__all__ = ["FalProvider"]

_ASPECTS = ("16:9", "9:16", "1:1")
_WAN_T2V = "fal-ai/wan/v2.2-a14b/text-to-video"
_WAN_I2V = "fal-ai/wan/v2.2-a14b/image-to-video"
_KLING_I2V = "fal-ai/kling-video/v2.1/pro/image-to-video"
#: fal's machine-readable error types (``detail[].type`` / ``error_type``)
_MODERATION_TYPES = frozenset({"content_policy_violation"})
_RETRYABLE_TYPES = frozenset({"request_timeout", "runner_disconnected", "internal_error",
                              "runner_server_error", "startup_timeout", "generation_timeout",
                              "downstream_service_unavailable", "downstream_service_error"})
_WAN_FPS = 16


class FalProvider(HttpProvider):
    """Models hosted on fal.ai (Wan 2.2, Kling 2.1) through the queue API
    (models: catalog/fal.json)."""

    name = "fal"
    key_env = "FAL_KEY"
    default_base_url = "https://queue.fal.run"
    default_model = _WAN_T2V
    open_models = True
    poll_after_s = 2.0

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client.classify = _classify

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Key {self.api_key()}"}

    @staticmethod
    def _resolution(req: ShotRequest) -> str:
        short = min(req.width, req.height)
        return "720p" if short >= 720 else "580p" if short >= 580 else "480p"

    def billing_mode(self, req: ShotRequest) -> tuple[str | None, str | None]:
        return self._resolution(req), None

    @staticmethod
    def wan_frames(req: ShotRequest) -> int:
        """``num_frames`` at Wan's 16 fps for ``req`` (fitted requests are at 16 fps)."""
        if abs(float(req.rate) - _WAN_FPS) < 0.01:
            frames = req.frames
        else:
            frames = math.ceil(req.seconds * _WAN_FPS - 1e-6)
        return max(17, min(161, frames))

    def _input(self, req: ShotRequest, model: str) -> dict[str, Any]:
        caps = self.capabilities(model)
        body: dict[str, Any] = {"prompt": req.prompt}
        if req.negative_prompt:
            body["negative_prompt"] = req.negative_prompt
        entry = self.model_entry(model)
        if req.seed is not None and (entry is None or entry.seed):
            body["seed"] = int(req.seed)
        if model.startswith("fal-ai/kling"):
            # image to video: the picture sets the shape (the schema has no aspect_ratio)
            body["duration"] = str(int(self.pick_duration(req, caps)))
            end_key = "tail_image_url"
        else:
            # Wan makes num_frames at 16 fps and fal bills num_frames / 16 seconds; conform
            # retimes the take to the sequence rate.
            body.update({"num_frames": self.wan_frames(req), "frames_per_second": _WAN_FPS,
                         "resolution": self._resolution(req)})
            end_key = "end_image_url"
            body["aspect_ratio"] = nearest_ratio(req.width, req.height,
                                                 caps.aspects or _ASPECTS)
        if req.first_frame is not None:
            body["image_url"] = data_uri(req.first_frame, provider=self.name)
        if req.last_frame is not None:
            body[end_key] = data_uri(req.last_frame, provider=self.name)
        body.update(dict(req.extra.get("fal_input") or {}))
        return body

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        queued = self.client.json("POST", f"/{model}", json=self._input(req, model))
        data = {"model": model}
        for key in ("status_url", "response_url", "cancel_url"):
            if not queued.get(key):
                raise self.client.error(f"the queue answer has no {key}", code="bad_response")
            data[key] = self.client.url(str(queued[key]))  # checks the scheme
        return JobHandle(provider=self.name, job_id=str(queued["request_id"]), data=data)

    def poll(self, handle: JobHandle) -> JobStatus:
        status = self.client.json("GET", handle.data["status_url"], ok=(202,))
        raw = str(status.get("status", "")).upper()
        if raw == "IN_QUEUE":
            position = status.get("queue_position")
            return JobStatus(state=State.QUEUED, poll_after_s=self.poll_after_s,
                             queue_position=int(position) if isinstance(position, int) else None)
        if raw == "IN_PROGRESS":
            return JobStatus(state=State.RUNNING, poll_after_s=self.poll_after_s)
        if raw in ("CANCELED", "CANCELLED"):
            return JobStatus(state=State.CANCELLED)
        if raw not in ("COMPLETED", "FAILED"):
            raise self.client.error(f"unknown queue status {raw!r}", code="bad_response")
        error_type = str(status.get("error_type") or "")
        if "cancel" in error_type.lower():
            return JobStatus(state=State.CANCELLED, error=str(status.get("error") or ""))
        if status.get("error") or raw == "FAILED":
            return self._failed(str(status.get("error") or "the request failed"),
                                str(status.get("error_type") or ""))
        result = self.client.json("GET", handle.data["response_url"])
        urls = _video_urls(result)
        if not urls:
            return JobStatus(state=State.FAILED, error="the result holds no video",
                             error_code="no_output")
        return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=urls)

    def _failed(self, message: str, error_type: str) -> JobStatus:
        kind = error_type.strip().lower()
        moderated = kind in _MODERATION_TYPES
        return JobStatus(state=State.FAILED, error=self.client.redact(message),
                         error_code=error_type or None, moderated=moderated,
                         retryable=not moderated and kind in _RETRYABLE_TYPES)

    def cancel(self, handle: JobHandle) -> bool:
        response = self.client.request("PUT", handle.data["cancel_url"], ok=(400, 404))
        return response.status_code in (200, 202)

    def describe_handle(self, handle: JobHandle) -> str:
        return safe_url(handle.data.get("status_url", ""))


def _classify(response: requests.Response) -> dict[str, Any]:
    """fal's own error classification: ``detail[].type`` and ``X-Fal-Retryable``."""
    found: dict[str, Any] = {}
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    types = {str(item.get("type") or "") for item in detail
             if isinstance(item, dict)} if isinstance(detail, list) else set()
    if isinstance(body, dict) and body.get("error_type"):
        types.add(str(body["error_type"]))
    if types & _MODERATION_TYPES:
        found.update(moderated=True, retryable=False, code="moderated")
    elif types:
        found["code"] = sorted(types)[0]
    flag = response.headers.get("X-Fal-Retryable")
    if flag is not None and not found.get("moderated"):
        found["retryable"] = flag.strip().lower() in ("true", "1", "yes")
    return found


def _video_urls(result: Any) -> tuple[str, ...]:
    video = result.get("video") if isinstance(result, dict) else None
    if isinstance(video, dict) and video.get("url"):
        return (str(video["url"]),)
    videos = result.get("videos") if isinstance(result, dict) else None
    if isinstance(videos, list):
        return tuple(str(v["url"]) for v in videos if isinstance(v, dict) and v.get("url"))
    return ()
