"""A fake fal queue API: submit to the model path, URLs returned without the sub-path."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

_REQ = re.compile(r"^/([\w\-]+/[\w\-.]+)/requests/([\w\-]+)(/status|/cancel)?$")


class FalFake(FakeAPI):
    expired_status = 404

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/files/"):
            return "download"
        match = _REQ.match(path)
        if match:
            return {"/status": "poll", "/cancel": "cancel"}.get(match.group(3) or "", "result")
        return "submit" if method == "POST" else "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"detail": message}

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if headers.get("authorization") != f"Key {self.key}":
            return Reply(401, {"detail": "Invalid Key Authorization header format or key"})
        match = _REQ.match(path)
        if match:
            app, rid, tail = match.groups()
            job = self.jobs.get(rid)
            if job is None or job["app"] != app:
                return Reply(404, {"detail": "Request not found"})
            if tail == "/status" and method == "GET":
                return self._status(job)
            if tail == "/cancel" and method == "PUT":
                if self.phase(job, advance=False) in ("queued", "running"):
                    job["cancelled"] = True
                    return Reply(202, {"status": "CANCELLATION_REQUESTED"})
                return Reply(400, {"status": "ALREADY_COMPLETED"})
            if tail is None and method == "GET":
                return self._result(job)
            return Reply(405, {"detail": "Method Not Allowed"})
        if method != "POST":
            return Reply(404, {"detail": "Not Found"})
        model = path.strip("/")
        data = json.loads(body or b"{}")
        if not data.get("prompt"):
            return Reply(422, {"detail": [{"loc": ["body", "prompt"], "msg": "field required",
                                           "type": "value_error.missing"}]})
        if "image-to-video" in model and not str(data.get("image_url", "")).startswith(
                ("data:image/", "https://")):
            return Reply(422, {"detail": [{"loc": ["body", "image_url"],
                                           "msg": "field required", "type": "missing"}]})
        app = "/".join(model.split("/")[:2])  # fal drops the sub-path from the queue URLs
        job = self.new_job(app=app, model=model, request=data)
        base = self.url(f"/{app}/requests/{job['id']}")
        return Reply(200, {"request_id": job["id"], "response_url": base,
                           "status_url": base + "/status", "cancel_url": base + "/cancel",
                           "queue_position": 0})

    def _status(self, job: dict[str, Any]) -> Reply:
        phase = self.phase(job)
        base = self.url(f"/{job['app']}/requests/{job['id']}")
        common = {"response_url": base, "status_url": base + "/status",
                  "cancel_url": base + "/cancel", "request_id": job["id"]}
        if phase == "queued":
            return Reply(202, {"status": "IN_QUEUE", "queue_position": 3 if self.throttled
                               else 0, **common})
        if phase == "running":
            return Reply(202, {"status": "IN_PROGRESS", "logs": [], **common})
        if phase == "cancelled":
            return Reply(200, {"status": "COMPLETED", "error": "Request was cancelled",
                               "error_type": "request_cancelled", **common})
        if phase == "moderated":
            return Reply(200, {"status": "COMPLETED", "error": "The content could not be "
                               "processed because it contained material flagged by a content "
                               "checker.", "error_type": "content_policy_violation", **common})
        if phase == "failed":
            return Reply(200, {"status": "COMPLETED", "error": "Internal server error",
                               "error_type": "internal_error", **common})
        return Reply(200, {"status": "COMPLETED", "metrics": {"inference_time": 1.0}, **common})

    def _result(self, job: dict[str, Any]) -> Reply:
        phase = self.phase(job, advance=False)
        if phase in ("queued", "running"):
            return Reply(400, {"detail": "Request is still in progress"})
        return Reply(200, {"video": {"url": self.url(f"/files/{job['id']}.mp4"),
                                     "content_type": "video/mp4", "file_name": "output.mp4",
                                     "file_size": len(self.video)}, "seed": 42})

    def moderation_reply(self) -> Reply:
        return Reply(422, {"detail": [{"loc": ["body", "prompt"], "msg": "The prompt was "
                                       "flagged by the content policy checker.",
                                       "type": "content_policy_violation"}]})
