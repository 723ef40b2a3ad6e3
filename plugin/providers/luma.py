"""The Luma backend: Dream Machine ``/dream-machine/v1/generations``.

Contract (as the ``lumaai`` SDK calls it): ``POST /dream-machine/v1/generations/video``
with ``prompt``, ``model`` (``ray-2``, ``ray-flash-2``), ``resolution``, ``duration``
(``"5s"``/``"9s"``),
``aspect_ratio``, ``loop`` and ``keyframes`` (``frame0``/``frame1``, each
``{"type": "image", "url"}``) and ``Authorization: Bearer ...`` returns a
generation: ``id``, ``state`` (``queued``, ``dreaming``, ``completed``,
``failed``), ``failure_reason``, ``assets.video``.  ``GET .../generations/{id}``
polls it; ``DELETE .../generations/{id}`` removes (and so stops) it.  Luma takes
keyframes only as public image URLs and has no upload endpoint, so a local frame
must be given as a URL in ``req.extra["first_frame_url"]`` / ``["last_frame_url"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pickup.errors import ConfigError
from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.http import HttpProvider, check_url, nearest_ratio

__all__ = ["LumaProvider"]

_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21")
_STATES = {"queued": State.QUEUED, "dreaming": State.RUNNING, "completed": State.SUCCEEDED,
           "failed": State.FAILED}
_PATH = "/dream-machine/v1/generations"
_CREATE = _PATH + "/video"


class LumaProvider(HttpProvider):
    """Luma Ray 2 / Ray Flash 2 (``LUMA_API_KEY``; models: catalog/luma.json)."""

    name = "luma"
    key_env = "LUMA_API_KEY"
    default_base_url = "https://api.lumalabs.ai"
    default_model = "ray-2"
    poll_after_s = 5.0

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key()}"}

    def _frame_url(self, req: ShotRequest, which: str) -> str | None:
        url = req.extra.get(f"{which}_url")
        if url:
            return check_url(str(url), provider=self.name, what=f"{which} URL")
        if getattr(req, which) is not None:
            raise ConfigError(f"Luma takes a {which.replace('_', ' ')} only as a public image "
                              "URL and has no upload endpoint",
                              where=f"provider luma, slot {req.slot_id}",
                              hint=f"host the frame and pass its https URL as extra "
                              f"'{which}_url', or use runway, veo, fal or replicate")
        return None

    def validate(self, req: ShotRequest) -> None:
        super().validate(req)
        self._frame_url(req, "first_frame")
        self._frame_url(req, "last_frame")

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        caps = self.capabilities(model)
        height = min(req.width, req.height)
        body: dict[str, Any] = {
            "prompt": req.prompt,
            "model": model,
            "aspect_ratio": nearest_ratio(req.width, req.height, caps.aspects or _ASPECTS),
            "duration": f"{int(self.pick_duration(req, caps))}s",
            "resolution": "1080p" if height >= 1080 else "720p" if height >= 720 else "540p",
            "loop": False,
        }
        keyframes = {}
        for key, which in (("frame0", "first_frame"), ("frame1", "last_frame")):
            url = self._frame_url(req, which)
            if url:
                keyframes[key] = {"type": "image", "url": url}
        if keyframes:
            body["keyframes"] = keyframes
        generation = self.client.json("POST", _CREATE, json=body)
        return JobHandle(provider=self.name, job_id=str(generation["id"]), data={"model": model})

    def poll(self, handle: JobHandle) -> JobStatus:
        generation = self.client.json("GET", f"{_PATH}/{handle.job_id}")
        raw = str(generation.get("state", "")).lower()
        state = _STATES.get(raw)
        if state is None:
            raise self.client.error(f"unknown generation state {raw!r}", code="bad_response")
        if state is State.FAILED:
            reason = str(generation.get("failure_reason") or "the generation failed")
            low = reason.lower()
            moderated = "moderation" in low or "not allowed" in low or "blocked" in low
            return JobStatus(state=state, error=self.client.redact(reason),
                             error_code="moderated" if moderated else None, moderated=moderated)
        if state is State.SUCCEEDED:
            video = (generation.get("assets") or {}).get("video")
            return JobStatus(state=state, progress=1.0, outputs=(str(video),) if video else ())
        return JobStatus(state=state, poll_after_s=self.poll_after_s)

    def cancel(self, handle: JobHandle) -> bool:
        response = self.client.request("DELETE", f"{_PATH}/{handle.job_id}", ok=(404,))
        return response.status_code != 404
