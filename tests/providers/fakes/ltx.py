"""A fake LTX API (async V2): ``POST /v2/{text,image}-to-video`` answering 202 with a job id,
``GET /v2/{endpoint}/{id}`` with pending/processing/completed/failed and
``result.video_url``; errors as ``{"type": "error", "error": {"type", "message"}}``
(401 authentication_error, 422 content_filtered_error, 429 rate_limit_error), as
docs.ltx.video/async-jobs and /errors describe them."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

_ENDPOINTS = ("text-to-video", "image-to-video")
_MODELS = {"ltx-2-fast": (25, 50), "ltx-2-pro": (25, 50),
           "ltx-2-3-fast": (24, 25, 48, 50), "ltx-2-3-pro": (24, 25, 48, 50)}
_SIZES = ("1920x1080", "2560x1440", "3840x2160")
_TYPES = {400: "invalid_request_error", 401: "authentication_error",
          402: "insufficient_funds_error", 404: "not_found_error",
          422: "content_filtered_error", 429: "rate_limit_error", 500: "api_error",
          503: "service_unavailable"}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


class LtxFake(FakeAPI):
    expired_status = 403  # signed storage URLs answer 403 once expired

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/files/"):
            return "download"
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "v2" and parts[1] in _ENDPOINTS and method == "POST":
            return "submit"
        if len(parts) == 3 and parts[0] == "v2" and parts[1] in _ENDPOINTS:
            return "poll"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return _error(_TYPES.get(status, "api_error"), message)

    def moderation_reply(self) -> Reply:
        return Reply(422, _error("content_filtered_error",
                                 "Content is filtered due to policy restrictions"))

    def _problems(self, endpoint: str, data: dict[str, Any]) -> list[str]:
        problems = [k for k in ("prompt", "model", "duration", "resolution") if k not in data]
        model = data.get("model")
        if model not in _MODELS:
            problems.append(f"model {model!r}")
            return problems
        if not isinstance(data.get("prompt"), str) or not 1 <= len(data["prompt"]) <= 5000:
            problems.append("prompt")
        duration, fps = data.get("duration"), data.get("fps", 24)
        longest = 20 if model.endswith("fast") else 10
        if not isinstance(duration, int) or duration not in range(6, longest + 1, 2):
            problems.append("duration")
        if data.get("resolution") not in _SIZES:
            problems.append("resolution")
        if fps not in _MODELS[model]:
            problems.append("fps")
        if isinstance(duration, int) and duration > 10 and (
                data.get("resolution") != "1920x1080" or fps != 25):
            problems.append("durations over 10 s need 1920x1080 at 25 fps")
        if endpoint == "image-to-video":
            if not str(data.get("image_uri", "")).startswith(("data:image/", "https://")):
                problems.append("image_uri")
            if "last_frame_uri" in data and not model.startswith("ltx-2-3"):
                problems.append("last_frame_uri is only supported by ltx-2-3 models")
        else:
            problems += [k for k in ("image_uri", "last_frame_uri") if k in data]
        known = {"prompt", "model", "duration", "resolution", "fps", "generate_audio",
                 "camera_motion", "image_uri", "last_frame_uri"}
        problems += sorted(set(data) - known)
        return problems

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if "authorization" not in headers:
            return Reply(401, _error("authentication_error", "Missing authorization header"))
        if not self.authorized(headers):
            return Reply(401, _error("authentication_error", "Invalid API key"))
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 2 and parts[1] in _ENDPOINTS:
            data = json.loads(body or b"{}")
            problems = self._problems(parts[1], data)
            if problems:
                return Reply(400, _error("invalid_request_error", "; ".join(problems)))
            if "forbidden" in data["prompt"]:
                return self.moderation_reply()
            job = self.new_job(request=data, endpoint=parts[1])
            return Reply(202, {"id": job["id"], "created_at": "2026-12-04T10:00:00.000Z"})
        if method == "GET" and len(parts) == 3 and parts[1] in _ENDPOINTS:
            job = self.jobs.get(parts[2])
            if job is None or job["endpoint"] != parts[1]:
                return Reply(404, _error("not_found_error", "Job not found"))
            phase = self.phase(job)
            answer: dict[str, Any] = {"id": job["id"], "created_at": "2026-12-04T10:00:00.000Z"}
            if phase == "queued":
                answer["status"] = "pending"
            elif phase == "running":
                answer["status"] = "processing"
            elif phase == "success":
                answer.update(status="completed", completed_at="2026-12-04T10:02:30.000Z",
                              result={"video_url": self.url(f"/files/{job['id']}.mp4")})
            elif phase == "moderated":
                answer.update(status="failed", error={
                    "type": "content_filtered_error",
                    "message": "Content is filtered due to policy restrictions"})
            else:
                answer.update(status="failed", error={"type": "api_error",
                                                      "message": "generation failed"})
            return Reply(200, answer)
        return Reply(404, _error("not_found_error", "Not found"))
