"""A fake xAI video API: ``POST /v1/videos/generations`` answers ``{"request_id"}``, ``GET
/v1/videos/{request_id}`` reports ``pending`` (with ``progress`` once rendering), ``done``
with ``video.url``, ``failed`` with ``error.code/message`` or ``expired``.  Errors are
``{"code", "error"}`` bodies; a wrong key is a 400, as xAI answers it."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

_CREATE = "/v1/videos/generations"
_ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3")
_FIELDS = {"model", "prompt", "duration", "aspect_ratio", "resolution", "image"}


class XaiFake(FakeAPI):
    def classify(self, method: str, path: str) -> str:
        if path.startswith("/files/"):
            return "download"
        if path == _CREATE:
            return "submit"
        if path.startswith("/v1/videos/"):
            return "poll"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"code": "Client specified an invalid argument" if status < 500 else
                "Internal error", "error": message}

    def moderation_reply(self) -> Reply:
        return Reply(400, {"code": "Client specified an invalid argument",
                           "error": "Generated video rejected by content moderation."})

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if not headers.get("authorization", "").startswith("Bearer "):
            return Reply(401, self.error_body(401, "No API key provided."))
        if not self.authorized(headers):
            return Reply(400, self.error_body(400, "Incorrect API key provided: xa***. You "
                                              "can obtain an API key from https://console.x.ai."))
        if path == _CREATE and method == "POST":
            data = json.loads(body or b"{}")
            problems = sorted(set(data) - _FIELDS)
            if not data.get("prompt"):
                problems.append("prompt")
            if data.get("model") != "grok-imagine-video":
                problems.append("model")
            duration = data.get("duration")
            if not isinstance(duration, int) or isinstance(duration, bool) or \
                    not 1 <= duration <= 15:
                problems.append("duration")
            if data.get("aspect_ratio", "16:9") not in _ASPECTS:
                problems.append("aspect_ratio")
            if data.get("resolution", "720p") not in ("480p", "720p"):
                problems.append("resolution")
            if "image" in data and not str((data["image"] or {}).get("url", "")).startswith(
                    ("data:image/", "https://")):
                problems.append("image.url")
            if problems:
                return Reply(422, self.error_body(422, f"invalid request: "
                                                  f"{', '.join(problems)}"))
            job = self.new_job(request=data)
            return Reply(200, {"request_id": job["id"]})
        if path.startswith("/v1/videos/") and method == "GET":
            job = self.jobs.get(path.rsplit("/", 1)[1])
            if job is None:
                return Reply(404, self.error_body(404, "request not found"))
            return Reply(200, self._answer(job))
        return Reply(404, self.error_body(404, "Not Found"))

    def _answer(self, job: dict[str, Any]) -> dict[str, Any]:
        phase = self.phase(job)
        model = job["request"]["model"]
        if phase == "queued":
            return {"status": "pending"}
        if phase == "running":
            return {"status": "pending", "progress": 40}
        if phase == "moderated":  # the video was made but withheld
            return {"status": "done", "model": model,
                    "video": {"duration": job["request"]["duration"],
                              "respect_moderation": False}}
        if phase in ("failed", "cancelled"):
            return {"status": "failed", "model": model,
                    "video": {"duration": 0, "respect_moderation": True},
                    "error": {"code": "internal_error",
                              "message": "Video generation failed. Please try again."}}
        if phase == "expired":
            return {"status": "expired"}
        return {"status": "done", "model": model,
                "video": {"url": self.url(f"/files/xai-video-{job['id']}.mp4"),
                          "duration": job["request"]["duration"],
                          "respect_moderation": True}}
