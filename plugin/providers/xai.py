"""The xAI backend: Grok Imagine video through xAI's own API (``api.x.ai``).

Contract (REST, the same messages the gRPC ``xai-sdk`` sends as ``GenerateVideoRequest``):
``POST /v1/videos/generations`` with ``model``, ``prompt``, ``duration`` (whole seconds,
1 to 15), ``aspect_ratio`` (``16:9``, ``9:16``, ``1:1``, ``4:3``, ``3:4``, ``3:2``,
``2:3``), ``resolution`` (``480p``, ``720p``) and, for image to video, ``image: {"url"}``
(an https URL or a ``data:image/...;base64`` URI) returns ``{"request_id"}``.  ``GET
/v1/videos/{request_id}`` reports ``status`` (``pending``, ``done``, ``failed``,
``expired``) and, while pending, ``progress`` (percent; Pickup reads 0 or none as queued);
``done`` carries ``video: {"url", "duration", "respect_moderation"}``, and
a video that did not pass moderation comes back without a URL; ``failed`` carries
``error: {"code", "message"}``.  Errors are ``{"code", "error"}`` bodies; a wrong key is a
400 "Incorrect API key provided".  Auth is ``Authorization: Bearer`` with
``XAI_API_KEY``.  There is no cancel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.http import HttpProvider, data_uri, nearest_ratio

__all__ = ["XaiProvider"]

_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3")
_STATES = {"pending": State.QUEUED, "done": State.SUCCEEDED, "failed": State.FAILED,
           "expired": State.FAILED}
_MODERATED_CODES = ("moderat", "content_policy", "safety")


class XaiProvider(HttpProvider):
    """xAI Grok Imagine video (``XAI_API_KEY``; models: catalog/xai.json)."""

    name = "xai"
    key_env = "XAI_API_KEY"
    default_base_url = "https://api.x.ai"
    default_model = "grok-imagine-video"
    poll_after_s = 5.0

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key()}"}

    @staticmethod
    def _resolution(req: ShotRequest) -> str:
        return "720p" if min(req.width, req.height) >= 720 else "480p"

    def billing_mode(self, req: ShotRequest) -> tuple[str | None, str | None]:
        return self._resolution(req), None

    def request_body(self, req: ShotRequest) -> dict[str, Any]:
        """The JSON Pickup sends for ``req`` (validated against xai-sdk in the tests)."""
        model = self.resolve_model(req)
        caps = self.capabilities_for(req)
        body: dict[str, Any] = {
            "model": model,
            "prompt": req.prompt,
            "duration": int(self.pick_duration(req, caps)),
            "aspect_ratio": nearest_ratio(req.width, req.height, caps.aspects or _ASPECTS),
            "resolution": self._resolution(req),
        }
        if req.first_frame is not None:
            body["image"] = {"url": data_uri(req.first_frame, provider=self.name)}
        return body

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        body = self.request_body(req)
        answer = self.client.json("POST", "/v1/videos/generations", json=body)
        if not isinstance(answer, dict) or not answer.get("request_id"):
            raise self.client.error("the answer has no request_id", code="bad_response")
        return JobHandle(provider=self.name, job_id=str(answer["request_id"]),
                         data={"model": body["model"]})

    def poll(self, handle: JobHandle) -> JobStatus:
        answer = self.client.json("GET", f"/v1/videos/{handle.job_id}")
        if not isinstance(answer, dict):
            raise self.client.error("the answer is not an object", code="bad_response")
        raw = str(answer.get("status", "")).lower()
        state = _STATES.get(raw)
        if state is None:
            raise self.client.error(f"unknown request status {raw!r}", code="bad_response")
        video = answer.get("video") or {}
        if raw == "expired":
            return JobStatus(state=state, error="the request expired before it finished",
                             error_code="expired", retryable=True)
        if state is State.FAILED:
            error = answer.get("error") or {}
            code = str(error.get("code") or "failed")
            message = self.client.redact(str(error.get("message") or "the generation failed"))
            moderated = any(word in f"{code} {message}".lower() for word in _MODERATED_CODES)
            return JobStatus(state=state, error=f"{message} ({code})",
                             error_code="moderated" if moderated else code,
                             moderated=moderated, retryable=not moderated)
        if state is State.SUCCEEDED:
            url = video.get("url")
            if not url:
                if video.get("respect_moderation") is False:
                    return JobStatus(state=State.FAILED, moderated=True,
                                     error="the video did not pass xAI's moderation",
                                     error_code="moderated")
                return JobStatus(state=State.FAILED, error="the finished request has no video",
                                 error_code="no_output", retryable=True)
            return JobStatus(state=state, progress=1.0, outputs=(str(url),))
        # ``pending`` covers both waiting and rendering; a progress above 0 means rendering
        raw_progress = answer.get("progress")
        progress = float(raw_progress) if isinstance(raw_progress, int | float) else 0.0
        started = progress > 0
        return JobStatus(state=State.RUNNING if started else State.QUEUED,
                         poll_after_s=self.poll_after_s,
                         progress=progress / 100 if started else None)

    def cancel(self, handle: JobHandle) -> bool:
        return False
