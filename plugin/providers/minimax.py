"""The MiniMax backend: Hailuo through MiniMax's own API (``api.minimax.io``).

Contract (v1): ``POST /v1/video_generation`` with ``model``, ``prompt``, ``duration``
(6 or 10), ``resolution`` (``768P``, ``1080P`` only at 6 s), ``prompt_optimizer`` and,
for image to video, ``first_frame_image`` / ``last_frame_image`` (a URL or a data URI)
returns ``{"task_id", "base_resp": {"status_code", "status_msg"}}``.  ``GET
/v1/query/video_generation?task_id=`` reports ``status`` (``Preparing``, ``Queueing``,
``Processing``, ``Success``, ``Fail``) and, on success, ``file_id``; ``GET
/v1/files/retrieve?file_id=`` gives ``file.download_url``.  MiniMax answers errors with
HTTP 200 and a non-zero ``base_resp.status_code`` (1002 rate limit, 1004 / 2049 key,
1008 balance, 1026 / 1027 sensitive content); Pickup maps them as an HTTP error would be.
Auth is ``Authorization: Bearer`` with the API key.  There is no cancel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pickup.errors import ProviderError
from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.http import HttpProvider, data_uri

__all__ = ["MiniMaxProvider"]

_STATES = {"preparing": State.QUEUED, "queueing": State.QUEUED,
           "processing": State.RUNNING, "success": State.SUCCEEDED, "fail": State.FAILED}
_RETRYABLE = {1000, 1001, 1002, 1013, 1039}  # unknown, timeout, rate limit, internal, TPM
_AUTH = {1004, 2049}
_BALANCE = {1008}
_MODERATED = {1026, 1027}


class MiniMaxProvider(HttpProvider):
    """MiniMax Hailuo through MiniMax's API (``MINIMAX_API_KEY``; catalog/minimax.json)."""

    name = "minimax"
    key_env = "MINIMAX_API_KEY"
    default_base_url = "https://api.minimax.io"
    default_model = "MiniMax-Hailuo-02"
    poll_after_s = 10.0

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key()}"}

    def _resolution(self, req: ShotRequest, duration: int, model: str) -> str:
        entry = self.model_entry(model)
        full_hd = entry.full_hd_lengths if entry is not None else None
        if full_hd and min(req.width, req.height) >= 1080 and duration in full_hd:
            return "1080P"
        return "768P"

    def billing_mode(self, req: ShotRequest) -> tuple[str | None, str | None]:
        model = self.resolve_model(req)
        duration = int(self.pick_duration(req, self.capabilities(model)))
        return self._resolution(req, duration, model), None

    def _checked(self, answer: Any, what: str) -> dict[str, Any]:
        """``answer`` if its ``base_resp`` says success, else the mapped ProviderError."""
        if not isinstance(answer, dict):
            raise self.client.error(f"{what}: the answer is not an object", code="bad_response")
        base = answer.get("base_resp") or {}
        code = int(base.get("status_code") or 0)
        if code == 0:
            return answer
        message = self.client.redact(str(base.get("status_msg") or "error"))
        text = f"{what} refused ({code}: {message})"
        if code in _MODERATED:
            raise self.client.error(text, code="moderated", moderated=True,
                                    hint="rephrase the prompt or change the frames")
        if code in _AUTH:
            raise self.client.error(text, code="unauthorized",
                                    hint="run `pickup auth set minimax` or set MINIMAX_API_KEY")
        if code in _BALANCE:
            raise self.client.error(text, code="payment_required",
                                    hint="add credits to the MiniMax account")
        raise self.client.error(text, code=f"minimax_{code}", retryable=code in _RETRYABLE)

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        caps = self.capabilities_for(req)
        duration = int(self.pick_duration(req, caps))
        body: dict[str, Any] = {"model": model, "prompt": req.prompt[:2000],
                                "duration": duration,
                                "resolution": self._resolution(req, duration, model),
                                "prompt_optimizer": bool(self.options.get("prompt_optimizer",
                                                                          False))}
        if req.first_frame is not None:
            body["first_frame_image"] = data_uri(req.first_frame, provider=self.name)
        if req.last_frame is not None:
            body["last_frame_image"] = data_uri(req.last_frame, provider=self.name)
        answer = self._checked(self.client.json("POST", "/v1/video_generation", json=body),
                               "video_generation")
        if not answer.get("task_id"):
            raise self.client.error("the answer has no task_id", code="bad_response")
        return JobHandle(provider=self.name, job_id=str(answer["task_id"]),
                         data={"model": model})

    def poll(self, handle: JobHandle) -> JobStatus:
        try:
            task = self._checked(self.client.json(
                "GET", "/v1/query/video_generation", params={"task_id": handle.job_id}),
                "query")
        except ProviderError as exc:
            if exc.moderated:
                return JobStatus(state=State.FAILED, moderated=True, error=exc.message,
                                 error_code="moderated")
            raise
        raw = str(task.get("status", "")).lower()
        state = _STATES.get(raw)
        if state is None:
            raise self.client.error(f"unknown task status {raw!r}", code="bad_response")
        if state is State.FAILED:
            return JobStatus(state=state, error="the generation failed", error_code="fail",
                             retryable=True)
        if state is not State.SUCCEEDED:
            return JobStatus(state=state, poll_after_s=self.poll_after_s)
        file = self._checked(self.client.json("GET", "/v1/files/retrieve",
                                              params={"file_id": task.get("file_id")}),
                             "files/retrieve").get("file") or {}
        url = file.get("download_url")
        if not url:
            return JobStatus(state=State.FAILED, error="the finished task has no file",
                             error_code="no_output", retryable=True)
        return JobStatus(state=State.SUCCEEDED, progress=1.0, outputs=(str(url),))

    def cancel(self, handle: JobHandle) -> bool:
        return False
