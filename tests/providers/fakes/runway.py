"""A fake Runway developer API (X-Runway-Version 2024-11-06): tasks, uploads, outputs."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

VERSION = "2024-11-06"
# As runwayml 5.24.0 types them (image_to_video / text_to_video params): gen3a_turbo is
# gone; gen4_turbo is image-to-video only; gen4.5 text-to-video has two ratios.
_GEN4 = {"1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"}
_RATIOS = {("/v1/image_to_video", "gen4_turbo"): _GEN4,
           ("/v1/image_to_video", "gen4.5"): _GEN4,
           ("/v1/text_to_video", "gen4.5"): {"1280:720", "720:1280"}}
_DURATIONS = {"gen4_turbo": range(2, 11), "gen4.5": range(2, 11)}


class RunwayFake(FakeAPI):
    expired_status = 403  # signed CloudFront links answer 403 once expired

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/files/"):
            return "download"
        if path in ("/v1/image_to_video", "/v1/text_to_video"):
            return "submit"
        if path.startswith("/v1/tasks/"):
            return "cancel" if method == "DELETE" else "poll"
        if path == "/v1/uploads" or path == "/upload-bucket":
            return "upload"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"error": message}

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if path == "/upload-bucket":  # the presigned upload target: no API key may reach it
            if "authorization" in headers:
                return Reply(400, "<Error>Unexpected Authorization header</Error>")
            if b'name="file"' not in body or b'name="key"' not in body:
                return Reply(400, "<Error>missing form fields</Error>")
            return Reply(204, b"")
        if not self.authorized(headers):
            return Reply(401, {"error": "Invalid API key"})
        if headers.get("x-runway-version") != VERSION:
            return Reply(400, {"error": "You must specify a valid X-Runway-Version header."})
        data = json.loads(body or b"{}") if method in ("POST",) else {}
        if path == "/v1/uploads" and method == "POST":
            if data.get("type") != "ephemeral" or not data.get("filename"):
                return Reply(400, {"error": "Validation of body failed"})
            return Reply(200, {"uploadUrl": self.url("/upload-bucket"),
                               "fields": {"key": "uploads/abc.png", "policy": "cG9saWN5"},
                               "runwayUri": "runway://uploads/abc.png"})
        if path in ("/v1/image_to_video", "/v1/text_to_video") and method == "POST":
            return self._create(path, data)
        if path.startswith("/v1/tasks/"):
            job = self.jobs.get(path.rsplit("/", 1)[1])
            if job is None:
                return Reply(404, {"error": "Task not found"})
            if method == "DELETE":
                job["cancelled"] = True
                return Reply(204, b"")
            return Reply(200, self._task(job))
        return Reply(404, {"error": "Not found"})

    def _create(self, path: str, data: dict[str, Any]) -> Reply:
        issues = []
        model = data.get("model")
        if (path, model) not in _RATIOS:
            issues.append("model")
        if data.get("ratio") not in _RATIOS.get((path, model), ()):
            issues.append("ratio")
        if data.get("duration") not in _DURATIONS.get(str(model), ()):
            issues.append("duration")
        if path == "/v1/image_to_video":
            images = data.get("promptImage")
            if not isinstance(images, list) or not images or any(
                    i.get("position") not in ("first", "last") or
                    not str(i.get("uri", "")).startswith(("data:image/", "runway://", "https://"))
                    for i in images):
                issues.append("promptImage")
        if issues:
            return Reply(400, {"error": "Validation of body failed", "issues": issues})
        if "forbidden" in str(data.get("promptText", "")):
            return self.moderation_reply()
        job = self.new_job(request=data)
        return Reply(200, {"id": job["id"]})

    def _task(self, job: dict[str, Any]) -> dict[str, Any]:
        phase = self.phase(job)
        task: dict[str, Any] = {"id": job["id"], "createdAt": "2025-01-01T00:00:00.000Z"}
        if phase == "queued":
            task["status"] = "THROTTLED" if self.throttled else "PENDING"
        elif phase == "running":
            task.update(status="RUNNING", progress=0.5)
        elif phase == "cancelled":
            task["status"] = "CANCELLED"
        elif phase == "moderated":
            task.update(status="FAILED", failure="Your input was flagged by our content "
                        "moderation system.", failureCode="SAFETY.INPUT.TEXT")
        elif phase == "failed":
            task.update(status="FAILED", failure="An unexpected error occurred.",
                        failureCode="INTERNAL.BAD_OUTPUT.CODE01")
        else:
            task.update(status="SUCCEEDED",
                        output=[self.url(f"/files/{job['id']}.mp4?Expires=1&Signature=x")])
        # runwayml's TaskRetrieveResponse: estimatedCost while it runs, cost once it ends
        credits = 5 * int(job["request"].get("duration") or 5)
        if task["status"] in ("PENDING", "THROTTLED", "RUNNING"):
            task["estimatedCost"] = {"credits": float(credits)}
        else:
            task["cost"] = {"credits": credits if task["status"] == "SUCCEEDED" else 0}
        return task

    def moderation_reply(self) -> Reply:
        return Reply(400, {"error": "Text prompt failed content moderation (SAFETY)."})
