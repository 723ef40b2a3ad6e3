"""The Runway backend: ``/v1/image_to_video`` and ``/v1/text_to_video`` tasks.

Contract (Runway developer API, ``X-Runway-Version: 2024-11-06``): a POST
returns ``{"id"}``; ``GET /v1/tasks/{id}`` reports ``PENDING``, ``THROTTLED``,
``RUNNING`` (with ``progress`` 0..1), ``SUCCEEDED`` (``output``: URLs that
expire), ``FAILED`` (``failure``, ``failureCode``; ``SAFETY.*`` codes are
moderation) or ``CANCELLED``; ``DELETE /v1/tasks/{id}`` cancels.  Frames go as
``promptImage`` (a list with ``position`` ``first``/``last``) as data URIs, or,
above ``upload_threshold_bytes``, through ``POST /v1/uploads`` (an ephemeral
upload whose ``runwayUri`` is then used).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pickup.providers.base import JobHandle, JobStatus, ShotRequest, State
from pickup.providers.http import HttpProvider, data_uri, nearest_ratio

__all__ = ["RunwayProvider"]

API_VERSION = "2024-11-06"
_STATES = {"PENDING": State.QUEUED, "THROTTLED": State.QUEUED, "RUNNING": State.RUNNING,
           "SUCCEEDED": State.SUCCEEDED, "FAILED": State.FAILED, "CANCELLED": State.CANCELLED}


class RunwayProvider(HttpProvider):
    """Runway Gen-4 / Gen-4.5 through the Runway developer API (models: catalog/runway.json)."""

    name = "runway"
    key_env = "RUNWAYML_API_SECRET"
    default_base_url = "https://api.dev.runwayml.com"
    default_model = "gen4_turbo"
    poll_after_s = 5.0

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key()}", "X-Runway-Version": API_VERSION}

    def _image(self, path: Path) -> str:
        threshold = int(self.options.get("upload_threshold_bytes", 3_000_000))
        if Path(path).stat().st_size <= threshold:
            return data_uri(path, provider=self.name)
        ticket = self.client.json("POST", "/v1/uploads",
                                  json={"filename": Path(path).name, "type": "ephemeral"})
        with open(path, "rb") as handle:
            self.client.request("POST", ticket["uploadUrl"], data=ticket.get("fields") or {},
                                files={"file": (Path(path).name, handle, "image/png")},
                                auth=False)
        return str(ticket["runwayUri"])

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        self.validate(req)
        model = self.resolve_model(req)
        caps = self.capabilities_for(req)
        entry = self.model_entry(model)
        body: dict[str, Any] = {
            "model": model,
            "promptText": req.prompt[:1000],
            "ratio": nearest_ratio(req.width, req.height, caps.aspects or ("1280:720",
                                                                            "720:1280")),
            "duration": int(self.pick_duration(req, caps)),
        }
        if req.seed is not None:
            body["seed"] = int(req.seed) % 4294967296
        images = [{"uri": self._image(path), "position": position}
                  for path, position in ((req.first_frame, "first"), (req.last_frame, "last"))
                  if path is not None]
        if images:
            body["promptImage"] = images
            endpoint = entry.endpoint if entry and entry.endpoint else "/v1/image_to_video"
        else:
            endpoint = (entry.text_endpoint if entry and entry.text_endpoint
                        else "/v1/text_to_video")
        task = self.client.json("POST", endpoint, json=body)
        return JobHandle(provider=self.name, job_id=str(task["id"]),
                         data={"model": model, "endpoint": endpoint})

    def poll(self, handle: JobHandle) -> JobStatus:
        task = self.client.json("GET", f"/v1/tasks/{handle.job_id}")
        raw = str(task.get("status", "")).upper()
        state = _STATES.get(raw)
        if state is None:
            raise self.client.error(f"unknown task status {raw!r}", code="bad_response")
        if state is State.FAILED:
            code = str(task.get("failureCode") or "")
            return JobStatus(state=state, error=self.client.redact(str(task.get("failure") or
                                                                     "the task failed")),
                             error_code=code or None, moderated="SAFETY" in code.upper(),
                             retryable=code.upper().startswith("INTERNAL"))
        progress = task.get("progress")
        return JobStatus(state=state,
                         progress=1.0 if state is State.SUCCEEDED else
                         (float(progress) if isinstance(progress, (int, float)) else None),
                         outputs=tuple(task.get("output") or ()),
                         poll_after_s=self.poll_after_s if raw != "THROTTLED"
                         else self.poll_after_s * 2)

    def cancel(self, handle: JobHandle) -> bool:
        response = self.client.request("DELETE", f"/v1/tasks/{handle.job_id}", ok=(404,))
        return response.status_code != 404
