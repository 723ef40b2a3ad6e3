"""The LTX backend: Lightricks' LTX-2 / LTX-2.3 models through LTX's own API (``api.ltx.video``).

Contract (async API, V2, beta): ``POST /v2/text-to-video`` with ``prompt`` (<= 5000
characters), ``model``, ``duration`` (whole seconds), ``resolution`` (``WIDTHxHEIGHT``),
``fps`` and ``generate_audio``, or ``POST /v2/image-to-video`` with the same plus
``image_uri`` (the first frame) and, on ``ltx-2-3-*`` models only, ``last_frame_uri``,
answers ``202 {"id", "created_at"}``.  ``GET /v2/{endpoint}/{id}`` reports ``status``
(``pending``, ``processing``, ``completed``, ``failed``); a completed job has
``result.video_url``, a failed one ``error``.  Jobs and their URLs live 24 h after the end
(then 404).  Errors are ``{"type": "error", "error": {"type", "message"}}``: 401
``authentication_error``, 402 ``insufficient_funds_error``, 422 ``content_filtered_error``,
429 ``rate_limit_error`` / ``concurrency_limit_error``, 5xx ``api_error`` /
``service_unavailable``.  Auth is ``Authorization: Bearer`` with the key (``LTXV_API_KEY``).
There is no cancel.

Why V2 and not V1: the V1 endpoints (``/v1/text-to-video``) answer the MP4 itself in the
body of the POST, so a job exists only while that one connection lasts; a crash or a
dropped connection mid-generation leaves a paid video that no id can find again.  With V2
the job id is in the journal as soon as ``submit`` returns, so a restarted fill polls it
instead of paying twice.  The window that remains is the one every provider has: a crash
between LTX accepting the POST and the journal writing the id.  LTX has no idempotency key
and no job listing, so Pickup cannot find such a job (``find_existing`` is not
available); the engine marks the slot unknown and ``pickup fill --resubmit-unknown``
decides whether to pay again.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import requests

from pickup.errors import ProviderError
from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.http import HttpProvider, data_uri

__all__ = ["LtxProvider"]

_STATES = {"pending": State.QUEUED, "processing": State.RUNNING,
           "completed": State.SUCCEEDED, "failed": State.FAILED}
#: the longest duration every model and size can make; longer ones need 1080p at 25 fps
_SHORT_S = 10


def _classify(response: requests.Response) -> dict[str, Any]:
    """Refine an HTTP error by LTX's ``error.type`` (the status code alone is ambiguous)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    kind = str(error.get("type", "")) if isinstance(error, dict) else ""
    if kind == "content_filtered_error":
        return {"moderated": True, "code": "moderated", "retryable": False}
    if kind in ("rate_limit_error", "concurrency_limit_error"):  # either one: wait
        return {"retryable": True, "code": "rate_limited"}
    if kind == "insufficient_funds_error":
        return {"retryable": False, "code": "payment_required"}
    return {}


class LtxProvider(HttpProvider):
    """Lightricks LTX through LTX's own API (``LTXV_API_KEY``; catalog/ltx.json)."""

    name = "ltx"
    key_env = "LTXV_API_KEY"
    default_base_url = "https://api.ltx.video"
    default_model = "ltx-2-3-fast"
    poll_after_s = 5.0  # LTX: "poll every 5 seconds"

    def __init__(self, *, config: Any = None, **kwargs: Any) -> None:
        super().__init__(config=config, **kwargs)  # ``config``: see registry.get_provider
        self.client.classify = _classify

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key()}"}

    # -- what to ask for -------------------------------------------------------------------
    def _size(self, req: ShotRequest, model: str, duration: int) -> str:
        """The smallest size of the model that covers the slot (1080p past 10 s)."""
        entry = self.model_entry(model)
        sizes = sorted(entry.sizes or ((1920, 1080),), key=lambda s: s[0] * s[1]) \
            if entry is not None else [(1920, 1080)]
        if duration > _SHORT_S:
            sizes = sizes[:1]
        covering = [s for s in sizes if s[0] >= req.width and s[1] >= req.height]
        width, height = covering[0] if covering else sizes[-1]
        return f"{width}x{height}"

    def _fps(self, req: ShotRequest, model: str, duration: int) -> int:
        """The model's frame rate nearest the slot's (25 past 10 s, as LTX requires)."""
        if duration > _SHORT_S:
            return 25
        entry = self.model_entry(model)
        rates = [int(r) for r in (entry.fps if entry is not None and entry.fps else (24,))]
        return min(rates, key=lambda r: (abs(Fraction(r) - req.rate), r))

    def billing_mode(self, req: ShotRequest) -> tuple[str | None, str | None]:
        model = self.resolve_model(req)
        duration = int(self.pick_duration(req, self.capabilities(model)))
        return self._size(req, model, duration), None

    # -- the API ---------------------------------------------------------------------------
    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        caps = self.capabilities_for(req)
        duration = int(self.pick_duration(req, caps))
        body: dict[str, Any] = {"prompt": req.prompt[:5000], "model": model,
                                "duration": duration,
                                "resolution": self._size(req, model, duration),
                                "fps": self._fps(req, model, duration),
                                "generate_audio": bool(self.options.get("generate_audio",
                                                                        False))}
        endpoint = "text-to-video"
        if req.first_frame is not None:
            endpoint = "image-to-video"
            body["image_uri"] = data_uri(req.first_frame, provider=self.name)
            if req.last_frame is not None:
                body["last_frame_uri"] = data_uri(req.last_frame, provider=self.name)
        answer = self.client.json("POST", f"/v2/{endpoint}", json=body)
        job_id = answer.get("id") if isinstance(answer, dict) else None
        if not job_id:
            raise self.client.error("the answer has no job id", code="bad_response")
        return JobHandle(provider=self.name, job_id=str(job_id),
                         data={"model": model, "endpoint": endpoint})

    def poll(self, handle: JobHandle) -> JobStatus:
        endpoint = str(handle.data.get("endpoint") or "text-to-video")
        try:
            job = self.client.json("GET", f"/v2/{endpoint}/{handle.job_id}")
        except ProviderError as exc:
            if exc.code == "http_404":
                return JobStatus(state=State.FAILED, error="LTX no longer knows the job "
                                 "(jobs expire 24 h after they end)", error_code="expired",
                                 retryable=True)
            raise
        if not isinstance(job, dict):
            raise self.client.error("the job answer is not an object", code="bad_response")
        raw = str(job.get("status", "")).lower()
        state = _STATES.get(raw)
        if state is None:
            raise self.client.error(f"unknown job status {raw!r}", code="bad_response")
        if state is State.FAILED:
            return self._failed(job.get("error"))
        if state is not State.SUCCEEDED:
            return JobStatus(state=state, poll_after_s=self.poll_after_s)
        url = (job.get("result") or {}).get("video_url")
        if not url:
            return JobStatus(state=State.FAILED, error="the finished job has no video_url",
                             error_code="no_output", retryable=True)
        return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=(str(url),))

    def _failed(self, error: Any) -> JobStatus:
        kind, message = "", "the generation failed"
        if isinstance(error, dict):
            kind = str(error.get("type") or "")
            message = str(error.get("message") or message)
        elif error:
            message = str(error)
        message = self.client.redact(message)
        if kind == "content_filtered_error":
            return JobStatus(state=State.FAILED, moderated=True, error=message,
                             error_code="moderated")
        return JobStatus(state=State.FAILED, error=message, error_code=kind or "failed",
                         retryable=True)

    def cancel(self, handle: JobHandle) -> bool:
        return False
