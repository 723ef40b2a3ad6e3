"""A fake Luma Dream Machine API: generations with keyframes, states, failure_reason."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.fakes.base import FakeAPI, Reply

_PATH = "/dream-machine/v1/generations"
_CREATE = _PATH + "/video"  # where lumaai 1.21.0 creates video generations


class LumaFake(FakeAPI):
    expired_status = 403

    def classify(self, method: str, path: str) -> str:
        if path.startswith("/files/"):
            return "download"
        if path == _CREATE:
            return "submit"
        if path.startswith(_PATH + "/"):
            return "cancel" if method == "DELETE" else "poll"
        return "other"

    def error_body(self, status: int, message: str) -> Any:
        return {"detail": message}

    def route(self, method: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str], body: bytes) -> Reply:
        if not self.authorized(headers):
            return Reply(401, {"detail": "Invalid API key provided"})
        if path == _CREATE and method == "POST":
            data = json.loads(body or b"{}")
            problems = []
            if not data.get("prompt"):
                problems.append("prompt")
            if data.get("model") not in ("ray-2", "ray-flash-2"):
                problems.append("model")
            if data.get("duration") not in ("5s", "9s"):
                problems.append("duration")
            for key, frame in (data.get("keyframes") or {}).items():
                if key not in ("frame0", "frame1") or frame.get("type") != "image" or \
                        not str(frame.get("url", "")).startswith(("https://", "http://127.")):
                    problems.append(f"keyframes.{key}")
            if problems:
                return Reply(400, {"detail": f"Invalid request: {', '.join(problems)}"})
            job = self.new_job(request=data)
            return Reply(201, self._generation(job, advance=False))
        if path.startswith(_PATH + "/") and path != _CREATE:
            job = self.jobs.get(path.rsplit("/", 1)[1])
            if job is None or job.get("deleted"):
                return Reply(404, {"detail": "Generation not found"})
            if method == "DELETE":
                job["cancelled"] = job["deleted"] = True
                return Reply(204, b"")
            return Reply(200, self._generation(job))
        return Reply(404, {"detail": "Not Found"})

    def _generation(self, job: dict[str, Any], *, advance: bool = True) -> dict[str, Any]:
        phase = self.phase(job, advance=advance)
        gen: dict[str, Any] = {"id": job["id"], "generation_type": "video",
                               "state": "queued", "failure_reason": None, "assets": None,
                               "model": job["request"].get("model"),
                               "request": job["request"],
                               "created_at": "2025-01-01T00:00:00.000Z"}
        if phase == "running":
            gen["state"] = "dreaming"
        elif phase == "moderated":
            gen.update(state="failed", failure_reason="400: prompt not allowed because "
                       "advanced moderation failed")
        elif phase == "failed":
            gen.update(state="failed", failure_reason="Internal server error")
        elif phase == "success":
            gen.update(state="completed", assets={"video": self.url(f"/files/{job['id']}.mp4"),
                                                  "image": None})
        return gen

    def moderation_reply(self) -> Reply:
        return Reply(400, {"detail": "400: prompt not allowed because advanced moderation "
                           "failed"})
