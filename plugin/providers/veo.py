"""The Veo backend through the Gemini API: ``models/{model}:predictLongRunning``.

Contract: ``POST /v1beta/models/{model}:predictLongRunning`` with ``instances``
(``prompt``, ``image`` and ``lastFrame`` as ``{bytesBase64Encoded, mimeType}``)
and ``parameters`` (``aspectRatio``, ``durationSeconds``, ``negativePrompt``,
``resolution``) returns an operation ``{"name"}``.  ``GET
/v1beta/{name}`` reports ``done``; when done, ``response.generateVideoResponse``
holds ``generatedSamples[].video.uri`` or, when the safety filter removed the
video, ``raiMediaFilteredCount`` and ``raiMediaFilteredReasons``; ``error`` holds
a failed operation.  Every call, the video download included, carries the key
in the ``x-goog-api-key`` header (never in the URL).  The Gemini API has no
cancel for these operations.  The Gemini API refuses ``seed`` (google-genai raises
for it in Gemini-API mode), so none is sent; ``1080p`` needs an 8 s duration.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import Any

from pickup.errors import InputError
from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.google import classify_google_error
from pickup.providers.http import HttpProvider, nearest_ratio

__all__ = ["VeoProvider", "no_video_status"]

_ASPECTS = ("16:9", "9:16")


def no_video_status(response: dict[str, Any]) -> JobStatus:
    """A finished Veo operation (Gemini API or Vertex AI) that holds no video: removed by
    the safety filter (moderated, with Google's reasons), else failed and retryable."""
    reasons = response.get("raiMediaFilteredReasons") or []
    if response.get("raiMediaFilteredCount") or reasons:
        return JobStatus(state=State.FAILED, moderated=True, error_code="rai_filtered",
                         error="the safety filter removed the video: "
                         + ("; ".join(map(str, reasons)) or "no reason given"))
    return JobStatus(state=State.FAILED, error="the operation finished without a video",
                     error_code="no_output", retryable=True)


class VeoProvider(HttpProvider):
    """Google Veo 3.1 through the Gemini API (``GEMINI_API_KEY``; models: catalog/veo.json)."""

    name = "veo"
    key_env = "GEMINI_API_KEY"
    default_base_url = "https://generativelanguage.googleapis.com"
    default_model = "veo-3.1-generate-preview"
    poll_after_s = 10.0

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.client.classify = classify_google_error  # RetryInfo's retryDelay

    def _auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key()}

    def download_headers(self, url: str) -> dict[str, str]:
        return {}  # the client adds x-goog-api-key on the API's own origin only

    @staticmethod
    def _inline(path: Path) -> dict[str, str]:
        try:
            blob = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the frame image: {exc.strerror or exc}",
                             where=str(path)) from None
        return {"bytesBase64Encoded": base64.b64encode(blob).decode("ascii"),
                "mimeType": mimetypes.guess_type(str(path))[0] or "image/png"}

    def request_body(self, req: ShotRequest, model: str) -> dict[str, Any]:
        """``{"instances": [...], "parameters": {...}}`` for ``predictLongRunning``."""
        caps = self.capabilities(model)
        instance: dict[str, Any] = {"prompt": req.prompt}
        if req.first_frame is not None:
            instance["image"] = self._inline(req.first_frame)
        if req.last_frame is not None:
            instance["lastFrame"] = self._inline(req.last_frame)
        parameters: dict[str, Any] = {
            "aspectRatio": nearest_ratio(req.width, req.height, caps.aspects or _ASPECTS),
            "durationSeconds": int(self.pick_duration(req, caps)),
        }
        if req.negative_prompt:
            parameters["negativePrompt"] = req.negative_prompt
        entry = self.model_entry(model)
        if req.seed is not None and (entry is None or entry.seed):
            parameters["seed"] = int(req.seed) % 4294967296
        full_hd = entry.full_hd_lengths if entry is not None else None
        if full_hd and max(req.width, req.height) >= 1920 and \
                any(abs(parameters["durationSeconds"] - d) < 1e-6 for d in full_hd):
            parameters["resolution"] = "1080p"
        return {"instances": [instance], "parameters": parameters}

    def create_path(self, model: str) -> str:
        return f"/v1beta/models/{model}:predictLongRunning"

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        operation = self.client.json("POST", self.create_path(model),
                                     json=self.request_body(req, model))
        return JobHandle(provider=self.name, job_id=str(operation["name"]),
                         data={"model": model})

    def poll(self, handle: JobHandle) -> JobStatus:
        op = self.client.json("GET", f"/v1beta/{handle.job_id}")
        if not op.get("done"):
            return JobStatus(state=State.RUNNING, poll_after_s=self.poll_after_s)
        if op.get("error"):
            error = op["error"]
            message = str(error.get("message") or "the operation failed")
            code = error.get("code")
            return JobStatus(state=State.FAILED, error=self.client.redact(message),
                             error_code=str(code) if code is not None else None,
                             retryable=code in (4, 8, 13, 14))  # deadline/exhausted/internal
        response = (op.get("response") or {}).get("generateVideoResponse") or {}
        samples = response.get("generatedSamples") or []
        uris = tuple(str(s["video"]["uri"]) for s in samples
                     if isinstance(s, dict) and (s.get("video") or {}).get("uri"))
        if uris:
            return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=uris)
        return no_video_status(response)

    def cancel(self, handle: JobHandle) -> bool:
        return False
